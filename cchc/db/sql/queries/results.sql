-- name: results_of_period
-- reads: results
-- Every unit's figures for a period (views in 006_results.sql), optionally one province or
-- one district, best index first; ties share a rank and are listed by code.
SELECT * FROM unit_result
WHERE period_year = $year
  AND ($province IS NULL OR province_code = $province)
  AND ($district IS NULL OR district_code = $district)
ORDER BY rank, unit_code;

-- name: results_of_period_brief
-- reads: results
-- The same without the field sub-indices (a province or the whole country, grouped on the page):
-- not asking for the `fields` column spares computing it.
SELECT period_year, unit_code, unit_name, kind, district_code, district_name, province_code, province_name,
       set_id, state, is_final, self_points, appraised_points, appraised_leaves, scored_points, survey_points,
       bonus, penalty, total_points, applicable_max, full_max, index, rank, class
FROM unit_result
WHERE period_year = $year
  AND ($province IS NULL OR province_code = $province)
  AND ($district IS NULL OR district_code = $district)
ORDER BY rank, unit_code;

-- name: result_of_unit
-- reads: results
SELECT * FROM unit_result WHERE period_year = $year AND unit_code = $unit_code;

-- name: field_results_of_period
-- reads: results
SELECT f.* FROM field_result f
JOIN unit_in_period u ON u.period_year = f.period_year AND u.code = f.unit_code
WHERE f.period_year = $year
  AND ($province IS NULL OR u.province_code = $province)
  AND ($district IS NULL OR u.district_code = $district)
ORDER BY f.unit_code, f.field_code;

-- name: field_averages
-- reads: results
-- The average sub-index of each field over the units of the period (or of a province, district).
SELECT f.field_code, round(avg(f.sub_index), 2) AS sub_index, round(avg(f.points), 2) AS points,
       count(*) AS units
FROM field_result f
JOIN unit_in_period u ON u.period_year = f.period_year AND u.code = f.unit_code
WHERE f.period_year = $year
  AND ($province IS NULL OR u.province_code = $province)
  AND ($district IS NULL OR u.district_code = $district)
GROUP BY f.field_code
ORDER BY CAST(f.field_code AS INTEGER);

-- name: leaf_results_of_unit
SELECT * FROM leaf_result WHERE period_year = $year AND unit_code = $unit_code ORDER BY code;

-- name: element_shares
-- Satisfaction per SIPAS element over the units of the period (or of a province, district), as
-- the survey pages compute it for the district: answers pooled per question, the share of each
-- question, then the mean over the element's questions. Excluded responses are left out.
WITH per_question AS (
    SELECT a.element, a.question, count(*) AS answers, count(*) FILTER (WHERE a.value >= 4) AS satisfied
    FROM survey_response r
    JOIN survey_answer a ON a.response_id = r.id
    JOIN unit_in_period u ON u.period_year = r.period_year AND u.code = r.unit_code
    WHERE r.period_year = $year AND NOT r.excluded AND a.value BETWEEN 1 AND 5 AND a.element BETWEEN 1 AND 5
      AND ($province IS NULL OR u.province_code = $province)
      AND ($district IS NULL OR u.district_code = $district)
    GROUP BY a.element, a.question
),
responses AS (   -- questionnaires that rated the element (an element has several questions)
    SELECT a.element, count(DISTINCT a.response_id) AS responses
    FROM survey_response r
    JOIN survey_answer a ON a.response_id = r.id
    JOIN unit_in_period u ON u.period_year = r.period_year AND u.code = r.unit_code
    WHERE r.period_year = $year AND NOT r.excluded AND a.value BETWEEN 1 AND 5 AND a.element BETWEEN 1 AND 5
      AND ($province IS NULL OR u.province_code = $province)
      AND ($district IS NULL OR u.district_code = $district)
    GROUP BY a.element
)
SELECT q.element, any_value(r.responses) AS responses, sum(q.answers) AS answers, sum(q.satisfied) AS satisfied,
       round(100 * avg(q.satisfied / q.answers), 2) AS share
FROM per_question q JOIN responses r ON r.element = q.element
GROUP BY q.element ORDER BY q.element;

-- name: result_places
-- The provinces and districts that have units in a period, with their unit counts.
SELECT province_code, province_name, district_code, district_name, count(*) AS units
FROM unit_in_period WHERE period_year = $year
GROUP BY ALL ORDER BY province_code, district_code;

-- name: units_in_period_count
SELECT count(*) AS n FROM unit_in_period WHERE period_year = $year;

-- name: period_set_bands
-- results: none (the class is computed on read)
UPDATE period SET band_good = $good, band_fair = $fair, band_average = $average WHERE year = $year;

-- Upkeep of unit_figures (021_results_kept.sql): Storage runs these before a transaction commits,
-- for what its writes touched (each writing query says what in a `-- results:` line).

-- name: results_forget_unit
DELETE FROM unit_figures WHERE period_year = $year AND unit_code = $unit_code;

-- name: results_keep_unit
INSERT INTO unit_figures SELECT * FROM unit_figures_live WHERE period_year = $year AND unit_code = $unit_code;

-- name: results_forget_period
DELETE FROM unit_figures WHERE period_year = $year;

-- name: results_keep_period
INSERT INTO unit_figures SELECT * FROM unit_figures_live WHERE period_year = $year;

-- name: results_forget_all
DELETE FROM unit_figures;

-- name: results_keep_all
INSERT INTO unit_figures SELECT * FROM unit_figures_live;

-- name: results_pending_insert
INSERT INTO results_pending SELECT $year, unnest($unit_codes::VARCHAR[]);

-- name: results_pending_count
SELECT count(*) AS n FROM results_pending;

-- name: results_pending_take
DELETE FROM results_pending RETURNING period_year AS year, unit_code;

-- name: results_kept_count
SELECT count(*) AS n FROM unit_figures;

-- name: results_units_kept
SELECT count(*) AS n FROM unit_figures WHERE period_year = $year;

-- name: results_units_of_responses
SELECT DISTINCT period_year AS year, unit_code FROM survey_response WHERE id IN (SELECT unnest($ids::BIGINT[]));

-- name: results_units_of_codes
SELECT DISTINCT period_year AS year, unit_code FROM official_code WHERE code IN (SELECT unnest($codes::VARCHAR[]));

-- name: results_drift
-- The units whose kept figures differ from a computation from scratch (sums to 6 decimals).
WITH kept AS MATERIALIZED (
    SELECT period_year, unit_code, set_id, round(COLUMNS(* EXCLUDE (period_year, unit_code, set_id, fields)), 6), fields
    FROM unit_figures
),
live AS MATERIALIZED (
    SELECT period_year, unit_code, set_id, round(COLUMNS(* EXCLUDE (period_year, unit_code, set_id, fields)), 6), fields
    FROM unit_figures_live
),
diff AS ((SELECT * FROM kept EXCEPT ALL SELECT * FROM live) UNION ALL (SELECT * FROM live EXCEPT ALL SELECT * FROM kept))
SELECT DISTINCT period_year AS year, unit_code FROM diff ORDER BY ALL;
