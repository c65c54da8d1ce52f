-- Urging the communes that lag (issue 15): Phòng Nội vụ sends a notice to a commune that is late
-- with its self-assessment, or near its deadline; the commune sees it until it hands in. Each
-- notice also says what became of its e-mail (sent after the notice is committed: a failure is
-- recorded here and never undoes the notice). Plain SQL that DuckDB and PostgreSQL both accept.
CREATE SEQUENCE urging_notice_id START 1;
CREATE TABLE urging_notice (
    id            BIGINT PRIMARY KEY DEFAULT nextval('urging_notice_id'),
    period_year   INTEGER NOT NULL,
    unit_code     VARCHAR NOT NULL,
    sent_at       TIMESTAMP NOT NULL,
    sent_by       VARCHAR NOT NULL,          -- username of the staff member who urged
    lag           VARCHAR NOT NULL,          -- 'late' | 'at_risk' | 'pending' when it was sent
    deadline      DATE NOT NULL,             -- the submission deadline it is about (a reopening's)
    message       VARCHAR NOT NULL,
    email_to      VARCHAR,                   -- the commune account's address; NULL: none known
    email_status  VARCHAR NOT NULL,          -- 'queued' | 'sent' | 'failed' | 'no_address' | 'no_server'
    email_at      TIMESTAMP,                 -- when it was sent or failed
    email_error   VARCHAR                    -- what the mail server (or the connection) said
);

-- Accounts may have an e-mail address (optional): where urging notices go.
ALTER TABLE app_user ADD COLUMN email VARCHAR;
