-- name: results_of_period
-- Every unit's figures for a period (views/09_unit_result.sql), optionally one province or
-- one district, best index first; ties share a rank and are listed by code.
SELECT * FROM unit_result
WHERE period_year = $year
  AND ($province IS NULL OR province_code = $province)
  AND ($district IS NULL OR district_code = $district)
ORDER BY rank, unit_code;

-- name: results_of_period_brief
-- The same without the field sub-indices (the command line's ranking):
-- not asking for the `fields` column spares computing it.
SELECT period_year, unit_code, unit_name, kind, district_code, district_name, province_code, province_name,
       set_id, state, is_final, self_points, appraised_points, appraised_leaves, scored_points, survey_points,
       bonus, penalty, total_points, applicable_max, full_max, index, rank, class
FROM unit_result
WHERE period_year = $year
  AND ($province IS NULL OR province_code = $province)
  AND ($district IS NULL OR district_code = $district)
ORDER BY rank, unit_code;

-- name: results_by_place
-- The period's results added up per province (no province given) or per district of one
-- province: what the dashboard shows beyond a district's units, without fetching every unit's
-- row (10,599 for the country) only to add them up in Python. The indices are added in the order
-- of the ranking, as the page once added them (the same mean to the last digit); units without an
-- index (not started) are counted but left out of the mean (`ranked` units have one).
WITH placed AS (
    SELECT CASE WHEN $province IS NULL THEN province_code ELSE district_code END AS place_code,
           CASE WHEN $province IS NULL THEN province_name ELSE district_name END AS place_name, *
    FROM unit_result
    WHERE period_year = $year AND ($province IS NULL OR province_code = $province)
)
SELECT place_code, min(place_name) AS place_name, count(*) AS units,
       count(*) FILTER (WHERE state NOT IN ('not_started', 'draft')) AS handed_in,
       count(*) FILTER (WHERE is_final) AS final,
       sum(index ORDER BY rank, unit_code) AS index_sum, count(index) AS ranked,
       count(*) FILTER (WHERE class = 'Tốt') AS good, count(*) FILTER (WHERE class = 'Khá') AS fair,
       count(*) FILTER (WHERE class = 'Trung bình') AS average, count(*) FILTER (WHERE class = 'Yếu') AS weak,
       min({'rank': rank, 'code': unit_code}) AS first_in_ranking   -- orders places of equal means
FROM placed
GROUP BY place_code;

-- name: result_of_unit
SELECT * FROM unit_result WHERE period_year = $year AND unit_code = $unit_code;

-- name: results_beside_unit
-- A scorecard's figures in one reading of the view: the rows of the unit's district (the unit's
-- own, and the others for the district's field averages), each with how many units of the
-- period have an index (are ranked: "hạng 3/17").
SELECT * FROM (SELECT *, count(index) OVER () AS units_ranked FROM unit_result WHERE period_year = $year) ranked
WHERE district_code = (SELECT district_code FROM unit_in_period WHERE period_year = $year AND code = $unit_code)
ORDER BY rank, unit_code;

-- name: field_results_of_period
SELECT f.* FROM field_result f
JOIN unit_in_period u ON u.period_year = f.period_year AND u.code = f.unit_code
WHERE f.period_year = $year
  AND ($province IS NULL OR u.province_code = $province)
  AND ($district IS NULL OR u.district_code = $district)
ORDER BY f.unit_code, f.field_code;

-- name: field_averages
-- The average sub-index of each field over the units of the period (or of a province, district)
-- that have data in it (a field without data has no sub-index: views/07_unit_field_sums.sql).
SELECT f.field_code, round(avg(f.sub_index), 2) AS sub_index, round(avg(f.points), 2) AS points,
       count(f.sub_index) AS units
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
-- question, then the mean over the element's questions. Excluded responses are left out. The
-- answers are read once (both steps below use `valid`).
WITH valid AS (
    SELECT a.response_id, a.element, a.question, a.value >= 4 AS satisfied
    FROM survey_response r
    JOIN survey_answer a ON a.response_id = r.id
    WHERE r.period_year = $year AND NOT r.excluded AND a.value BETWEEN 1 AND 5 AND a.element BETWEEN 1 AND 5
      AND r.unit_code IN (SELECT code FROM unit_in_period WHERE period_year = $year
                          AND ($province IS NULL OR province_code = $province)
                          AND ($district IS NULL OR district_code = $district))
),
per_question AS (
    SELECT element, question, count(*) AS answers, count(*) FILTER (WHERE satisfied) AS satisfied
    FROM valid GROUP BY element, question
),
responses AS (   -- questionnaires that rated the element (an element has several questions)
    SELECT element, count(DISTINCT response_id) AS responses FROM valid GROUP BY element
)
SELECT q.element, min(r.responses) AS responses, sum(q.answers) AS answers, sum(q.satisfied) AS satisfied,
       round(100 * avg(CAST(q.satisfied AS DOUBLE PRECISION) / q.answers), 2) AS share
FROM per_question q JOIN responses r ON r.element = q.element
GROUP BY q.element ORDER BY q.element;

-- name: result_places
-- The provinces and districts that have units in a period, with their unit counts.
SELECT province_code, province_name, district_code, district_name, count(*) AS units
FROM unit_in_period WHERE period_year = $year
GROUP BY province_code, province_name, district_code, district_name ORDER BY province_code, district_code;

-- name: period_set_bands
UPDATE period SET band_good = $good, band_fair = $fair, band_average = $average WHERE year = $year;

-- name: progress_by_state
-- The units of a period (or of a province, district) counted per assessment state and
-- lateness, with their questionnaires and survey targets: progress.campaign's headline figures
-- for more units than a page lists, without one row per unit (unit_progress, assessment.sql).
WITH units AS (
    SELECT code FROM unit_in_period WHERE period_year = $year
      AND (coalesce($province, '') = '' OR province_code = $province)
      AND (coalesce($district, '') = '' OR district_code = $district)
),
answers AS (   -- questionnaires that count (an administrator may exclude suspect ones)
    SELECT unit_code, count(*) AS survey_responses
    FROM survey_response WHERE period_year = $year AND NOT excluded
    GROUP BY unit_code
)
SELECT coalesce(a.state, 'not_started') AS state, coalesce(a.is_late, FALSE) AS is_late, count(*) AS units,
       coalesce(sum(an.survey_responses), 0) AS survey_responses,
       coalesce(sum(coalesce(q.target, (SELECT survey_quota FROM period WHERE year = $year))), 0) AS survey_target
FROM units u
LEFT JOIN assessment a ON a.period_year = $year AND a.unit_code = u.code
LEFT JOIN answers an ON an.unit_code = u.code
LEFT JOIN survey_quota q ON q.period_year = $year AND q.unit_code = u.code
GROUP BY coalesce(a.state, 'not_started'), coalesce(a.is_late, FALSE)
ORDER BY state, is_late;
