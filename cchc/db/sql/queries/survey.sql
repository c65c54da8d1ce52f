-- name: survey_response_insert
-- results: unit $year $unit_code
-- A bare response (the demo and tests use it); the public form uses survey_submit_insert.
INSERT INTO survey_response (period_year, unit_code, channel, submitted_at)
VALUES ($year, $unit_code, $channel, $submitted_at)
RETURNING id;

-- name: survey_answer_insert
-- results: response $response_id
-- One element-level answer (question 'yt<element>'), as the first schema stored them.
INSERT INTO survey_answer (response_id, question, element, value)
VALUES ($response_id, 'yt' || $element, $element, $value);

-- name: survey_count
SELECT count(*) AS n FROM survey_response WHERE period_year = $year;

-- name: survey_submit_insert
-- results: unit $year $unit_code
INSERT INTO survey_response (period_year, unit_code, channel, submitted_at, questionnaire, profile, overall,
                             suggestion, client_key, browser_key, answers_key, flags, excluded, exclude_reason,
                             excluded_by, entered_by)
VALUES ($year, $unit_code, $channel, $submitted_at, $questionnaire, $profile, $overall, $suggestion,
        $client_key, $browser_key, $answers_key, $flags, $excluded, $exclude_reason, $excluded_by, $entered_by)
RETURNING id;

-- name: survey_answers_insert
-- results: response $response_id
-- Every rating of one response in one statement.
INSERT INTO survey_answer (response_id, question, element, value)
SELECT $response_id, unnest($questions::VARCHAR[]), unnest($elements::INTEGER[]), unnest($ratings::INTEGER[]);

-- name: survey_answers_insert_rows
-- results: response $response_ids
-- Ratings of many responses in one statement (an imported workbook).
INSERT INTO survey_answer (response_id, question, element, value)
SELECT unnest($response_ids::BIGINT[]), unnest($questions::VARCHAR[]), unnest($elements::INTEGER[]),
       unnest($ratings::INTEGER[]);

-- name: survey_recent_keys
-- The keys of the answers since a moment, to rebuild the in-memory abuse counts after a start.
SELECT submitted_at, client_key, browser_key, answers_key FROM survey_response
WHERE submitted_at >= $since AND channel = 'web' ORDER BY submitted_at;

-- name: survey_window_and_unit
-- The survey window of a period and whether a code is one of its units, in one read.
SELECT p.survey_opens, p.survey_closes,
       (SELECT count(*) FROM unit u WHERE u.code = $code AND u.valid_from <= $year
                                      AND (u.valid_to IS NULL OR u.valid_to >= $year)) > 0 AS unit_ok
FROM period p WHERE p.year = $year;

-- name: survey_response_get
SELECT * FROM survey_response WHERE id = $id;

-- name: survey_set_excluded
-- results: response $id
UPDATE survey_response SET excluded = $excluded, exclude_reason = $reason, excluded_by = $by WHERE id = $id;

-- name: survey_flagged
-- Responses of a period that were flagged or excluded, newest first.
SELECT r.id, r.unit_code, u.name AS unit_name, r.channel, r.submitted_at, r.flags, r.excluded,
       r.exclude_reason, r.excluded_by, r.suggestion
FROM survey_response r
LEFT JOIN unit_in_period u ON u.period_year = r.period_year AND u.code = r.unit_code
WHERE r.period_year = $year AND (r.flags <> '' OR r.excluded)
ORDER BY r.submitted_at DESC, r.id DESC
LIMIT $limit;

-- name: survey_progress
-- Per unit of the period: answers that count, flagged and excluded ones, by channel, and the target.
WITH counts AS (
    SELECT unit_code,
           count(*) FILTER (WHERE NOT excluded) AS valid,
           count(*) FILTER (WHERE NOT excluded AND channel = 'web') AS web,
           count(*) FILTER (WHERE NOT excluded AND channel = 'paper') AS paper,
           count(*) FILTER (WHERE flags <> '' AND NOT excluded) AS flagged,
           count(*) FILTER (WHERE excluded) AS excluded
    FROM survey_response WHERE period_year = $year GROUP BY unit_code
),
final AS (
    SELECT u.code AS unit_code, u.name AS unit_name, u.kind,
           coalesce(c.valid, 0) AS valid, coalesce(c.web, 0) AS web, coalesce(c.paper, 0) AS paper,
           coalesce(c.flagged, 0) AS flagged, coalesce(c.excluded, 0) AS excluded,
           coalesce(q.target, p.survey_quota) AS target, q.dossiers, q.target IS NOT NULL AS own_target
    FROM unit_in_period u
    JOIN period p ON p.year = u.period_year
    LEFT JOIN counts c ON c.unit_code = u.code
    LEFT JOIN survey_quota q ON q.period_year = u.period_year AND q.unit_code = u.code
    WHERE u.period_year = $year
)
SELECT * FROM final ORDER BY unit_name;

-- name: survey_quota_put
INSERT INTO survey_quota (period_year, unit_code, target, dossiers) VALUES ($year, $unit_code, $target, $dossiers)
ON CONFLICT (period_year, unit_code) DO UPDATE SET target = excluded.target, dossiers = excluded.dossiers;

-- name: survey_quota_get
SELECT * FROM survey_quota WHERE period_year = $year AND unit_code = $unit_code;

-- name: survey_question_shares
-- Satisfaction per unit and question over the answers that count.
WITH valid AS (
    SELECT r.unit_code, a.element, a.question, a.value
    FROM survey_response r JOIN survey_answer a ON a.response_id = r.id
    WHERE r.period_year = $year AND NOT r.excluded AND a.value BETWEEN 1 AND 5
),
final AS (
    SELECT unit_code, element, question, count(*) AS answers,
           count(*) FILTER (WHERE value >= 4) AS satisfied,
           count(*) FILTER (WHERE value >= 4) / count(*) AS share
    FROM valid GROUP BY ALL
)
SELECT * FROM final ORDER BY unit_code, element, question;

-- name: survey_district_question_shares
-- Satisfaction per question over every answer of the period that counts (all units pooled).
WITH valid AS (
    SELECT a.element, a.question, a.value
    FROM survey_response r JOIN survey_answer a ON a.response_id = r.id
    JOIN unit_in_period u ON u.period_year = r.period_year AND u.code = r.unit_code
    WHERE r.period_year = $year AND NOT r.excluded AND a.value BETWEEN 1 AND 5
),
final AS (
    SELECT element, question, count(*) AS answers, count(*) FILTER (WHERE value >= 4) AS satisfied,
           count(*) FILTER (WHERE value >= 4) / count(*) AS share
    FROM valid GROUP BY ALL
)
SELECT * FROM final ORDER BY element, question;

-- name: survey_element_shares_of_period
SELECT s.unit_code, s.element, s.answers, s.satisfied, s.share
FROM survey_element_share s WHERE s.period_year = $year ORDER BY s.unit_code, s.element;

-- name: survey_responses_of_period
SELECT r.id, r.unit_code, u.name AS unit_name, r.channel, r.submitted_at, r.questionnaire, r.profile,
       r.overall, r.suggestion, r.flags, r.excluded, r.exclude_reason, r.entered_by
FROM survey_response r
LEFT JOIN unit_in_period u ON u.period_year = r.period_year AND u.code = r.unit_code
WHERE r.period_year = $year AND ($unit_code IS NULL OR r.unit_code = $unit_code)
ORDER BY r.unit_code, r.submitted_at, r.id;

-- name: survey_answers_of_period
SELECT a.response_id, a.question, a.value
FROM survey_answer a JOIN survey_response r ON r.id = a.response_id
WHERE r.period_year = $year AND ($unit_code IS NULL OR r.unit_code = $unit_code);

-- name: official_code_insert_many
-- results: none (a code counts once it is used)
INSERT INTO official_code (code, period_year, group_code, unit_code, questionnaire, created_at, created_by)
SELECT unnest($codes::VARCHAR[]), $year, $group_code, unnest($unit_codes::VARCHAR[]), $questionnaire, $at, $by;

-- name: official_code_exists
SELECT count(*) AS n FROM official_code WHERE list_contains($codes::VARCHAR[], code);

-- name: official_code_get
SELECT c.*, u.name AS unit_name
FROM official_code c
LEFT JOIN unit_in_period u ON u.period_year = c.period_year AND u.code = c.unit_code
WHERE c.code = $code;

-- name: official_code_use
-- results: code $code
-- Mark a code used, once: no row comes back when it was used (or voided) already.
UPDATE official_code SET used_at = $at WHERE code = $code AND used_at IS NULL AND NOT voided
RETURNING code;

-- name: official_answers_insert
-- results: code $code
INSERT INTO official_answer (code, question, criterion, choice, weight)
SELECT $code, unnest($questions::VARCHAR[]), unnest($criteria::VARCHAR[]), unnest($choices::VARCHAR[]),
       unnest($weights::DOUBLE[]);

-- name: official_codes_of_period
SELECT c.code, c.group_code, c.unit_code, u.name AS unit_name, c.created_at, c.used_at, c.voided
FROM official_code c
LEFT JOIN unit_in_period u ON u.period_year = c.period_year AND u.code = c.unit_code
WHERE c.period_year = $year AND ($codes IS NULL OR list_contains($codes::VARCHAR[], c.code))
ORDER BY u.name, c.group_code, c.created_at, c.code;

-- name: official_progress
SELECT c.unit_code, u.name AS unit_name, c.group_code, count(*) FILTER (WHERE NOT c.voided) AS issued,
       count(c.used_at) FILTER (WHERE NOT c.voided) AS answered
FROM official_code c
LEFT JOIN unit_in_period u ON u.period_year = c.period_year AND u.code = c.unit_code
WHERE c.period_year = $year
GROUP BY ALL ORDER BY unit_name, c.group_code;

-- name: official_points_of_period
SELECT unit_code, criterion_code, points FROM official_survey_points WHERE period_year = $year
ORDER BY unit_code, criterion_code;

-- name: survey_next_ids
SELECT nextval('survey_response_id') AS id FROM range($n);

-- name: survey_web_insert_many
-- results: unit $years $unit_codes
-- Many questionnaires from the public page in one statement (answers that arrived together are
-- written in one transaction: group commit).
INSERT INTO survey_response (id, period_year, unit_code, channel, submitted_at, questionnaire, profile, overall,
                             suggestion, client_key, browser_key, answers_key, flags, excluded, exclude_reason,
                             excluded_by)
SELECT unnest($ids::BIGINT[]), unnest($years::INTEGER[]), unnest($unit_codes::VARCHAR[]), 'web',
       unnest($submitted_at::TIMESTAMP[]), unnest($questionnaires::VARCHAR[]), unnest($profiles::VARCHAR[]),
       unnest($overalls::INTEGER[]), unnest($suggestions::VARCHAR[]), unnest($client_keys::VARCHAR[]),
       unnest($browser_keys::VARCHAR[]), unnest($answers_keys::VARCHAR[]), unnest($flags::VARCHAR[]),
       unnest($excluded::BOOLEAN[]), unnest($exclude_reasons::VARCHAR[]), unnest($excluded_by::VARCHAR[]);

-- name: survey_import_with_hash
-- An earlier import of the same paper-form workbook (its SHA-256 is kept in the audit row).
SELECT logged_at, actor FROM audit_log
WHERE action = 'survey.import' AND new_value LIKE $digest
ORDER BY id DESC LIMIT 1;
