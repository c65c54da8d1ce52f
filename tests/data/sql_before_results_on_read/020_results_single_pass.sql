-- One pass over the stored scores for a period's whole results: unit_result now carries each
-- unit's field sub-indices as a list (column `fields`), computed from the same per-unit,
-- per-field sums as its own figures, so a page or report that needs both reads the scores once.
-- Same figures as 010 (the tests compare them with field_result and with hand-computed cases).

-- Per unit, period, field and source: the sums of field_parts next to each field's maximum.
CREATE OR REPLACE VIEW unit_field_sums AS
SELECT us.period_year, us.unit_code, us.set_id, f.field_code, f.source, f.max_points,
       p.points, p.self_points, coalesce(p.appraised_leaves, 0) AS appraised_leaves,
       coalesce(p.na_max, 0) AS na_max,
       CASE WHEN f.source = 'self_assessed' THEN f.max_points - coalesce(p.na_max, 0)
            WHEN f.source IN ('citizen_survey', 'official_survey') THEN coalesce(p.survey_max, 0)
            ELSE 0 END AS applicable_max
FROM unit_criteria_set us
JOIN set_field_max f ON f.set_id = us.set_id
LEFT JOIN field_parts p ON p.period_year = us.period_year AND p.unit_code = us.unit_code
 AND p.field_code = f.field_code AND p.source = f.source;

CREATE OR REPLACE VIEW unit_result AS
WITH sums AS MATERIALIZED (SELECT * FROM unit_field_sums),
per_field AS (
    SELECT period_year, unit_code, field_code,
           CAST(round(coalesce(sum(points), 0), 2) AS DOUBLE) AS points,
           CAST(sum(applicable_max) AS DOUBLE) AS applicable_max,
           CAST(round(100 * coalesce(sum(points), 0) / nullif(sum(applicable_max), 0), 2) AS DOUBLE) AS sub_index
    FROM sums WHERE source NOT IN ('bonus', 'penalty')
    GROUP BY period_year, unit_code, field_code
),
fields AS (
    SELECT period_year, unit_code,
           list({'field_code': field_code, 'points': points, 'applicable_max': applicable_max, 'sub_index': sub_index}
                ORDER BY CAST(field_code AS INTEGER)) AS fields
    FROM per_field GROUP BY period_year, unit_code
),
agg AS (
    SELECT period_year, unit_code, set_id,
           sum(self_points) FILTER (WHERE source = 'self_assessed') AS self_points,
           coalesce(sum(appraised_leaves) FILTER (WHERE source = 'self_assessed'), 0) AS appraised_leaves,
           sum(points) FILTER (WHERE source = 'self_assessed') AS assessed_points,
           sum(points) FILTER (WHERE source = 'citizen_survey') AS citizen_points,
           sum(points) FILTER (WHERE source = 'official_survey') AS official_points,
           sum(applicable_max) AS applicable_max,
           sum(max_points) FILTER (WHERE source IN ('self_assessed', 'citizen_survey', 'official_survey')) AS full_max,
           coalesce(sum(points) FILTER (WHERE source = 'bonus'), 0) AS bonus_raw,
           coalesce(sum(points) FILTER (WHERE source = 'penalty'), 0) AS penalty_raw,
           coalesce(sum(max_points) FILTER (WHERE source = 'bonus'), 0) AS bonus_leaves_max,
           coalesce(sum(max_points) FILTER (WHERE source = 'penalty'), 0) AS penalty_leaves_max
    FROM sums GROUP BY period_year, unit_code, set_id
),
figures AS (
    SELECT g.*, coalesce(a.state, 'not_started') AS state,
           coalesce(a.state, '') IN ('final', 'approved', 'published') AS is_final,
           round(coalesce(g.assessed_points, 0), 2) AS scored_points,
           round(coalesce(g.citizen_points, 0) + coalesce(g.official_points, 0), 2) AS survey_points,
           least(g.bonus_raw, coalesce(cs.bonus_cap, g.bonus_leaves_max)) AS bonus,
           least(g.penalty_raw, coalesce(cs.penalty_cap, g.penalty_leaves_max)) AS penalty,
           p.band_good, p.band_fair, p.band_average
    FROM agg g
    JOIN criteria_set cs ON cs.id = g.set_id
    JOIN period p ON p.year = g.period_year
    LEFT JOIN assessment a ON a.period_year = g.period_year AND a.unit_code = g.unit_code
),
indexed AS (
    SELECT *, round(scored_points + survey_points + bonus - penalty, 2) AS total_points,
           round(100 * (coalesce(assessed_points, 0) + coalesce(citizen_points, 0) + coalesce(official_points, 0)
                        + bonus - penalty) / nullif(applicable_max, 0), 2) AS index
    FROM figures
)
SELECT i.period_year, i.unit_code, u.name AS unit_name, u.kind, u.district_code, u.district_name,
       u.province_code, u.province_name, i.set_id, i.state, i.is_final,
       CAST(round(coalesce(i.self_points, 0), 2) AS DOUBLE) AS self_points,
       CAST(CASE WHEN i.appraised_leaves > 0 THEN i.scored_points END AS DOUBLE) AS appraised_points,
       CAST(i.appraised_leaves AS INTEGER) AS appraised_leaves, CAST(i.scored_points AS DOUBLE) AS scored_points,
       CAST(i.survey_points AS DOUBLE) AS survey_points, CAST(i.bonus AS DOUBLE) AS bonus,
       CAST(i.penalty AS DOUBLE) AS penalty, CAST(i.total_points AS DOUBLE) AS total_points,
       CAST(i.applicable_max AS DOUBLE) AS applicable_max, CAST(i.full_max AS DOUBLE) AS full_max,
       CAST(i.index AS DOUBLE) AS index,
       rank() OVER (PARTITION BY i.period_year ORDER BY i.index DESC NULLS LAST) AS rank,
       CASE WHEN i.index IS NULL THEN NULL
            WHEN i.index >= coalesce(i.band_good, 80) THEN 'Tốt'
            WHEN i.index >= coalesce(i.band_fair, 70) THEN 'Khá'
            WHEN i.index >= coalesce(i.band_average, 60) THEN 'Trung bình'
            ELSE 'Yếu' END AS class,
       f.fields
FROM indexed i
JOIN unit_in_period u ON u.period_year = i.period_year AND u.code = i.unit_code
LEFT JOIN fields f ON f.period_year = i.period_year AND f.unit_code = i.unit_code;
