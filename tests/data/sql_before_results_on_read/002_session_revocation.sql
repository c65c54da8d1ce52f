-- Re-login cookies issued before this moment are refused: set on logout, password change and
-- disabling, so that a cookie left behind on a shared computer (or copied) stops working.
ALTER TABLE app_user ADD COLUMN sessions_valid_after TIMESTAMP;
