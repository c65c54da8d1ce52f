-- The criteria set each unit of a period is assessed against: the set its kind has in
-- period_criteria (xa | thi_tran | phuong), else the period's general set.
CREATE OR REPLACE VIEW unit_criteria_set AS
WITH final AS (
    SELECT u.period_year, u.code AS unit_code, coalesce(pc.set_id, p.criteria_set_id) AS set_id
    FROM unit_in_period u
    JOIN period p ON p.year = u.period_year
    LEFT JOIN period_criteria pc ON pc.period_year = u.period_year AND pc.unit_kind = u.kind_key
)
SELECT * FROM final;
