-- name: unit_upsert
INSERT INTO unit (code, name, kind, district_code, district_name, province_code, province_name,
                  valid_from, valid_to)
VALUES ($code, $name, $kind, $district_code, $district_name, $province_code, $province_name,
        $valid_from, $valid_to)
ON CONFLICT (code) DO NOTHING;

-- name: unit_get
SELECT * FROM unit WHERE code = $code;

-- name: units_in_year
-- The units that exist in a given year, in official code order.
SELECT * FROM unit
WHERE valid_from <= $year AND (valid_to IS NULL OR valid_to >= $year)
ORDER BY code;

-- name: office_upsert
INSERT INTO office (code, name) VALUES ($code, $name) ON CONFLICT (code) DO NOTHING;

-- name: office_list
SELECT code, name FROM office ORDER BY code;

-- name: period_insert
INSERT INTO period (year, name, plan_reference, council_deadline, self_assessment_deadline,
                    explanation_deadline, appraisal_deadline, publication_deadline, survey_opens,
                    survey_closes, survey_quota, criteria_set_id)
VALUES ($year, $name, $plan_reference, $council_deadline, $self_assessment_deadline,
        $explanation_deadline, $appraisal_deadline, $publication_deadline, $survey_opens,
        $survey_closes, $survey_quota, $criteria_set_id)
ON CONFLICT (year) DO NOTHING;

-- name: period_get
SELECT * FROM period WHERE year = $year;

-- name: period_list
SELECT * FROM period ORDER BY year DESC;

-- name: period_set_criteria
UPDATE period SET criteria_set_id = $set_id WHERE year = $year;

-- name: period_update
UPDATE period SET name = $name, plan_reference = $plan_reference, council_deadline = $council_deadline,
       self_assessment_deadline = $self_assessment_deadline, explanation_deadline = $explanation_deadline,
       appraisal_deadline = $appraisal_deadline, publication_deadline = $publication_deadline,
       survey_opens = $survey_opens, survey_closes = $survey_closes, survey_quota = $survey_quota
WHERE year = $year;

-- name: units_all
SELECT * FROM unit ORDER BY code;
