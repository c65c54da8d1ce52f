-- Urging notices (040_urging.sql): who was urged, when, by whom, and what became of the e-mail.

-- name: urging_list
-- Every notice of the year, newest first, with the sender's name and the unit's: the dashboard
-- takes each unit's latest from it (one query for the whole page).
SELECT n.id, n.period_year, n.unit_code, un.name AS unit_name, n.sent_at, n.sent_by,
       coalesce(u.full_name, n.sent_by) AS sender_name, n.lag, n.deadline, n.message,
       n.email_to, n.email_status, n.email_at, n.email_error
FROM urging_notice n
LEFT JOIN app_user u ON u.username = n.sent_by
LEFT JOIN unit un ON un.code = n.unit_code
WHERE n.period_year = $year
ORDER BY n.sent_at DESC, n.id DESC;

-- name: urging_latest
-- The latest notice to one unit in the year (the commune's home page and form).
SELECT n.id, n.unit_code, n.sent_at, n.sent_by, coalesce(u.full_name, n.sent_by) AS sender_name,
       n.lag, n.deadline, n.message
FROM urging_notice n
LEFT JOIN app_user u ON u.username = n.sent_by
WHERE n.period_year = $year AND n.unit_code = $unit_code
ORDER BY n.sent_at DESC, n.id DESC
LIMIT 1;

-- name: urging_insert
INSERT INTO urging_notice (period_year, unit_code, sent_at, sent_by, lag, deadline, message, email_to,
                           email_status)
VALUES ($year, $unit_code, $sent_at, $sent_by, $lag, $deadline, $message, $email_to, $email_status)
RETURNING id;

-- name: urging_email_result
-- What became of a notice's e-mail, written after the notice was committed.
UPDATE urging_notice SET email_status = $status, email_at = $at, email_error = $error WHERE id = $id;

-- name: urging_states
-- The assessment state of some units, read inside the sending transaction (a unit may just have
-- handed in).
SELECT un.code AS unit_code, un.name AS unit_name, coalesce(a.state, 'not_started') AS state, a.submitted_at,
       a.reopened_until
FROM unit un
LEFT JOIN assessment a ON a.period_year = $year AND a.unit_code = un.code
WHERE un.code IN (SELECT unnest($codes::VARCHAR[]));

-- name: urging_addresses
-- The e-mail addresses of the active commune accounts of some units.
SELECT unit_code, username, email FROM app_user
WHERE role = 'commune' AND active AND email IS NOT NULL AND email <> ''
  AND unit_code IN (SELECT unnest($codes::VARCHAR[]))
ORDER BY unit_code, username;
