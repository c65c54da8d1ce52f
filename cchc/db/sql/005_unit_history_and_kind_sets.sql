-- Administration, second part: units' names through the years, merges; a criteria set per unit
-- kind inside one period; caps on bonus and penalty points; scores kept when a period moves to
-- another criteria set version.

-- Every name a unit has had, from the year it took effect (a rename adds a row; the unit keeps
-- its code, so its earlier years keep their data and show under the name of that year).
CREATE TABLE unit_name (
    code      VARCHAR NOT NULL,
    from_year INTEGER NOT NULL,
    name      VARCHAR NOT NULL,
    kind      VARCHAR NOT NULL,          -- 'Xã', 'Thị trấn', 'Phường'
    PRIMARY KEY (code, from_year)
);
INSERT INTO unit_name SELECT code, valid_from, name, kind FROM unit;

-- A unit merged into another: its last year is valid_to, its successor is named here.
ALTER TABLE unit ADD COLUMN successor_code VARCHAR;

-- period.criteria_set_id is the period's general set; a row here gives the units of one kind
-- (xa | thi_tran | phuong) their own set instead.
CREATE TABLE period_criteria (
    period_year INTEGER NOT NULL,
    unit_kind   VARCHAR NOT NULL,
    set_id      INTEGER NOT NULL,
    PRIMARY KEY (period_year, unit_kind)
);

-- Bonus and penalty points sit outside the 100; a set may cap each (NULL: the field's maximum).
ALTER TABLE criteria_set ADD COLUMN bonus_cap DECIMAL(7, 2);
ALTER TABLE criteria_set ADD COLUMN penalty_cap DECIMAL(7, 2);

-- Scores set aside when a period moves to another criteria set version: the leaf no longer
-- exists in the new version, or its old score does not fit the new leaf. Never deleted.
CREATE TABLE score_archive (
    period_year    INTEGER NOT NULL,
    unit_code      VARCHAR NOT NULL,
    criterion_code VARCHAR NOT NULL,
    from_set_id    INTEGER NOT NULL,
    to_set_id      INTEGER NOT NULL,
    self_points    DECIMAL(7, 2),
    not_applicable BOOLEAN NOT NULL,
    note           VARCHAR NOT NULL,
    explanation    VARCHAR NOT NULL,
    archived_at    TIMESTAMP NOT NULL,
    archived_by    VARCHAR NOT NULL
);
