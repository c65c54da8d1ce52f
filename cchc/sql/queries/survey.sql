-- name: survey_response_insert
INSERT INTO survey_response (period_year, unit_code, channel, submitted_at)
VALUES ($year, $unit_code, $channel, $submitted_at)
RETURNING id;

-- name: survey_answer_insert
INSERT INTO survey_answer (response_id, element, value) VALUES ($response_id, $element, $value);

-- name: survey_count
SELECT count(*) AS n FROM survey_response WHERE period_year = $year;
