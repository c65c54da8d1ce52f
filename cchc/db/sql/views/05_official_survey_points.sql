-- Points of the officials'-survey leaves per unit: per respondent (one used, not voided code),
-- the mean weight (%) of their answers on the leaf's questions; per unit, the mean over the
-- respondents; times the leaf's maximum.
CREATE OR REPLACE VIEW official_survey_points AS
WITH answered AS (
    SELECT c.period_year, c.unit_code, c.code, a.criterion, avg(a.weight) AS pct
    FROM official_code c JOIN official_answer a ON a.code = c.code
    WHERE c.used_at IS NOT NULL AND NOT c.voided
    GROUP BY c.period_year, c.unit_code, c.code, a.criterion
),
per_unit AS (
    SELECT period_year, unit_code, criterion, avg(pct) AS pct, count(*) AS respondents
    FROM answered GROUP BY period_year, unit_code, criterion
),
final AS (
    SELECT p.period_year, p.unit_code, p.criterion AS criterion_code,
           CAST(l.max_points AS DOUBLE PRECISION) * p.pct / 100.0 AS points
    FROM per_unit p
    JOIN unit_criteria_set us ON us.period_year = p.period_year AND us.unit_code = p.unit_code
    JOIN criterion_leaf l ON l.set_id = us.set_id AND l.code = p.criterion AND l.source = 'official_survey'
)
SELECT * FROM final;
