-- Per unit, period and field of the unit's set: the sums the index and the field's sub-index are
-- made of, from the stored scores and survey answers (each read once).
--   self-assessed leaves count their appraised score once there is one, else the self-score; a
--   leaf marked "không áp dụng" leaves the maximum; bonus and penalty leaves count their
--   appraised score and no maximum; survey leaves count in the maximum once they have answers
--   (a survey without answers yet does not count against the unit).
--   field_points, field_max, sub_index: the field's sub-index (%) = points / applicable maximum
--   × 100, to the hundredth (scored fields only: bonus and penalty fields have none).
--   No data is no data: a field with no scored leaf (a self-assessed leaf with a self or appraised
--   score, not "không áp dụng") and no survey answers has no points and no sub-index (NULL), so
--   a commune that has not started shows no figure rather than a 0 that reads as the worst one.
CREATE OR REPLACE VIEW unit_field_sums AS
WITH field_leaves AS (  -- per set and field: the self-assessed leaves' maximum; is it scored (not bonus, penalty)?
    SELECT set_id, field_code,
           coalesce(sum(max_points) FILTER (WHERE source = 'self_assessed'), 0) AS self_max,
           bool_or(source NOT IN ('bonus', 'penalty')) AS is_scored
    FROM criterion_leaf GROUP BY set_id, field_code
),
scored AS (             -- self-assessed, bonus and penalty leaves: the stored scores
    SELECT s.period_year, s.unit_code, l.field_code,
           sum(coalesce(s.appraised_points, s.self_points)) FILTER (WHERE l.source = 'self_assessed' AND NOT s.not_applicable) AS assessed_points,
           sum(s.appraised_points) FILTER (WHERE l.source = 'bonus' AND NOT s.not_applicable) AS bonus_raw,
           sum(s.appraised_points) FILTER (WHERE l.source = 'penalty' AND NOT s.not_applicable) AS penalty_raw,
           sum(s.self_points) FILTER (WHERE l.source = 'self_assessed') AS self_points,
           count(s.appraised_points) FILTER (WHERE l.source = 'self_assessed') AS appraised_leaves,
           count(coalesce(s.appraised_points, s.self_points)) FILTER (WHERE l.source = 'self_assessed' AND NOT s.not_applicable) AS scored_leaves,
           sum(l.max_points) FILTER (WHERE l.source = 'self_assessed' AND s.not_applicable) AS na_max
    FROM score s
    JOIN unit_criteria_set us ON us.period_year = s.period_year AND us.unit_code = s.unit_code
    JOIN criterion_leaf l ON l.set_id = us.set_id AND l.code = s.criterion_code
    GROUP BY s.period_year, s.unit_code, l.field_code
),
unit_share AS (         -- the mean share over a unit's elements
    SELECT period_year, unit_code, avg(share) AS share FROM survey_element_share GROUP BY period_year, unit_code
),
citizen_leaf AS (       -- citizen-survey leaves: their element's share (all elements' mean unless the set has five)
    SELECT us.period_year, us.unit_code, l.field_code, l.max_points,
           CASE WHEN l.source_leaves = 5 THEN es.share ELSE ush.share END AS share
    FROM unit_criteria_set us
    JOIN criterion_leaf l ON l.set_id = us.set_id AND l.source = 'citizen_survey'
    LEFT JOIN survey_element_share es ON es.period_year = us.period_year AND es.unit_code = us.unit_code
          AND es.element = l.source_ordinal
    LEFT JOIN unit_share ush ON ush.period_year = us.period_year AND ush.unit_code = us.unit_code
),
citizen AS (            -- those with answers
    SELECT period_year, unit_code, field_code, sum(CAST(max_points AS DOUBLE PRECISION) * share) AS citizen_points,
           sum(max_points) AS citizen_max
    FROM citizen_leaf WHERE share IS NOT NULL
    GROUP BY period_year, unit_code, field_code
),
official AS (           -- officials'-survey leaves with answers
    SELECT os.period_year, os.unit_code, l.field_code, sum(os.points) AS official_points,
           sum(l.max_points) AS official_max
    FROM official_survey_points os
    JOIN unit_criteria_set us ON us.period_year = os.period_year AND us.unit_code = os.unit_code
    JOIN criterion_leaf l ON l.set_id = us.set_id AND l.code = os.criterion_code
    GROUP BY os.period_year, os.unit_code, l.field_code
),
per_field AS (          -- every unit × every field of its set (nothing stored: zero)
    SELECT us.period_year, us.unit_code, us.set_id, f.field_code, f.is_scored,
           s.self_points, coalesce(s.appraised_leaves, 0) AS appraised_leaves, coalesce(s.scored_leaves, 0) AS scored_leaves,
           CAST(s.assessed_points AS DOUBLE PRECISION) AS assessed_points, c.citizen_points, o.official_points,
           CAST(s.bonus_raw AS DOUBLE PRECISION) AS bonus_raw, CAST(s.penalty_raw AS DOUBLE PRECISION) AS penalty_raw,
           f.self_max - coalesce(s.na_max, 0) + coalesce(c.citizen_max, 0) + coalesce(o.official_max, 0) AS applicable_max
    FROM unit_criteria_set us
    JOIN field_leaves f ON f.set_id = us.set_id
    LEFT JOIN scored s ON s.period_year = us.period_year AND s.unit_code = us.unit_code AND s.field_code = f.field_code
    LEFT JOIN citizen c ON c.period_year = us.period_year AND c.unit_code = us.unit_code AND c.field_code = f.field_code
    LEFT JOIN official o ON o.period_year = us.period_year AND o.unit_code = us.unit_code AND o.field_code = f.field_code
),
with_data AS (          -- does the field have anything to show?
    SELECT *, scored_leaves > 0 OR citizen_points IS NOT NULL OR official_points IS NOT NULL AS has_data
    FROM per_field
),
final AS (
    SELECT *,
           CASE WHEN has_data THEN CAST(round(coalesce(assessed_points, 0) + coalesce(citizen_points, 0)
                                              + coalesce(official_points, 0), 2) AS DOUBLE PRECISION) END AS field_points,
           CAST(applicable_max AS DOUBLE PRECISION) AS field_max,
           CASE WHEN has_data THEN CAST(round(100 * (coalesce(assessed_points, 0) + coalesce(citizen_points, 0)
                                                     + coalesce(official_points, 0)) / nullif(applicable_max, 0), 2)
                                        AS DOUBLE PRECISION) END AS sub_index
    FROM with_data
)
SELECT * FROM final;
