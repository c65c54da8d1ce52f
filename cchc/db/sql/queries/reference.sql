-- name: unit_upsert
INSERT INTO unit (code, name, kind, district_code, district_name, province_code, province_name,
                  valid_from, valid_to)
VALUES ($code, $name, $kind, $district_code, $district_name, $province_code, $province_name,
        $valid_from, $valid_to)
ON CONFLICT (code) DO NOTHING;

-- name: unit_get
SELECT * FROM unit WHERE code = $code;

-- name: units_in_year
-- The units of a period's year, with the name and kind they had that year, in code order.
SELECT * FROM unit_in_period WHERE period_year = $year ORDER BY code;

-- name: unit_name_insert
INSERT INTO unit_name (code, from_year, name, kind) VALUES ($code, $from_year, $name, $kind)
ON CONFLICT (code, from_year) DO UPDATE SET name = excluded.name, kind = excluded.kind;

-- name: unit_names
SELECT * FROM unit_name WHERE code = $code ORDER BY from_year;

-- name: unit_insert
INSERT INTO unit (code, name, kind, district_code, district_name, province_code, province_name,
                  valid_from, valid_to)
VALUES ($code, $name, $kind, $district_code, $district_name, $province_code, $province_name,
        $valid_from, $valid_to);

-- name: unit_set_current_name
UPDATE unit SET name = $name, kind = $kind WHERE code = $code;

-- name: unit_set_validity
UPDATE unit SET valid_from = $valid_from, valid_to = $valid_to, successor_code = $successor_code
WHERE code = $code;

-- name: unit_data_years
-- The years in which a unit has any data (an assessment, a score, survey answers).
SELECT DISTINCT period_year AS year FROM (
    SELECT period_year FROM assessment WHERE unit_code = $code
    UNION ALL SELECT period_year FROM score WHERE unit_code = $code
    UNION ALL SELECT period_year FROM survey_response WHERE unit_code = $code
) data ORDER BY year;

-- name: unit_predecessors
SELECT code, name, valid_to FROM unit WHERE successor_code = $code ORDER BY code;

-- name: office_upsert
INSERT INTO office (code, name) VALUES ($code, $name) ON CONFLICT (code) DO NOTHING;

-- name: office_list
SELECT code, name FROM office ORDER BY code;

-- name: period_insert
INSERT INTO period (year, name, plan_reference, council_deadline, self_assessment_deadline,
                    explanation_deadline, appraisal_deadline, publication_deadline, survey_opens,
                    survey_closes, survey_quota, criteria_set_id, band_good, band_fair, band_average)
VALUES ($year, $name, $plan_reference, $council_deadline, $self_assessment_deadline,
        $explanation_deadline, $appraisal_deadline, $publication_deadline, $survey_opens,
        $survey_closes, $survey_quota, $criteria_set_id, $band_good, $band_fair, $band_average)
ON CONFLICT (year) DO NOTHING;

-- name: period_get
SELECT * FROM period WHERE year = $year;

-- name: period_list
SELECT * FROM period ORDER BY year DESC;

-- name: period_set_criteria
UPDATE period SET criteria_set_id = $set_id WHERE year = $year;

-- name: period_kind_sets
SELECT unit_kind, set_id FROM period_criteria WHERE period_year = $year ORDER BY unit_kind;

-- name: period_kind_set_put
INSERT INTO period_criteria (period_year, unit_kind, set_id) VALUES ($year, $kind, $set_id)
ON CONFLICT (period_year, unit_kind) DO UPDATE SET set_id = excluded.set_id;

-- name: period_kind_set_delete
DELETE FROM period_criteria WHERE period_year = $year AND unit_kind = $kind;

-- name: unit_in_year
-- One unit as unit_in_period gives it, looked up by code directly (the view would work out
-- every unit's name for the year first: slow with a whole country's units).
SELECT p.year AS period_year, u.code, n.name, n.kind, u.district_code, u.district_name,
       u.province_code, u.province_name, u.valid_from, u.valid_to, u.successor_code,
       CASE n.kind WHEN 'Xã' THEN 'xa' WHEN 'Thị trấn' THEN 'thi_tran' WHEN 'Phường' THEN 'phuong' END AS kind_key
FROM unit u
JOIN period p ON p.year = $year
JOIN unit_name n ON n.code = u.code
WHERE u.code = $code AND u.valid_from <= $year AND (u.valid_to IS NULL OR u.valid_to >= $year)
ORDER BY n.from_year <= $year DESC, CASE WHEN n.from_year <= $year THEN -n.from_year ELSE n.from_year END
LIMIT 1;

-- name: unit_set_id
-- The set a unit is assessed against in a period (as the view unit_criteria_set), for one unit.
WITH u AS (
    SELECT CASE n.kind WHEN 'Xã' THEN 'xa' WHEN 'Thị trấn' THEN 'thi_tran' WHEN 'Phường' THEN 'phuong' END AS kind_key
    FROM unit x JOIN unit_name n ON n.code = x.code
    WHERE x.code = $unit_code AND x.valid_from <= $year AND (x.valid_to IS NULL OR x.valid_to >= $year)
    ORDER BY n.from_year <= $year DESC, CASE WHEN n.from_year <= $year THEN -n.from_year ELSE n.from_year END
    LIMIT 1
)
SELECT coalesce(pc.set_id, p.criteria_set_id) AS set_id
FROM u JOIN period p ON p.year = $year
LEFT JOIN period_criteria pc ON pc.period_year = $year AND pc.unit_kind = u.kind_key;

-- name: period_set_ids
-- Every set a period uses (its general set and each unit kind's own), with the units on it.
SELECT set_id, count(*) AS units FROM unit_criteria_set WHERE period_year = $year GROUP BY set_id;

-- name: period_update
UPDATE period SET name = $name, plan_reference = $plan_reference, council_deadline = $council_deadline,
       self_assessment_deadline = $self_assessment_deadline, explanation_deadline = $explanation_deadline,
       appraisal_deadline = $appraisal_deadline, publication_deadline = $publication_deadline,
       survey_opens = $survey_opens, survey_closes = $survey_closes, survey_quota = $survey_quota,
       band_good = $band_good, band_fair = $band_fair, band_average = $band_average
WHERE year = $year;

-- name: units_all
SELECT * FROM unit ORDER BY code;
