-- Surveys (docs/domain.md §6): the citizens' questionnaire answered question by question, abuse
-- flags and exclusions, quotas per commune, and the officials' survey with one-time codes.

-- A response: who it came through, its profile, and what the abuse control thought of it.
ALTER TABLE survey_response ADD COLUMN questionnaire VARCHAR NOT NULL DEFAULT '';   -- code/version
ALTER TABLE survey_response ADD COLUMN profile VARCHAR NOT NULL DEFAULT '{}';       -- JSON: key -> option
ALTER TABLE survey_response ADD COLUMN overall INTEGER;                             -- 1..5, hài lòng chung
ALTER TABLE survey_response ADD COLUMN suggestion VARCHAR NOT NULL DEFAULT '';
ALTER TABLE survey_response ADD COLUMN client_key VARCHAR;       -- salted hash of the client address
ALTER TABLE survey_response ADD COLUMN browser_key VARCHAR;      -- salted hash of the browser's token
ALTER TABLE survey_response ADD COLUMN answers_key VARCHAR;      -- hash of the answers (duplicates)
ALTER TABLE survey_response ADD COLUMN flags VARCHAR NOT NULL DEFAULT '';           -- honeypot,rate,duplicate
ALTER TABLE survey_response ADD COLUMN excluded BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE survey_response ADD COLUMN exclude_reason VARCHAR NOT NULL DEFAULT '';
ALTER TABLE survey_response ADD COLUMN excluded_by VARCHAR;
ALTER TABLE survey_response ADD COLUMN entered_by VARCHAR;       -- the staff member who keyed a paper form

-- Answers per question instead of per element. Rows written before (one per element) become
-- one question per element, 'yt<element>', so their share is what it was.
CREATE TABLE survey_answer_q (
    response_id BIGINT NOT NULL,
    question    VARCHAR NOT NULL,       -- '1.2' (element 1, question 2) or 'yt1' (element-level)
    element     INTEGER NOT NULL,       -- 1..5, SIPAS element
    value       INTEGER NOT NULL,       -- 1 = Rất không hài lòng … 5 = Rất hài lòng
    PRIMARY KEY (response_id, question)
);
INSERT INTO survey_answer_q SELECT response_id, 'yt' || element, element, value FROM survey_answer;
DROP TABLE survey_answer;
ALTER TABLE survey_answer_q RENAME TO survey_answer;

-- Answers wanted per commune and period (overrides period.survey_quota); `dossiers` is the N the
-- target was computed from with n = N / (1 + N·e²), when it was.
CREATE TABLE survey_quota (
    period_year INTEGER NOT NULL,
    unit_code   VARCHAR NOT NULL,
    target      INTEGER NOT NULL,
    dossiers    INTEGER,
    PRIMARY KEY (period_year, unit_code)
);

-- The officials' survey: one-time codes, each for one respondent group and one commune.
CREATE TABLE official_code (
    code          VARCHAR PRIMARY KEY,      -- K7M4P-9QXRT
    period_year   INTEGER NOT NULL,
    group_code    VARCHAR NOT NULL,
    unit_code     VARCHAR NOT NULL,
    questionnaire VARCHAR NOT NULL,         -- code/version
    created_at    TIMESTAMP NOT NULL,
    created_by    VARCHAR NOT NULL,
    used_at       TIMESTAMP,                -- set once, when the questionnaire is sent
    voided        BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE TABLE official_answer (
    code      VARCHAR NOT NULL,
    question  VARCHAR NOT NULL,
    criterion VARCHAR NOT NULL,             -- the official_survey leaf it scores
    choice    VARCHAR NOT NULL,             -- A, B, C, D
    weight    DOUBLE PRECISION NOT NULL,              -- % of the question's points, as configured when answered
    PRIMARY KEY (code, question)
);
