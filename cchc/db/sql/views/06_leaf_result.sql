-- One row per unit, period and leaf of the unit's set (one unit's detail: the scorecard).
--   points:        self-assessed leaves: the appraised score once there is one, else the
--                  self-score (provisional); citizen-survey leaves: max × the satisfaction share
--                  of their element (of all elements when the set has not five such leaves);
--                  officials'-survey leaves: official_survey_points; bonus and penalty leaves:
--                  the appraised score.
--   counts_in_max: whether the leaf's maximum counts in the unit's applicable maximum:
--                  self-assessed leaves unless "không áp dụng"; survey leaves once they have
--                  answers (a survey without answers yet does not count against the unit).
CREATE OR REPLACE VIEW leaf_result AS
WITH unit_share AS (    -- the mean share over the unit's elements
    SELECT period_year, unit_code, avg(share) AS share FROM survey_element_share GROUP BY period_year, unit_code
),
leaves AS (             -- every leaf of each unit's set, with what was stored for it
    SELECT us.period_year, us.unit_code, us.set_id, l.code, l.field_code, l.source, l.max_points,
           s.self_points, coalesce(s.not_applicable, FALSE) AS not_applicable, s.appraised_points,
           CASE WHEN l.source_leaves = 5 THEN es.share ELSE ush.share END AS share,
           os.points AS official_points
    FROM unit_criteria_set us
    JOIN criterion_leaf l ON l.set_id = us.set_id
    LEFT JOIN score s ON s.period_year = us.period_year AND s.unit_code = us.unit_code AND s.criterion_code = l.code
    LEFT JOIN survey_element_share es ON l.source = 'citizen_survey' AND es.period_year = us.period_year
          AND es.unit_code = us.unit_code AND es.element = l.source_ordinal
    LEFT JOIN unit_share ush ON l.source = 'citizen_survey' AND ush.period_year = us.period_year
          AND ush.unit_code = us.unit_code
    LEFT JOIN official_survey_points os ON l.source = 'official_survey' AND os.period_year = us.period_year
          AND os.unit_code = us.unit_code AND os.criterion_code = l.code
),
final AS (
    SELECT period_year, unit_code, set_id, code, field_code, source, max_points, self_points, not_applicable,
           appraised_points,
           CASE source
               WHEN 'self_assessed' THEN coalesce(appraised_points, self_points)
               WHEN 'citizen_survey' THEN CAST(max_points AS DOUBLE PRECISION) * share
               WHEN 'official_survey' THEN official_points
               ELSE appraised_points
           END AS points,
           CASE source
               WHEN 'self_assessed' THEN NOT not_applicable
               WHEN 'citizen_survey' THEN share IS NOT NULL
               WHEN 'official_survey' THEN official_points IS NOT NULL
               ELSE FALSE
           END AS counts_in_max
    FROM leaves
)
SELECT * FROM final;
