-- name: user_get
SELECT * FROM app_user WHERE username = $username;

-- name: user_list
SELECT u.username, u.full_name, u.role, u.unit_code, un.name AS unit_name, u.office_code,
       o.name AS office_name, u.active, u.must_change_password, u.last_login, u.is_demo, u.email
FROM app_user u
LEFT JOIN unit un ON un.code = u.unit_code
LEFT JOIN office o ON o.code = u.office_code
ORDER BY CASE u.role WHEN 'admin' THEN 1 WHEN 'leader' THEN 2 WHEN 'council' THEN 3 ELSE 4 END,
         u.unit_code, u.username;

-- name: user_login_candidates
-- Active accounts, for the login widget's credentials dict.
SELECT username, full_name, role, password_hash
FROM app_user WHERE active;

-- name: user_insert
INSERT INTO app_user (username, full_name, role, unit_code, office_code, password_hash,
                      must_change_password, is_demo, created_at)
VALUES ($username, $full_name, $role, $unit_code, $office_code, $password_hash,
        $must_change_password, $is_demo, $created_at);

-- name: user_set_password
UPDATE app_user SET password_hash = $password_hash, must_change_password = $must_change_password
WHERE username = $username;

-- name: user_set_active
UPDATE app_user SET active = $active WHERE username = $username;

-- name: user_login_ok
UPDATE app_user SET last_login = $at WHERE username = $username;

-- name: user_count_active_admins
SELECT count(*) AS n FROM app_user WHERE role = 'admin' AND active;

-- name: user_count_real
SELECT count(*) AS n FROM app_user WHERE NOT is_demo;

-- name: user_revoke_sessions
UPDATE app_user SET sessions_valid_after = $at WHERE username = $username;

-- name: user_update
UPDATE app_user SET full_name = $full_name, role = $role, unit_code = $unit_code, office_code = $office_code
WHERE username = $username;

-- name: commune_accounts
-- Active commune accounts by unit, for bulk creation.
SELECT unit_code, username FROM app_user WHERE role = 'commune' AND active;

-- name: login_throttle_get
-- The failure counts of an attempt's account name and client, read under the write lock.
SELECT key, failures, last_failure FROM login_throttle WHERE key IN ($account, $client);

-- name: login_throttle_count
-- One more failure on a key; a count whose last failure is older than $forget_before restarts.
INSERT INTO login_throttle VALUES ($key, 1, $at)
ON CONFLICT (key) DO UPDATE SET
    failures = CASE WHEN login_throttle.last_failure < $forget_before THEN 1 ELSE login_throttle.failures + 1 END,
    last_failure = $at;

-- name: login_throttle_uncount
-- A try that turned out right: take back the failure counted for it before the check.
UPDATE login_throttle SET failures = greatest(failures - 1, 0) WHERE key = $key;

-- name: login_throttle_clear
DELETE FROM login_throttle WHERE key = $key;

-- name: login_throttle_forget
-- Rows nobody failed on for a while count as zero anyway: keep the table small.
DELETE FROM login_throttle WHERE last_failure < $forget_before;

-- name: user_set_email
-- An account's e-mail address (040_urging.sql), NULL for none: where urging notices go.
UPDATE app_user SET email = $email WHERE username = $username;
