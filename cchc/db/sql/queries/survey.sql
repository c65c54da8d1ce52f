-- name: survey_response_insert
-- A bare response (the demo and tests use it); the public form uses survey_submit_insert.
INSERT INTO survey_response (period_year, unit_code, channel, submitted_at)
VALUES ($year, $unit_code, $channel, $submitted_at)
RETURNING id;

-- name: survey_answer_insert
-- One element-level answer (question 'yt<element>'), as the first schema stored them.
INSERT INTO survey_answer (response_id, question, element, value)
VALUES ($response_id, 'yt' || $element, $element, $value);

-- name: survey_count
SELECT count(*) AS n FROM survey_response WHERE period_year = $year;

-- name: survey_submit_insert
INSERT INTO survey_response (period_year, unit_code, channel, submitted_at, questionnaire, profile, overall,
                             suggestion, client_key, browser_key, answers_key, flags, excluded, exclude_reason,
                             excluded_by, entered_by)
VALUES ($year, $unit_code, $channel, $submitted_at, $questionnaire, $profile, $overall, $suggestion,
        $client_key, $browser_key, $answers_key, $flags, $excluded, $exclude_reason, $excluded_by, $entered_by)
RETURNING id;

-- name: survey_answers_insert
-- Every rating of one response in one statement.
INSERT INTO survey_answer (response_id, question, element, value)
SELECT $response_id, unnest($questions::VARCHAR[]), unnest($elements::INTEGER[]), unnest($ratings::INTEGER[]);

-- name: survey_answers_insert_rows
-- Ratings of many responses in one statement (an imported workbook).
INSERT INTO survey_answer (response_id, question, element, value)
SELECT unnest($response_ids::BIGINT[]), unnest($questions::VARCHAR[]), unnest($elements::INTEGER[]),
       unnest($ratings::INTEGER[]);

-- name: survey_next_ids
SELECT nextval('survey_response_id') AS id FROM range($n);

-- name: survey_web_insert_many
-- Questionnaires from the public page (those that arrived together), each with its abuse flags
-- counted over the web answers before it: the stored ones and the earlier ones of the same call
-- (ids come from the sequence, in arrival order, under the write lock, so two answers cannot
-- miss each other). «honeypot» as the caller says; «rate» when its client address sent at least
-- rate_max since rate_since; «duplicate» when its browser sent the same answers since
-- duplicate_since. A missing key matches nothing. $since: the earliest moment any window reaches.
INSERT INTO survey_response (id, period_year, unit_code, channel, submitted_at, questionnaire, profile, overall,
                             suggestion, client_key, browser_key, answers_key, flags, excluded, exclude_reason,
                             excluded_by)
WITH new AS (                                   -- one list per column, in arrival order
    SELECT unnest($ids::BIGINT[]) AS id, unnest($year::INTEGER[]) AS period_year,
           unnest($unit_code::VARCHAR[]) AS unit_code, unnest($at::TIMESTAMP[]) AS submitted_at,
           unnest($questionnaire::VARCHAR[]) AS questionnaire, unnest($profile::VARCHAR[]) AS profile,
           unnest($overall::INTEGER[]) AS overall, unnest($suggestion::VARCHAR[]) AS suggestion,
           unnest($client_key::VARCHAR[]) AS client_key, unnest($browser_key::VARCHAR[]) AS browser_key,
           unnest($answers_key::VARCHAR[]) AS answers_key, unnest($honeypot::BOOLEAN[]) AS honeypot,
           unnest($exclude_reason::VARCHAR[]) AS exclude_reason, unnest($excluded_by::VARCHAR[]) AS excluded_by,
           unnest($rate_since::TIMESTAMP[]) AS rate_since, unnest($rate_max::INTEGER[]) AS rate_max,
           unnest($duplicate_since::TIMESTAMP[]) AS duplicate_since
),
earlier AS (                                    -- the web answers that may count against them
    SELECT id, client_key, browser_key, answers_key, submitted_at FROM survey_response
    WHERE channel = 'web' AND submitted_at >= $since
      AND (list_contains($client_key::VARCHAR[], client_key) OR list_contains($browser_key::VARCHAR[], browser_key))
    UNION ALL
    SELECT id, client_key, browser_key, answers_key, submitted_at FROM new
),
seen AS (                                       -- per new answer, what came before it
    SELECT n.id,
           count(e.id) FILTER (WHERE e.client_key = n.client_key
                                 AND e.submitted_at BETWEEN n.rate_since AND n.submitted_at) AS from_client,
           count(e.id) FILTER (WHERE e.browser_key = n.browser_key AND e.answers_key = n.answers_key
                                 AND e.submitted_at BETWEEN n.duplicate_since AND n.submitted_at) AS same_answers
    FROM new n
    LEFT JOIN earlier e ON e.id < n.id AND (e.client_key = n.client_key OR e.browser_key = n.browser_key)
    GROUP BY n.id
),
final AS (
    SELECT n.id, n.period_year, n.unit_code, 'web', n.submitted_at, n.questionnaire, n.profile, n.overall,
           n.suggestion, n.client_key, n.browser_key, n.answers_key,
           concat_ws(',', CASE WHEN n.honeypot THEN 'honeypot' END,
                     CASE WHEN s.from_client >= n.rate_max THEN 'rate' END,
                     CASE WHEN s.same_answers > 0 THEN 'duplicate' END),
           n.honeypot, n.exclude_reason, n.excluded_by
    FROM new n JOIN seen s ON s.id = n.id
)
SELECT * FROM final ORDER BY id
RETURNING id, flags;

-- name: survey_windows
-- The survey window of each period asked for, and which of the asked codes are its units.
SELECT p.year, p.survey_opens, p.survey_closes,
       coalesce(list(u.code) FILTER (WHERE u.code IS NOT NULL), []) AS units
FROM period p
LEFT JOIN unit u ON list_contains($codes::VARCHAR[], u.code) AND u.valid_from <= p.year
                AND (u.valid_to IS NULL OR u.valid_to >= p.year)
WHERE list_contains($years::INTEGER[], p.year)
GROUP BY ALL;

-- name: survey_response_get
SELECT * FROM survey_response WHERE id = $id;

-- name: survey_set_excluded
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
-- Mark a code used, once: no row comes back when it was used (or voided) already.
UPDATE official_code SET used_at = $at WHERE code = $code AND used_at IS NULL AND NOT voided
RETURNING code;

-- name: official_answers_insert
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

-- name: survey_import_with_hash
-- An earlier import of the same paper-form workbook (its SHA-256 is kept in the audit row).
SELECT logged_at, actor FROM audit_log
WHERE action = 'survey.import' AND new_value LIKE $digest
ORDER BY id DESC LIMIT 1;
