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
SELECT nextval('survey_response_id') AS id FROM generate_series(1, $n);

-- name: survey_web_insert_many
-- Questionnaires from the public page (those that arrived together), each with its abuse flags
-- counted over the web answers before it: the stored ones and the earlier ones of the same call
-- (ids come from the sequence, in arrival order, under the write lock, so two answers cannot
-- miss each other). «honeypot» as the caller says; «rate» when its client address sent at least
-- rate_max since rate_since; «duplicate» when its browser sent the same answers since
-- duplicate_since. A missing key matches nothing. Answers of a registered desk tablet (kiosk_id)
-- are never flagged for volume and do not count against anyone else. A flagged answer is stored
-- left out of the results (excluded) until staff review it: the honeypot already excluded, any
-- other flag pending. $since: the earliest moment any window reaches.
INSERT INTO survey_response (id, period_year, unit_code, channel, submitted_at, questionnaire, profile, overall,
                             suggestion, client_key, browser_key, answers_key, flags, excluded, exclude_reason,
                             excluded_by, review, reviewed_by, reviewed_at, review_reason, kiosk_id, dossier_code)
WITH new AS (                                   -- one list per column, in arrival order
    SELECT unnest($ids::BIGINT[]) AS id, unnest($year::INTEGER[]) AS period_year,
           unnest($unit_code::VARCHAR[]) AS unit_code, unnest($at::TIMESTAMP[]) AS submitted_at,
           unnest($questionnaire::VARCHAR[]) AS questionnaire, unnest($profile::VARCHAR[]) AS profile,
           unnest($overall::INTEGER[]) AS overall, unnest($suggestion::VARCHAR[]) AS suggestion,
           unnest($client_key::VARCHAR[]) AS client_key, unnest($browser_key::VARCHAR[]) AS browser_key,
           unnest($answers_key::VARCHAR[]) AS answers_key, unnest($honeypot::BOOLEAN[]) AS honeypot,
           unnest($exclude_reason::VARCHAR[]) AS exclude_reason, unnest($excluded_by::VARCHAR[]) AS excluded_by,
           unnest($rate_since::TIMESTAMP[]) AS rate_since, unnest($rate_max::INTEGER[]) AS rate_max,
           unnest($duplicate_since::TIMESTAMP[]) AS duplicate_since, unnest($kiosk_id::VARCHAR[]) AS kiosk_id,
           unnest($dossier_code::VARCHAR[]) AS dossier_code
),
earlier AS (                                    -- the web answers that may count against them
    SELECT id, client_key, browser_key, answers_key, submitted_at FROM survey_response
    WHERE channel = 'web' AND submitted_at >= $since AND kiosk_id IS NULL
      AND (list_contains($client_key::VARCHAR[], client_key) OR list_contains($browser_key::VARCHAR[], browser_key))
    UNION ALL
    SELECT id, client_key, browser_key, answers_key, submitted_at FROM new WHERE kiosk_id IS NULL
),
seen AS (                                       -- per new answer, what came before it
    SELECT n.id,
           count(e.id) FILTER (WHERE e.client_key = n.client_key
                                 AND e.submitted_at BETWEEN n.rate_since AND n.submitted_at) AS from_client,
           count(e.id) FILTER (WHERE e.browser_key = n.browser_key AND e.answers_key = n.answers_key
                                 AND e.submitted_at BETWEEN n.duplicate_since AND n.submitted_at) AS same_answers
    FROM new n
    LEFT JOIN earlier e ON e.id < n.id AND n.kiosk_id IS NULL
                       AND (e.client_key = n.client_key OR e.browser_key = n.browser_key)
    GROUP BY n.id
),
flagged AS (
    SELECT n.*, concat_ws(',', CASE WHEN n.honeypot THEN 'honeypot' END,
                          CASE WHEN s.from_client >= n.rate_max THEN 'rate' END,
                          CASE WHEN s.same_answers > 0 THEN 'duplicate' END) AS flags
    FROM new n JOIN seen s ON s.id = n.id
),
final AS (
    SELECT id, period_year, unit_code, 'web', submitted_at, questionnaire, profile, overall, suggestion,
           client_key, browser_key, answers_key, flags, flags <> '', exclude_reason, excluded_by,
           CASE WHEN honeypot THEN 'excluded' WHEN flags <> '' THEN 'pending' END,
           CASE WHEN honeypot THEN excluded_by END, CASE WHEN honeypot THEN submitted_at END,
           exclude_reason, kiosk_id, dossier_code
    FROM flagged
)
SELECT * FROM final ORDER BY id
RETURNING id, flags;

-- name: survey_recent_of_clients
-- Web answers (not a desk tablet's) per client address and per browser since $since: how many,
-- and the oldest (when the next one will be taken again). For the per-client limit.
SELECT 'client' AS kind, client_key AS key, count(*) AS n, min(submitted_at) AS oldest
FROM survey_response
WHERE channel = 'web' AND kiosk_id IS NULL AND submitted_at >= $since AND list_contains($client_keys::VARCHAR[], client_key)
GROUP BY client_key
UNION ALL
SELECT 'browser', browser_key, count(*), min(submitted_at)
FROM survey_response
WHERE channel = 'web' AND kiosk_id IS NULL AND submitted_at >= $since AND list_contains($browser_keys::VARCHAR[], browser_key)
GROUP BY browser_key;

-- name: survey_code_use_insert_many
INSERT INTO survey_code_use (period_year, code, response_id)
SELECT $year, unnest($codes::VARCHAR[]), unnest($response_ids::BIGINT[]);

-- name: survey_codes_known
-- Which of the given codes the period knows (with their unit) and whether each was used.
SELECT c.code, c.unit_code, u.response_id IS NOT NULL AS used
FROM survey_code c LEFT JOIN survey_code_use u ON u.period_year = c.period_year AND u.code = c.code
WHERE c.period_year = $year AND list_contains($codes::VARCHAR[], c.code);

-- name: survey_code_insert_many
INSERT INTO survey_code (period_year, code, unit_code, source, created_at, created_by)
SELECT $year, unnest($codes::VARCHAR[]), unnest($unit_codes::VARCHAR[]), $source, $at, $by;

-- name: survey_codes_existing
SELECT code FROM survey_code WHERE period_year = $year AND list_contains($codes::VARCHAR[], code);

-- name: survey_codes_of_period
SELECT c.code, c.unit_code, un.name AS unit_name, c.source, c.created_at, u.response_id IS NOT NULL AS used
FROM survey_code c
LEFT JOIN survey_code_use u ON u.period_year = c.period_year AND u.code = c.code
LEFT JOIN unit_in_period un ON un.period_year = c.period_year AND un.code = c.unit_code
WHERE c.period_year = $year AND ($codes IS NULL OR list_contains($codes::VARCHAR[], c.code))
ORDER BY un.name, c.source, c.code;

-- name: survey_code_progress
SELECT c.unit_code, count(*) AS codes, count(u.response_id) AS used
FROM survey_code c LEFT JOIN survey_code_use u ON u.period_year = c.period_year AND u.code = c.code
WHERE c.period_year = $year GROUP BY c.unit_code ORDER BY c.unit_code;

-- name: period_set_survey_needs_code
UPDATE period SET survey_needs_code = $on WHERE year = $year;

-- name: survey_kiosk_insert
INSERT INTO survey_kiosk (id, unit_code, label, link_hash, created_at, created_by)
VALUES ($id, $unit_code, $label, $link_hash, $at, $by);

-- name: survey_kiosk_activate
-- The one-time link, once: no row comes back when it was used (or the kiosk revoked) already.
UPDATE survey_kiosk SET token_hash = $token_hash, activated_at = $at
WHERE link_hash = $link_hash AND activated_at IS NULL AND revoked_at IS NULL
RETURNING id, unit_code, label;

-- name: survey_kiosk_by_token
SELECT id, unit_code, label FROM survey_kiosk WHERE token_hash = $token_hash AND revoked_at IS NULL;

-- name: survey_kiosk_revoke
UPDATE survey_kiosk SET revoked_at = $at WHERE id = $id AND revoked_at IS NULL RETURNING id, unit_code;

-- name: survey_kiosks
SELECT k.id, k.unit_code, k.label, k.created_at, k.created_by, k.activated_at, k.revoked_at,
       (SELECT count(*) FROM survey_response r WHERE r.kiosk_id = k.id) AS answers
FROM survey_kiosk k
ORDER BY k.created_at DESC, k.id;

-- name: survey_windows
-- The survey window of each period asked for, and which of the asked codes are its units.
SELECT p.year, p.survey_opens, p.survey_closes, p.survey_needs_code,
       coalesce(list(u.code) FILTER (WHERE u.code IS NOT NULL), []) AS units
FROM period p
LEFT JOIN unit u ON list_contains($codes::VARCHAR[], u.code) AND u.valid_from <= p.year
                AND (u.valid_to IS NULL OR u.valid_to >= p.year)
WHERE list_contains($years::INTEGER[], p.year)
GROUP BY p.year, p.survey_opens, p.survey_closes, p.survey_needs_code;

-- name: survey_response_get
SELECT * FROM survey_response WHERE id = $id;

-- name: survey_flagged
-- Responses of a period that were flagged or excluded, newest first.
SELECT r.id, r.unit_code, u.name AS unit_name, r.channel, r.submitted_at, r.flags, r.excluded,
       r.exclude_reason, r.excluded_by, r.suggestion, r.review
FROM survey_response r
LEFT JOIN unit_in_period u ON u.period_year = r.period_year AND u.code = r.unit_code
WHERE r.period_year = $year AND (r.flags <> '' OR r.excluded)
ORDER BY r.submitted_at DESC, r.id DESC
LIMIT $limit;

-- name: survey_set_review
-- One answer's review (the single-answer exclude / count-again of the review page).
UPDATE survey_response SET excluded = $excluded, exclude_reason = $reason, excluded_by = $by,
       review = CASE WHEN $excluded THEN 'excluded' ELSE 'accepted' END, reviewed_by = $actor,
       reviewed_at = $at, review_reason = $review_reason
WHERE id = $id;

-- The review filter, the same in the three queries below: the period, a review state (NULL: any
-- flagged or reviewed answer), a flag, a client (its salted hash), a unit and a time window, each
-- NULL for "any".
-- name: survey_review_groups
-- The matching answers grouped by client, flags, unit and state: the summary staff decide on.
WITH matching AS (
    SELECT * FROM survey_response r
    WHERE r.period_year = $year AND r.channel = 'web' AND r.review IS NOT NULL
      AND ($state IS NULL OR r.review = $state)
      AND ($flag IS NULL OR list_contains(string_split(r.flags, ','), $flag))
      AND ($client IS NULL OR r.client_key = $client)
      AND ($unit_code IS NULL OR r.unit_code = $unit_code)
      AND ($since IS NULL OR r.submitted_at >= $since) AND ($until IS NULL OR r.submitted_at < $until)
),
final AS (
    SELECT client_key, flags, unit_code, review, count(*) AS answers, min(submitted_at) AS first_at,
           max(submitted_at) AS last_at
    FROM matching GROUP BY client_key, flags, unit_code, review
)
SELECT * FROM final ORDER BY answers DESC, client_key, flags, unit_code, review;

-- name: survey_review_page
SELECT r.id, r.unit_code, r.submitted_at, r.client_key, r.flags, r.review, r.reviewed_by, r.reviewed_at,
       r.review_reason, r.suggestion
FROM survey_response r
WHERE r.period_year = $year AND r.channel = 'web' AND r.review IS NOT NULL
  AND ($state IS NULL OR r.review = $state)
  AND ($flag IS NULL OR list_contains(string_split(r.flags, ','), $flag))
  AND ($client IS NULL OR r.client_key = $client)
  AND ($unit_code IS NULL OR r.unit_code = $unit_code)
  AND ($since IS NULL OR r.submitted_at >= $since) AND ($until IS NULL OR r.submitted_at < $until)
ORDER BY r.submitted_at DESC, r.id DESC
LIMIT $limit OFFSET $offset;

-- name: survey_review_apply
-- Accept (count) or exclude every matching answer at once; returns the ids changed.
UPDATE survey_response r
SET excluded = $excluded, review = CASE WHEN $excluded THEN 'excluded' ELSE 'accepted' END,
    reviewed_by = $actor, reviewed_at = $at, review_reason = $reason,
    exclude_reason = CASE WHEN $excluded THEN $reason ELSE '' END,
    excluded_by = CASE WHEN $excluded THEN $actor END
WHERE r.period_year = $year AND r.channel = 'web' AND r.review IS NOT NULL
  AND r.review <> CASE WHEN $excluded THEN 'excluded' ELSE 'accepted' END
  AND ($state IS NULL OR r.review = $state)
  AND ($flag IS NULL OR list_contains(string_split(r.flags, ','), $flag))
  AND ($client IS NULL OR r.client_key = $client)
  AND ($unit_code IS NULL OR r.unit_code = $unit_code)
  AND ($since IS NULL OR r.submitted_at >= $since) AND ($until IS NULL OR r.submitted_at < $until)
RETURNING r.id;

-- name: survey_flagged_reviewed
-- The demo's flagged answers, as staff left them: the honeypot's excluded, the others accepted
-- (so they count, and the rule "a flagged answer counts only once accepted" holds for them too).
UPDATE survey_response
SET review = CASE WHEN excluded THEN 'excluded' ELSE 'accepted' END, reviewed_by = $actor, reviewed_at = $at,
    review_reason = CASE WHEN excluded THEN exclude_reason ELSE $reason END
WHERE period_year = $year AND flags <> '' AND review IS NULL;

-- name: survey_pending_count
-- Answers waiting for review, per unit of the period (the dashboard and the scorecard say so).
SELECT unit_code, count(*) AS pending FROM survey_response
WHERE period_year = $year AND review = 'pending' GROUP BY unit_code ORDER BY unit_code;

-- name: survey_progress
-- Per unit of the period: answers that count, flagged and excluded ones, by channel, and the target.
WITH counts AS (
    SELECT unit_code,
           count(*) FILTER (WHERE NOT excluded) AS valid,
           count(*) FILTER (WHERE NOT excluded AND channel = 'web') AS web,
           count(*) FILTER (WHERE NOT excluded AND channel = 'paper') AS paper,
           count(*) FILTER (WHERE flags <> '' AND NOT excluded) AS flagged,
           count(*) FILTER (WHERE review = 'pending') AS pending,
           count(*) FILTER (WHERE excluded AND review IS DISTINCT FROM 'pending') AS excluded,
           count(*) FILTER (WHERE NOT excluded AND kiosk_id IS NOT NULL) AS kiosk
    FROM survey_response WHERE period_year = $year GROUP BY unit_code
),
final AS (
    SELECT u.code AS unit_code, u.name AS unit_name, u.kind,
           coalesce(c.valid, 0) AS valid, coalesce(c.web, 0) AS web, coalesce(c.paper, 0) AS paper,
           coalesce(c.flagged, 0) AS flagged, coalesce(c.pending, 0) AS pending,
           coalesce(c.excluded, 0) AS excluded, coalesce(c.kiosk, 0) AS kiosk,
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
           CAST(count(*) FILTER (WHERE value >= 4) AS DOUBLE PRECISION) / count(*) AS share
    FROM valid GROUP BY unit_code, element, question
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
           CAST(count(*) FILTER (WHERE value >= 4) AS DOUBLE PRECISION) / count(*) AS share
    FROM valid GROUP BY element, question
)
SELECT * FROM final ORDER BY element, question;

-- name: survey_element_shares_of_period
SELECT s.unit_code, s.element, s.answers, s.satisfied, s.share
FROM survey_element_share s WHERE s.period_year = $year ORDER BY s.unit_code, s.element;

-- name: survey_responses_of_period
SELECT r.id, r.unit_code, u.name AS unit_name, r.channel, r.submitted_at, r.questionnaire, r.profile,
       r.overall, r.suggestion, r.flags, r.excluded,
       CASE WHEN r.review = 'pending' THEN 'Chờ xem xét (chưa tính)' ELSE r.exclude_reason END AS exclude_reason,
       r.entered_by
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
       unnest($weights::DOUBLE PRECISION[]);

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
GROUP BY c.unit_code, u.name, c.group_code ORDER BY unit_name, c.group_code;

-- name: official_points_of_period
SELECT unit_code, criterion_code, points FROM official_survey_points WHERE period_year = $year
ORDER BY unit_code, criterion_code;

-- name: survey_import_with_hash
-- An earlier import of the same paper-form workbook (its SHA-256 is kept in the audit row).
SELECT logged_at, actor FROM audit_log
WHERE action = 'survey.import' AND new_value LIKE $digest
ORDER BY id DESC LIMIT 1;
