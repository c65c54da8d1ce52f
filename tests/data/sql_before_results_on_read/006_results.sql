-- The index, in views over the stored scores (DOMAIN.md §4). Every figure a page, a report or the
-- command line shows comes from here, so they cannot disagree.
--
--   leaf points: self-assessed leaves: the appraised score once there is one, else the self-score
--                (provisional); citizen-survey leaves: max × satisfaction share of their element;
--                officials'-survey leaves: from official_survey_points; bonus and penalty leaves:
--                the appraised score.
--   applicable maximum: self-assessed leaves not marked "không áp dụng" + survey leaves that have
--                answers (a survey without answers yet does not count against the unit).
--   index (%) = (points + min(bonus, cap) − min(penalty, cap)) / applicable maximum × 100, to the
--                hundredth; ties share a rank; the class comes from the period's bands.

-- The council's score per leaf (filled by the appraisal); NULL until a leaf is appraised.
ALTER TABLE score ADD COLUMN appraised_points DECIMAL(7, 2);

-- Class bands per period: Tốt ≥ band_good, Khá ≥ band_fair, Trung bình ≥ band_average, else Yếu.
ALTER TABLE period ADD COLUMN band_good DECIMAL(5, 2) DEFAULT 80;
ALTER TABLE period ADD COLUMN band_fair DECIMAL(5, 2) DEFAULT 70;
ALTER TABLE period ADD COLUMN band_average DECIMAL(5, 2) DEFAULT 60;

-- Satisfaction per unit and SIPAS element (1..5): (Hài lòng + Rất hài lòng) / valid answers.
-- The survey work may redefine it (per question, then averaged; flagged answers excluded) with
-- CREATE OR REPLACE VIEW, keeping these columns.
CREATE VIEW survey_element_share AS
SELECT r.period_year, r.unit_code, a.element,
       count(*) AS answers,
       count(*) FILTER (WHERE a.value >= 4) AS satisfied,
       count(*) FILTER (WHERE a.value >= 4) / count(*) AS share
FROM survey_response r JOIN survey_answer a ON a.response_id = r.id
WHERE a.value BETWEEN 1 AND 5
GROUP BY r.period_year, r.unit_code, a.element;

-- Points of the officials'-survey leaves per unit. No officials' survey is stored yet, so no
-- rows: those leaves stay out of the applicable maximum until the survey work fills this view.
CREATE VIEW official_survey_points AS
SELECT CAST(NULL AS INTEGER) AS period_year, CAST(NULL AS VARCHAR) AS unit_code,
       CAST(NULL AS VARCHAR) AS criterion_code, CAST(NULL AS DOUBLE) AS points
WHERE FALSE;

-- Every leaf of every set, with its field and its place among the leaves of the same source
-- (the i-th citizen-survey leaf is SIPAS element i when a set has five of them).
CREATE VIEW criterion_leaf AS
SELECT set_id, code, split_part(code, '.', 1) AS field_code, max_points, source,
       row_number() OVER (PARTITION BY set_id, source ORDER BY position) AS source_ordinal,
       count(*) OVER (PARTITION BY set_id, source) AS source_leaves
FROM criterion WHERE is_leaf;

-- One row per unit, period and leaf of the unit's set.
CREATE VIEW leaf_result AS
WITH unit_share AS (
    SELECT period_year, unit_code, avg(share) AS share FROM survey_element_share GROUP BY ALL
)
SELECT us.period_year, us.unit_code, us.set_id, l.code, l.field_code, l.source, l.max_points,
       s.self_points, coalesce(s.not_applicable, FALSE) AS not_applicable, s.appraised_points,
       CASE l.source
           WHEN 'self_assessed' THEN coalesce(s.appraised_points, s.self_points)
           WHEN 'citizen_survey' THEN CAST(l.max_points AS DOUBLE) * (CASE WHEN l.source_leaves = 5 THEN es.share ELSE ush.share END)
           WHEN 'official_survey' THEN os.points
           ELSE s.appraised_points
       END AS points,
       CASE l.source
           WHEN 'self_assessed' THEN NOT coalesce(s.not_applicable, FALSE)
           WHEN 'citizen_survey' THEN (CASE WHEN l.source_leaves = 5 THEN es.share ELSE ush.share END) IS NOT NULL
           WHEN 'official_survey' THEN os.points IS NOT NULL
           ELSE FALSE
       END AS counts_in_max
FROM unit_criteria_set us
JOIN criterion_leaf l ON l.set_id = us.set_id
LEFT JOIN score s ON s.period_year = us.period_year AND s.unit_code = us.unit_code AND s.criterion_code = l.code
LEFT JOIN survey_element_share es ON l.source = 'citizen_survey' AND es.period_year = us.period_year
      AND es.unit_code = us.unit_code AND es.element = l.source_ordinal
LEFT JOIN unit_share ush ON l.source = 'citizen_survey' AND ush.period_year = us.period_year AND ush.unit_code = us.unit_code
LEFT JOIN official_survey_points os ON l.source = 'official_survey' AND os.period_year = us.period_year
      AND os.unit_code = us.unit_code AND os.criterion_code = l.code;

-- Points and maximum per unit, period and field (bonus and penalty fields have no sub-index).
CREATE VIEW field_result AS
SELECT period_year, unit_code, field_code,
       round(coalesce(sum(points) FILTER (WHERE counts_in_max), 0), 2) AS points,
       coalesce(sum(max_points) FILTER (WHERE counts_in_max), 0) AS applicable_max,
       round(100 * coalesce(sum(points) FILTER (WHERE counts_in_max), 0)
             / nullif(sum(max_points) FILTER (WHERE counts_in_max), 0), 2) AS sub_index
FROM leaf_result
WHERE source NOT IN ('bonus', 'penalty')
GROUP BY period_year, unit_code, field_code;

-- Per unit and period: every figure of the index, the rank and the class.
CREATE VIEW unit_result AS
WITH agg AS (
    SELECT period_year, unit_code, set_id,
           sum(self_points) FILTER (WHERE source = 'self_assessed') AS self_points,
           count(appraised_points) FILTER (WHERE source = 'self_assessed') AS appraised_leaves,
           sum(points) FILTER (WHERE source = 'self_assessed' AND counts_in_max) AS assessed_points,
           sum(points) FILTER (WHERE source = 'citizen_survey' AND counts_in_max) AS citizen_points,
           sum(points) FILTER (WHERE source = 'official_survey' AND counts_in_max) AS official_points,
           sum(max_points) FILTER (WHERE counts_in_max) AS applicable_max,
           sum(max_points) FILTER (WHERE source IN ('self_assessed', 'citizen_survey', 'official_survey')) AS full_max,
           coalesce(sum(points) FILTER (WHERE source = 'bonus'), 0) AS bonus_raw,
           coalesce(sum(points) FILTER (WHERE source = 'penalty'), 0) AS penalty_raw,
           coalesce(sum(max_points) FILTER (WHERE source = 'bonus'), 0) AS bonus_leaves_max,
           coalesce(sum(max_points) FILTER (WHERE source = 'penalty'), 0) AS penalty_leaves_max
    FROM leaf_result GROUP BY period_year, unit_code, set_id
),
figures AS (
    SELECT g.*, coalesce(a.state, 'not_started') AS state,
           coalesce(a.state, '') IN ('final', 'approved', 'published') AS is_final,
           round(coalesce(g.assessed_points, 0), 2) AS scored_points,
           round(coalesce(g.citizen_points, 0) + coalesce(g.official_points, 0), 2) AS survey_points,
           least(g.bonus_raw, coalesce(cs.bonus_cap, g.bonus_leaves_max)) AS bonus,
           least(g.penalty_raw, coalesce(cs.penalty_cap, g.penalty_leaves_max)) AS penalty,
           p.band_good, p.band_fair, p.band_average
    FROM agg g
    JOIN criteria_set cs ON cs.id = g.set_id
    JOIN period p ON p.year = g.period_year
    LEFT JOIN assessment a ON a.period_year = g.period_year AND a.unit_code = g.unit_code
),
indexed AS (
    SELECT *, round(scored_points + survey_points + bonus - penalty, 2) AS total_points,
           round(100 * (coalesce(assessed_points, 0) + coalesce(citizen_points, 0) + coalesce(official_points, 0)
                        + bonus - penalty) / nullif(applicable_max, 0), 2) AS index
    FROM figures
)
SELECT i.period_year, i.unit_code, u.name AS unit_name, u.kind, u.district_code, u.district_name,
       u.province_code, u.province_name, i.set_id, i.state, i.is_final,
       round(coalesce(i.self_points, 0), 2) AS self_points,
       CASE WHEN i.appraised_leaves > 0 THEN i.scored_points END AS appraised_points,
       i.appraised_leaves, i.scored_points, i.survey_points, i.bonus, i.penalty, i.total_points,
       i.applicable_max, i.full_max, i.index,
       rank() OVER (PARTITION BY i.period_year ORDER BY i.index DESC NULLS LAST) AS rank,
       CASE WHEN i.index IS NULL THEN NULL
            WHEN i.index >= coalesce(i.band_good, 80) THEN 'Tốt'
            WHEN i.index >= coalesce(i.band_fair, 70) THEN 'Khá'
            WHEN i.index >= coalesce(i.band_average, 60) THEN 'Trung bình'
            ELSE 'Yếu' END AS class
FROM indexed i
JOIN unit_in_period u ON u.period_year = i.period_year AND u.code = i.unit_code;

-- Who last changed a score that a move to another set version archived (005 kept only the values).
ALTER TABLE score_archive ADD COLUMN updated_at TIMESTAMP;
ALTER TABLE score_archive ADD COLUMN updated_by VARCHAR;
