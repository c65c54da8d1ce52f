-- Failed logins, counted per account name (as typed, known or not) and per client address, for
-- growing delays between tries instead of a lock that anyone knowing a username could trigger.
-- The counts live here, not in the login widget's memory, so parallel tries see each other.
CREATE TABLE login_throttle (
    key          VARCHAR PRIMARY KEY,   -- 'account:<username>' or 'client:<address>'
    failures     INTEGER NOT NULL,
    last_failure TIMESTAMP NOT NULL
);

-- The old per-account lock is gone with its columns.
ALTER TABLE app_user DROP COLUMN failed_logins;
ALTER TABLE app_user DROP COLUMN locked_until;
