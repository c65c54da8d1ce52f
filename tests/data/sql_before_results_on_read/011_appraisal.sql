-- The appraisal council (Hội đồng thẩm định), the two appraisal rounds with the explanation round
-- between them, and the approved, published results. The council's score the index reads stays
-- in score.appraised_points (006); the rounds, reasons, questions and answers live here.

-- The council of a period: the decision that set it up.
CREATE TABLE council (
    period_year     INTEGER PRIMARY KEY,
    decision_number VARCHAR NOT NULL,       -- số quyết định, e.g. 1234/QĐ-UBND
    decision_date   DATE NOT NULL,
    signer          VARCHAR NOT NULL,       -- người ký
    updated_at      TIMESTAMP NOT NULL,
    updated_by      VARCHAR NOT NULL
);

CREATE SEQUENCE council_member_id START 1;
CREATE TABLE council_member (
    id          BIGINT PRIMARY KEY DEFAULT nextval('council_member_id'),
    period_year INTEGER NOT NULL,
    full_name   VARCHAR NOT NULL,
    title       VARCHAR NOT NULL,           -- chức vụ
    office_code VARCHAR,                    -- cơ quan
    member_role VARCHAR NOT NULL,           -- chair | standing_vice_chair | member | support
    username    VARCHAR,                    -- the member's account, if any (the chair finalises)
    removed     BOOLEAN NOT NULL DEFAULT FALSE
);

-- Which office appraises which field in a period; a field without a row is appraised by the
-- office the criteria set names for it.
CREATE TABLE field_assignment (
    period_year INTEGER NOT NULL,
    field_code  VARCHAR NOT NULL,
    office_code VARCHAR NOT NULL,
    PRIMARY KEY (period_year, field_code)
);

-- One row per unit, period and leaf the council has touched: round 1, the flag and its
-- question, the commune's answer, round 2. `version` grows with every change, so a save made
-- from an out-of-date screen is refused instead of overwriting a colleague's.
CREATE TABLE appraisal_leaf (
    period_year    INTEGER NOT NULL,
    unit_code      VARCHAR NOT NULL,
    criterion_code VARCHAR NOT NULL,
    r1_points      DECIMAL(7, 2),
    r1_reason      VARCHAR NOT NULL DEFAULT '',
    flagged        BOOLEAN NOT NULL DEFAULT FALSE,   -- cần giải trình
    question       VARCHAR NOT NULL DEFAULT '',
    answer         VARCHAR NOT NULL DEFAULT '',
    answered_at    TIMESTAMP,
    answered_by    VARCHAR,
    r2_points      DECIMAL(7, 2),
    r2_reason      VARCHAR NOT NULL DEFAULT '',
    version        INTEGER NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    updated_by     VARCHAR NOT NULL,
    PRIMARY KEY (period_year, unit_code, criterion_code)
);

-- Per unit and period: when round 1 closed, the explanation was handed in, the unit finalised.
CREATE TABLE appraisal_unit (
    period_year      INTEGER NOT NULL,
    unit_code        VARCHAR NOT NULL,
    r1_closed_at     TIMESTAMP,
    explained_at     TIMESTAMP,
    explained_by     VARCHAR,
    finalised_at     TIMESTAMP,
    finalised_by     VARCHAR,
    PRIMARY KEY (period_year, unit_code)
);

-- Compilation sent to the leaders, approvals (each with a frozen snapshot of the results) and
-- publication. A new approval supersedes the previous one; none is ever deleted.
CREATE TABLE result_compilation (
    period_year INTEGER PRIMARY KEY,
    compiled_at TIMESTAMP NOT NULL,
    compiled_by VARCHAR NOT NULL,
    note        VARCHAR NOT NULL DEFAULT ''
);

CREATE SEQUENCE result_approval_id START 1;
CREATE TABLE result_approval (
    id              BIGINT PRIMARY KEY DEFAULT nextval('result_approval_id'),
    period_year     INTEGER NOT NULL,
    version         INTEGER NOT NULL,
    decision_number VARCHAR NOT NULL,
    decision_date   DATE NOT NULL,
    approved_at     TIMESTAMP NOT NULL,
    approved_by     VARCHAR NOT NULL,
    reason          VARCHAR NOT NULL DEFAULT '',
    snapshot        VARCHAR NOT NULL,            -- JSON: ranking, field sub-indices, leaf detail
    published_at    TIMESTAMP,
    published_by    VARCHAR,
    UNIQUE (period_year, version)
);
