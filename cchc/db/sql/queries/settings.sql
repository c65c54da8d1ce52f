-- name: setting_get
SELECT value FROM app_setting WHERE key = $key;

-- name: setting_put
INSERT INTO app_setting (key, value) VALUES ($key, $value)
ON CONFLICT (key) DO UPDATE SET value = excluded.value;

-- name: schema_versions
SELECT version, applied_at FROM schema_migrations ORDER BY version;

-- name: audit_insert
INSERT INTO audit_log (logged_at, actor, action, entity, entity_key, old_value, new_value, reason)
VALUES ($logged_at, $actor, $action, $entity, $entity_key, $old_value, $new_value, $reason);

-- name: audit_recent
SELECT id, logged_at, actor, action, entity, entity_key, old_value, new_value, reason
FROM audit_log ORDER BY id DESC LIMIT $limit;

-- name: audit_count
SELECT count(*) AS n FROM audit_log;

-- name: audit_insert_many
-- Many audit rows of one action by one actor, in one statement.
INSERT INTO audit_log (logged_at, actor, action, entity, entity_key, old_value, new_value, reason)
SELECT $logged_at, $actor, $action, $entity, unnest($keys::VARCHAR[]), unnest($olds::VARCHAR[]),
       unnest($news::VARCHAR[]), $reason;
