-- Core schema: reference data, criteria sets, periods, users, assessments, scores, audit.
-- No FOREIGN KEY clauses: DuckDB checks them eagerly on UPDATE of referenced rows; the service
-- layer keeps references valid instead.

CREATE TABLE app_setting (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE TABLE unit (
    code          VARCHAR PRIMARY KEY,      -- mã đơn vị hành chính, as published (e.g. 18133)
    name          VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,         -- 'Xã', 'Thị trấn', 'Phường'
    district_code VARCHAR,
    district_name VARCHAR,
    province_code VARCHAR,
    province_name VARCHAR,
    valid_from    INTEGER NOT NULL,         -- first year the unit exists in this form
    valid_to      INTEGER                   -- last year; NULL while it still exists
);

CREATE TABLE office (
    code VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL
);

CREATE SEQUENCE criteria_set_id START 1;
CREATE TABLE criteria_set (
    id              INTEGER PRIMARY KEY DEFAULT nextval('criteria_set_id'),
    code            VARCHAR NOT NULL,
    version         INTEGER NOT NULL,
    name            VARCHAR NOT NULL,
    year            INTEGER NOT NULL,
    is_template     BOOLEAN NOT NULL,
    source_decision VARCHAR NOT NULL,
    applies_to      VARCHAR NOT NULL,
    total           DECIMAL(7, 2) NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    created_by      VARCHAR NOT NULL,
    UNIQUE (code, version)
);

CREATE TABLE criterion (
    set_id      INTEGER NOT NULL,
    code        VARCHAR NOT NULL,
    parent_code VARCHAR,
    depth       INTEGER NOT NULL,
    position    INTEGER NOT NULL,
    title       VARCHAR NOT NULL,
    max_points  DECIMAL(7, 2) NOT NULL,
    is_leaf     BOOLEAN NOT NULL,
    guidance    VARCHAR NOT NULL,
    evidence    VARCHAR NOT NULL,
    office_code VARCHAR,
    step        DECIMAL(5, 2) NOT NULL,
    na_allowed  BOOLEAN NOT NULL,
    source      VARCHAR NOT NULL,
    PRIMARY KEY (set_id, code)
);

CREATE TABLE period (
    year                     INTEGER PRIMARY KEY,
    name                     VARCHAR NOT NULL,
    plan_reference           VARCHAR NOT NULL,
    council_deadline         DATE NOT NULL,
    self_assessment_deadline DATE NOT NULL,
    appraisal_deadline       DATE NOT NULL,
    publication_deadline     DATE NOT NULL,
    survey_opens             DATE,
    survey_closes            DATE,
    survey_quota             INTEGER NOT NULL DEFAULT 0,
    criteria_set_id          INTEGER
);

CREATE TABLE app_user (
    username             VARCHAR PRIMARY KEY,
    full_name            VARCHAR NOT NULL,
    role                 VARCHAR NOT NULL,   -- admin | leader | council | commune
    unit_code            VARCHAR,            -- for commune officers
    office_code          VARCHAR,            -- for council members
    password_hash        VARCHAR NOT NULL,   -- bcrypt
    active               BOOLEAN NOT NULL DEFAULT TRUE,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    failed_logins        INTEGER NOT NULL DEFAULT 0,
    locked_until         TIMESTAMP,
    last_login           TIMESTAMP,
    is_demo              BOOLEAN NOT NULL DEFAULT FALSE,
    created_at           TIMESTAMP NOT NULL
);

CREATE TABLE assessment (
    period_year  INTEGER NOT NULL,
    unit_code    VARCHAR NOT NULL,
    state        VARCHAR NOT NULL,           -- draft | submitted | ... (see cchc/workflow.py)
    submitted_at TIMESTAMP,
    is_late      BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (period_year, unit_code)
);

CREATE TABLE score (
    period_year    INTEGER NOT NULL,
    unit_code      VARCHAR NOT NULL,
    criterion_code VARCHAR NOT NULL,
    self_points    DECIMAL(7, 2),
    not_applicable BOOLEAN NOT NULL DEFAULT FALSE,
    note           VARCHAR NOT NULL DEFAULT '',
    explanation    VARCHAR NOT NULL DEFAULT '',
    updated_at     TIMESTAMP NOT NULL,
    updated_by     VARCHAR NOT NULL,
    PRIMARY KEY (period_year, unit_code, criterion_code)
);

-- Citizens' satisfaction answers: one response per questionnaire filled in, one answer per
-- SIPAS element (1..5), value 1 = Rất không hài lòng … 5 = Rất hài lòng.
CREATE SEQUENCE survey_response_id START 1;
CREATE TABLE survey_response (
    id           BIGINT PRIMARY KEY DEFAULT nextval('survey_response_id'),
    period_year  INTEGER NOT NULL,
    unit_code    VARCHAR NOT NULL,
    channel      VARCHAR NOT NULL,           -- web | paper
    submitted_at TIMESTAMP NOT NULL
);
CREATE TABLE survey_answer (
    response_id BIGINT NOT NULL,
    element     INTEGER NOT NULL,
    value       INTEGER NOT NULL,
    PRIMARY KEY (response_id, element)
);

-- Append-only: the storage layer offers no way to update or delete a row here.
CREATE SEQUENCE audit_log_id START 1;
CREATE TABLE audit_log (
    id         BIGINT PRIMARY KEY DEFAULT nextval('audit_log_id'),
    logged_at  TIMESTAMP NOT NULL,
    actor      VARCHAR NOT NULL,
    action     VARCHAR NOT NULL,
    entity     VARCHAR NOT NULL,
    entity_key VARCHAR NOT NULL,
    old_value  VARCHAR,                      -- JSON text
    new_value  VARCHAR,                      -- JSON text
    reason     VARCHAR NOT NULL DEFAULT ''
);
