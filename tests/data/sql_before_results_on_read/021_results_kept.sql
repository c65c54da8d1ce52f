-- The results kept up to date on write. Each unit's sums (the figures of 020 before caps, rank
-- and class, and its field sub-indices) are stored in unit_figures and recomputed, with the view
-- unit_figures_live, for the units that writes touched (or the whole period, or every period).
-- Each named query that writes what they are computed from says what it touches in a
-- `-- results:` line (cchc/storage.py applies it; a test checks that none is missing): the
-- transaction notes those units in results_pending, a background thread recomputes them about a
-- second later, and a query marked `-- reads: results` recomputes what is still pending first.
-- Reading the results is then one row per unit plus what stays computed on read: caps, state,
-- names, rank and class, so changing bands, caps, states or names needs no upkeep.
-- After any migration, Storage.migrate recomputes every period (a later migration that changes
-- the computation only redefines unit_figures_live).

-- The same rows as before, without correlated subqueries: per unit and period, the name and kind
-- in force that year (the latest from_year not after it, else the earliest).
CREATE OR REPLACE VIEW unit_in_period AS
WITH named AS (
    SELECT p.year AS period_year, u.code,
           arg_max(n.name, CASE WHEN n.from_year <= p.year THEN n.from_year ELSE -n.from_year END) AS name,
           arg_max(n.kind, CASE WHEN n.from_year <= p.year THEN n.from_year ELSE -n.from_year END) AS kind
    FROM period p
    JOIN unit u ON u.valid_from <= p.year AND (u.valid_to IS NULL OR u.valid_to >= p.year)
    JOIN unit_name n ON n.code = u.code
    GROUP BY p.year, u.code
)
SELECT n.period_year, u.code, n.name, n.kind, u.district_code, u.district_name,
       u.province_code, u.province_name, u.valid_from, u.valid_to, u.successor_code,
       CASE n.kind WHEN 'Xã' THEN 'xa' WHEN 'Thị trấn' THEN 'thi_tran' WHEN 'Phường' THEN 'phuong' END AS kind_key
FROM named n JOIN unit u ON u.code = n.code;

-- Per unit and period, computed from the stored scores and answers (020's computation, without
-- the caps, rank, class and names): the sums of the index, and the field sub-indices as a list.
-- One chain over unit_field_sums (per field, then per unit), so that it is read once and a
-- filter on the period or the unit reaches the scores and answers.
CREATE OR REPLACE VIEW unit_figures_live AS
WITH per_field AS (
    SELECT period_year, unit_code, set_id, field_code,
           bool_or(source NOT IN ('bonus', 'penalty')) AS scored_field,
           sum(points) FILTER (WHERE source NOT IN ('bonus', 'penalty')) AS field_points,
           sum(applicable_max) FILTER (WHERE source NOT IN ('bonus', 'penalty')) AS field_max,
           sum(self_points) FILTER (WHERE source = 'self_assessed') AS self_points,
           sum(appraised_leaves) FILTER (WHERE source = 'self_assessed') AS appraised_leaves,
           sum(points) FILTER (WHERE source = 'self_assessed') AS assessed_points,
           sum(points) FILTER (WHERE source = 'citizen_survey') AS citizen_points,
           sum(points) FILTER (WHERE source = 'official_survey') AS official_points,
           sum(applicable_max) AS applicable_max,
           sum(max_points) FILTER (WHERE source IN ('self_assessed', 'citizen_survey', 'official_survey')) AS full_max,
           sum(points) FILTER (WHERE source = 'bonus') AS bonus_raw,
           sum(points) FILTER (WHERE source = 'penalty') AS penalty_raw,
           sum(max_points) FILTER (WHERE source = 'bonus') AS bonus_leaves_max,
           sum(max_points) FILTER (WHERE source = 'penalty') AS penalty_leaves_max
    FROM unit_field_sums
    GROUP BY period_year, unit_code, set_id, field_code
)
SELECT period_year, unit_code, set_id,
       CAST(sum(self_points) AS DOUBLE) AS self_points,
       CAST(coalesce(sum(appraised_leaves), 0) AS INTEGER) AS appraised_leaves,
       CAST(sum(assessed_points) AS DOUBLE) AS assessed_points,
       CAST(sum(citizen_points) AS DOUBLE) AS citizen_points,
       CAST(sum(official_points) AS DOUBLE) AS official_points,
       CAST(sum(applicable_max) AS DOUBLE) AS applicable_max,
       CAST(sum(full_max) AS DOUBLE) AS full_max,
       CAST(coalesce(sum(bonus_raw), 0) AS DOUBLE) AS bonus_raw,
       CAST(coalesce(sum(penalty_raw), 0) AS DOUBLE) AS penalty_raw,
       CAST(coalesce(sum(bonus_leaves_max), 0) AS DOUBLE) AS bonus_leaves_max,
       CAST(coalesce(sum(penalty_leaves_max), 0) AS DOUBLE) AS penalty_leaves_max,
       list({'field_code': field_code,
             'points': CAST(round(coalesce(field_points, 0), 2) AS DOUBLE),
             'applicable_max': CAST(field_max AS DOUBLE),
             'sub_index': CAST(round(100 * coalesce(field_points, 0) / nullif(field_max, 0), 2) AS DOUBLE)}
            ORDER BY CAST(field_code AS INTEGER)) FILTER (WHERE scored_field) AS fields
FROM per_field
GROUP BY period_year, unit_code, set_id;

-- One row per period and unit (two writers recomputing the same unit at once conflict, and the
-- second is retried, instead of leaving the unit twice). Filled by Storage.migrate.
CREATE TABLE unit_figures AS SELECT * FROM unit_figures_live WITH NO DATA;
ALTER TABLE unit_figures ADD PRIMARY KEY (period_year, unit_code);

-- Units whose figures are still to be recomputed (Storage.keep_pending): writes only note them
-- here, so that a burst of answers or saves is recomputed once, outside the writer's wait.
CREATE TABLE results_pending (
    period_year INTEGER NOT NULL,
    unit_code   VARCHAR            -- NULL: every unit of the period
);

-- Every unit's figures for a period as pages and reports read them: the stored sums, with the
-- caps, states, names, rank and class applied on read.
CREATE OR REPLACE VIEW unit_result AS
WITH figures AS (
    SELECT g.*, coalesce(a.state, 'not_started') AS state,
           coalesce(a.state, '') IN ('final', 'approved', 'published') AS is_final,
           round(coalesce(g.assessed_points, 0), 2) AS scored_points,
           round(coalesce(g.citizen_points, 0) + coalesce(g.official_points, 0), 2) AS survey_points,
           least(g.bonus_raw, coalesce(CAST(cs.bonus_cap AS DOUBLE), g.bonus_leaves_max)) AS bonus,
           least(g.penalty_raw, coalesce(CAST(cs.penalty_cap AS DOUBLE), g.penalty_leaves_max)) AS penalty,
           p.band_good, p.band_fair, p.band_average
    FROM unit_figures g
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
       round(coalesce(i.self_points, 0), 2) AS self_points,
       CASE WHEN i.appraised_leaves > 0 THEN i.scored_points END AS appraised_points,
       i.appraised_leaves, i.scored_points, i.survey_points, i.bonus, i.penalty, i.total_points,
       i.applicable_max, i.full_max, i.index,
       rank() OVER (PARTITION BY i.period_year ORDER BY i.index DESC NULLS LAST) AS rank,
       CASE WHEN i.index IS NULL THEN NULL
            WHEN i.index >= coalesce(i.band_good, 80) THEN 'Tốt'
            WHEN i.index >= coalesce(i.band_fair, 70) THEN 'Khá'
            WHEN i.index >= coalesce(i.band_average, 60) THEN 'Trung bình'
            ELSE 'Yếu' END AS class,
       i.fields
FROM indexed i
JOIN unit_in_period u ON u.period_year = i.period_year AND u.code = i.unit_code;

CREATE OR REPLACE VIEW field_result AS
SELECT period_year, unit_code, f.field_code, f.points, f.applicable_max, f.sub_index
FROM (SELECT period_year, unit_code, unnest(fields) AS f FROM unit_figures);
