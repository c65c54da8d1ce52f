-- Self-assessment: the report's text, reopening after the deadline, and evidence.

ALTER TABLE assessment ADD COLUMN difficulties VARCHAR NOT NULL DEFAULT '';      -- khó khăn, vướng mắc
ALTER TABLE assessment ADD COLUMN recommendations VARCHAR NOT NULL DEFAULT '';   -- kiến nghị
ALTER TABLE assessment ADD COLUMN reopened_until DATE;       -- admin reopened: editable until this day
ALTER TABLE assessment ADD COLUMN reopen_reason VARCHAR NOT NULL DEFAULT '';

-- Uploaded files, stored under CCHC_FILES by content hash (never by the user's file name).
CREATE SEQUENCE evidence_file_id START 1;
CREATE TABLE evidence_file (
    id             BIGINT PRIMARY KEY DEFAULT nextval('evidence_file_id'),
    period_year    INTEGER NOT NULL,
    unit_code      VARCHAR NOT NULL,
    criterion_code VARCHAR NOT NULL,
    sha256         VARCHAR NOT NULL,
    file_name      VARCHAR NOT NULL,     -- shown to people only
    kind           VARCHAR NOT NULL,     -- pdf | docx | doc | xlsx | xls | jpeg | png
    size_bytes     BIGINT NOT NULL,
    uploaded_at    TIMESTAMP NOT NULL,
    uploaded_by    VARCHAR NOT NULL,
    removed        BOOLEAN NOT NULL DEFAULT FALSE
);

-- References to documents (số/ký hiệu, ngày, trích yếu) instead of, or beside, files.
CREATE SEQUENCE evidence_doc_id START 1;
CREATE TABLE evidence_doc (
    id             BIGINT PRIMARY KEY DEFAULT nextval('evidence_doc_id'),
    period_year    INTEGER NOT NULL,
    unit_code      VARCHAR NOT NULL,
    criterion_code VARCHAR NOT NULL,
    doc_number     VARCHAR NOT NULL,     -- số, ký hiệu
    issued_on      DATE,
    summary        VARCHAR NOT NULL,     -- trích yếu
    created_at     TIMESTAMP NOT NULL,
    created_by     VARCHAR NOT NULL,
    removed        BOOLEAN NOT NULL DEFAULT FALSE
);
