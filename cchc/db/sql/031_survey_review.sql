-- Survey answers that count only when they should (issue 13).
-- `excluded` now means "left out of the results", whatever the reason, so every query that
-- filters on NOT excluded (the index views among them) leaves suspect answers out without a
-- change; `review` says why and what staff decided:
--   NULL        never flagged, never reviewed: counts
--   'pending'   flagged (rate, duplicate, …): left out until staff accept it
--   'accepted'  staff counted it (excluded = FALSE)
--   'excluded'  staff or the honeypot left it out (excluded = TRUE)
ALTER TABLE survey_response ADD COLUMN review VARCHAR;
ALTER TABLE survey_response ADD COLUMN reviewed_by VARCHAR;
ALTER TABLE survey_response ADD COLUMN reviewed_at TIMESTAMP;
ALTER TABLE survey_response ADD COLUMN review_reason VARCHAR NOT NULL DEFAULT '';
ALTER TABLE survey_response ADD COLUMN kiosk_id VARCHAR;         -- answered on a registered desk tablet
ALTER TABLE survey_response ADD COLUMN dossier_code VARCHAR;     -- the code it answered with, if asked
UPDATE survey_response SET review = 'excluded', reviewed_by = excluded_by, review_reason = exclude_reason
WHERE excluded;
UPDATE survey_response SET review = 'pending', excluded = TRUE WHERE flags <> '' AND NOT excluded;

-- A tablet at a commune's one-stop desk: many citizens answer on it, so its answers are not
-- flagged for volume. Only hashes are kept: of the one-time link code and of the device token.
CREATE TABLE survey_kiosk (
    id            VARCHAR PRIMARY KEY,     -- short, shown to staff (K-xxxx)
    unit_code     VARCHAR NOT NULL,
    label         VARCHAR NOT NULL,
    link_hash     VARCHAR NOT NULL,        -- one-time activation code, hashed
    token_hash    VARCHAR,                 -- the device's token once activated, hashed
    created_at    TIMESTAMP NOT NULL,
    created_by    VARCHAR NOT NULL,
    activated_at  TIMESTAMP,
    revoked_at    TIMESTAMP
);

-- One answer per dossier, when the period asks for a code (mã hồ sơ on the receipt, or a printed
-- one-time code). A code answers once: survey_code_use's primary key refuses a second use.
ALTER TABLE period ADD COLUMN survey_needs_code BOOLEAN NOT NULL DEFAULT FALSE;
CREATE TABLE survey_code (
    period_year INTEGER NOT NULL,
    code        VARCHAR NOT NULL,
    unit_code   VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,          -- 'dossier' (imported) or 'printed' (generated)
    created_at  TIMESTAMP NOT NULL,
    created_by  VARCHAR NOT NULL,
    PRIMARY KEY (period_year, code)
);
CREATE TABLE survey_code_use (
    period_year INTEGER NOT NULL,
    code        VARCHAR NOT NULL,
    response_id BIGINT NOT NULL,
    PRIMARY KEY (period_year, code)
);
