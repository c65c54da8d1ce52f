-- The same figures as 006_results.sql (every figure a DOUBLE rounded to the hundredth: 128-bit
-- sums are slow to hand to Python), computed faster: unit and field results are aggregated
-- from the score rows (one per scored leaf) and the survey shares (one per unit and element),
-- each joined only with the small tables of sets and leaves, instead of first expanding every
-- unit × every leaf (650,000 rows for the whole country). The maxima come from the sets: a
-- field's maximum less the leaves marked "không áp dụng". leaf_result stays for one unit's detail.

-- Per set, field and source: the leaves' maximum.
CREATE OR REPLACE VIEW set_field_max AS
SELECT set_id, field_code, source, sum(max_points) AS max_points, count(*) AS leaves
FROM criterion_leaf GROUP BY set_id, field_code, source;

-- Per unit, period, field and source: points, self-assessed points, appraised leaves, the maximum
-- of the leaves marked "không áp dụng", and (surveys) the maximum of the leaves that have answers.
CREATE OR REPLACE VIEW field_parts AS
SELECT s.period_year, s.unit_code, l.field_code, l.source,
       sum(CASE WHEN l.source = 'self_assessed' THEN coalesce(s.appraised_points, s.self_points)
                ELSE s.appraised_points END) FILTER (WHERE NOT s.not_applicable) AS points,
       sum(s.self_points) AS self_points,
       count(s.appraised_points) AS appraised_leaves,
       coalesce(sum(l.max_points) FILTER (WHERE s.not_applicable), 0) AS na_max,
       CAST(0 AS DECIMAL(9, 2)) AS survey_max
FROM score s
JOIN unit_criteria_set us ON us.period_year = s.period_year AND us.unit_code = s.unit_code
JOIN criterion_leaf l ON l.set_id = us.set_id AND l.code = s.criterion_code
WHERE l.source IN ('self_assessed', 'bonus', 'penalty')
GROUP BY s.period_year, s.unit_code, l.field_code, l.source
UNION ALL
SELECT period_year, unit_code, field_code, 'citizen_survey', sum(CAST(max_points AS DOUBLE) * share),
       NULL, 0, 0, sum(max_points)
FROM (   -- each citizen-survey leaf: its element's share (the mean of all elements when a set has not five such leaves)
    SELECT us.period_year, us.unit_code, l.field_code, l.code, l.max_points, avg(es.share) AS share
    FROM unit_criteria_set us
    JOIN criterion_leaf l ON l.set_id = us.set_id AND l.source = 'citizen_survey'
    JOIN survey_element_share es ON es.period_year = us.period_year AND es.unit_code = us.unit_code
     AND (l.source_leaves <> 5 OR es.element = l.source_ordinal)
    GROUP BY us.period_year, us.unit_code, l.field_code, l.code, l.max_points
) GROUP BY period_year, unit_code, field_code
UNION ALL
SELECT os.period_year, os.unit_code, l.field_code, 'official_survey', sum(os.points), NULL, 0, 0, sum(l.max_points)
FROM official_survey_points os
JOIN unit_criteria_set us ON us.period_year = os.period_year AND us.unit_code = os.unit_code
JOIN criterion_leaf l ON l.set_id = us.set_id AND l.code = os.criterion_code AND l.source = 'official_survey'
GROUP BY os.period_year, os.unit_code, l.field_code;

CREATE OR REPLACE VIEW field_result AS
WITH base AS (     -- every unit × every scored field and source of its set
    SELECT us.period_year, us.unit_code, f.field_code, f.source, f.max_points
    FROM unit_criteria_set us JOIN set_field_max f ON f.set_id = us.set_id
    WHERE f.source NOT IN ('bonus', 'penalty')
),
joined AS (
    SELECT b.period_year, b.unit_code, b.field_code, coalesce(p.points, 0) AS points,
           CASE WHEN b.source = 'self_assessed' THEN b.max_points - coalesce(p.na_max, 0)
                ELSE coalesce(p.survey_max, 0) END AS applicable_max
    FROM base b
    LEFT JOIN field_parts p ON p.period_year = b.period_year AND p.unit_code = b.unit_code
     AND p.field_code = b.field_code AND p.source = b.source
)
SELECT period_year, unit_code, field_code, CAST(round(sum(points), 2) AS DOUBLE) AS points,
       CAST(sum(applicable_max) AS DOUBLE) AS applicable_max,
       CAST(round(100 * sum(points) / nullif(sum(applicable_max), 0), 2) AS DOUBLE) AS sub_index
FROM joined GROUP BY period_year, unit_code, field_code;

CREATE OR REPLACE VIEW unit_result AS
WITH maxes AS (
    SELECT us.period_year, us.unit_code, us.set_id,
           coalesce(sum(f.max_points) FILTER (WHERE f.source = 'self_assessed'), 0) AS self_max,
           sum(f.max_points) FILTER (WHERE f.source IN ('self_assessed', 'citizen_survey', 'official_survey')) AS full_max,
           coalesce(sum(f.max_points) FILTER (WHERE f.source = 'bonus'), 0) AS bonus_leaves_max,
           coalesce(sum(f.max_points) FILTER (WHERE f.source = 'penalty'), 0) AS penalty_leaves_max
    FROM unit_criteria_set us JOIN set_field_max f ON f.set_id = us.set_id
    GROUP BY us.period_year, us.unit_code, us.set_id
),
parts AS (
    SELECT period_year, unit_code,
           sum(self_points) FILTER (WHERE source = 'self_assessed') AS self_points,
           coalesce(sum(appraised_leaves) FILTER (WHERE source = 'self_assessed'), 0) AS appraised_leaves,
           sum(points) FILTER (WHERE source = 'self_assessed') AS assessed_points,
           coalesce(sum(na_max) FILTER (WHERE source = 'self_assessed'), 0) AS na_max,
           sum(points) FILTER (WHERE source = 'citizen_survey') AS citizen_points,
           sum(points) FILTER (WHERE source = 'official_survey') AS official_points,
           coalesce(sum(survey_max) FILTER (WHERE source IN ('citizen_survey', 'official_survey')), 0) AS survey_max,
           coalesce(sum(points) FILTER (WHERE source = 'bonus'), 0) AS bonus_raw,
           coalesce(sum(points) FILTER (WHERE source = 'penalty'), 0) AS penalty_raw
    FROM field_parts GROUP BY period_year, unit_code
),
agg AS (
    SELECT m.period_year, m.unit_code, m.set_id, p.self_points, coalesce(p.appraised_leaves, 0) AS appraised_leaves,
           p.assessed_points, p.citizen_points, p.official_points,
           m.self_max - coalesce(p.na_max, 0) + coalesce(p.survey_max, 0) AS applicable_max, m.full_max,
           coalesce(p.bonus_raw, 0) AS bonus_raw, coalesce(p.penalty_raw, 0) AS penalty_raw,
           m.bonus_leaves_max, m.penalty_leaves_max
    FROM maxes m LEFT JOIN parts p ON p.period_year = m.period_year AND p.unit_code = m.unit_code
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
            ELSE 'Yếu' END AS class
FROM indexed i
JOIN unit_in_period u ON u.period_year = i.period_year AND u.code = i.unit_code;
