-- name: audit_search
-- The audit log, newest first, filtered by unit (a segment of the entity key, as in
-- "2022/18139/1.1.1"), actor, action (prefix) and day; at most $limit rows (NULL: every row).
SELECT id, logged_at, actor, action, entity, entity_key, old_value, new_value, reason
FROM audit_log
WHERE ($unit IS NULL OR entity_key = $unit OR entity_key LIKE $unit || '/%'
       OR entity_key LIKE '%/' || $unit OR entity_key LIKE '%/' || $unit || '/%')
  AND ($actor IS NULL OR actor = $actor)
  AND ($action IS NULL OR action = $action OR action LIKE $action || '.%')
  AND ($date_from IS NULL OR logged_at >= CAST($date_from AS TIMESTAMP))
  AND ($date_to IS NULL OR logged_at < CAST($date_to AS TIMESTAMP) + INTERVAL '1 day')
ORDER BY id DESC
LIMIT $limit;

-- name: audit_actors
SELECT DISTINCT actor FROM audit_log ORDER BY actor;

-- name: audit_actions
SELECT DISTINCT action FROM audit_log ORDER BY action;

-- name: audit_search_count
-- How many rows audit_search would give without its limit.
SELECT count(*) AS n
FROM audit_log
WHERE ($unit IS NULL OR entity_key = $unit OR entity_key LIKE $unit || '/%'
       OR entity_key LIKE '%/' || $unit OR entity_key LIKE '%/' || $unit || '/%')
  AND ($actor IS NULL OR actor = $actor)
  AND ($action IS NULL OR action = $action OR action LIKE $action || '.%')
  AND ($date_from IS NULL OR logged_at >= CAST($date_from AS TIMESTAMP))
  AND ($date_to IS NULL OR logged_at < CAST($date_to AS TIMESTAMP) + INTERVAL '1 day');
