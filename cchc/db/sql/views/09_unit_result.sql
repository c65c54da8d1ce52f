-- Per unit and period: every figure of the index, the rank and the class, and the field
-- sub-indices as a list (column `fields`: a page or report that needs both reads the scores once;
-- each element's `field` is the field's code as a number, 1, 2, …, in that order).
--   index (%) = (points + min(bonus, cap) − min(penalty, cap)) / applicable maximum × 100, to the
--               hundredth (cap: the set's, else the bonus or penalty leaves' maximum); ties share
--               a rank; the class comes from the period's bands (Tốt, Khá, Trung bình, else Yếu).
--   No data is no data: a unit with no scored self-assessed leaf (it has not started) has no
--   index, no rank and no class (NULL); it is not ranked, and the ranks of the others do not
--   count it. Survey answers alone do not make an index.
CREATE OR REPLACE VIEW unit_result AS
WITH set_max AS (       -- per set: the full maximum, and the bonus and penalty leaves' maximum (their caps unless the set has its own)
    SELECT set_id,
           CAST(sum(max_points) FILTER (WHERE source IN ('self_assessed', 'citizen_survey', 'official_survey')) AS DOUBLE PRECISION) AS full_max,
           CAST(coalesce(sum(max_points) FILTER (WHERE source = 'bonus'), 0) AS DOUBLE PRECISION) AS bonus_leaves_max,
           CAST(coalesce(sum(max_points) FILTER (WHERE source = 'penalty'), 0) AS DOUBLE PRECISION) AS penalty_leaves_max
    FROM criterion_leaf GROUP BY set_id
),
sums AS (               -- the unit's fields added up (128-bit sums are slow to hand to Python: doubles)
    SELECT period_year, unit_code, set_id,
           CAST(sum(self_points) AS DOUBLE PRECISION) AS self_points,
           CAST(sum(appraised_leaves) AS INTEGER) AS appraised_leaves,
           sum(scored_leaves) AS scored_leaves,
           sum(assessed_points) AS assessed_points,
           sum(citizen_points) AS citizen_points,
           sum(official_points) AS official_points,
           CAST(sum(applicable_max) AS DOUBLE PRECISION) AS applicable_max,
           coalesce(sum(bonus_raw), 0) AS bonus_raw,
           coalesce(sum(penalty_raw), 0) AS penalty_raw,
           -- the field as its number: a text member or an ordered aggregate made this list three times as
           -- slow at 10,599 units (measured); list_sort orders by the number, the first member
           list_sort(list({'field': CAST(field_code AS INTEGER), 'points': field_points, 'applicable_max': field_max,
                           'sub_index': sub_index}) FILTER (WHERE is_scored)) AS fields
    FROM unit_field_sums
    GROUP BY period_year, unit_code, set_id
),
capped AS (             -- bonus and penalty within their caps, the assessment's state, the bands
    SELECT s.*, m.full_max, coalesce(a.state, 'not_started') AS state,
           coalesce(a.state, '') IN ('final', 'approved', 'published') AS is_final,
           round(coalesce(s.assessed_points, 0), 2) AS scored_points,
           round(coalesce(s.citizen_points, 0) + coalesce(s.official_points, 0), 2) AS survey_points,
           least(s.bonus_raw, coalesce(CAST(cs.bonus_cap AS DOUBLE PRECISION), m.bonus_leaves_max)) AS bonus,
           least(s.penalty_raw, coalesce(CAST(cs.penalty_cap AS DOUBLE PRECISION), m.penalty_leaves_max)) AS penalty,
           p.band_good, p.band_fair, p.band_average
    FROM sums s
    JOIN set_max m ON m.set_id = s.set_id
    JOIN criteria_set cs ON cs.id = s.set_id
    JOIN period p ON p.year = s.period_year
    LEFT JOIN assessment a ON a.period_year = s.period_year AND a.unit_code = s.unit_code
),
indexed AS (
    SELECT *, round(scored_points + survey_points + bonus - penalty, 2) AS total_points,
           CASE WHEN scored_leaves > 0
                THEN round(100 * (coalesce(assessed_points, 0) + coalesce(citizen_points, 0) + coalesce(official_points, 0)
                                  + bonus - penalty) / nullif(applicable_max, 0), 2) END AS index
    FROM capped
),
final AS (
    SELECT i.period_year, i.unit_code, u.name AS unit_name, u.kind, u.district_code, u.district_name,
           u.province_code, u.province_name, i.set_id, i.state, i.is_final,
           round(coalesce(i.self_points, 0), 2) AS self_points,
           CASE WHEN i.appraised_leaves > 0 THEN i.scored_points END AS appraised_points,
           i.appraised_leaves, i.scored_points, i.survey_points, i.bonus, i.penalty, i.total_points,
           i.applicable_max, i.full_max, i.index,
           CASE WHEN i.index IS NOT NULL THEN rank() OVER (PARTITION BY i.period_year ORDER BY i.index DESC NULLS LAST) END AS rank,
           CASE WHEN i.index IS NULL THEN NULL
                WHEN i.index >= coalesce(i.band_good, 80) THEN 'Tốt'
                WHEN i.index >= coalesce(i.band_fair, 70) THEN 'Khá'
                WHEN i.index >= coalesce(i.band_average, 60) THEN 'Trung bình'
                ELSE 'Yếu' END AS class,
           i.fields
    FROM indexed i
    JOIN unit_in_period u ON u.period_year = i.period_year AND u.code = i.unit_code
)
SELECT * FROM final;
