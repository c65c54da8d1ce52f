-- PostgreSQL's copy of views/01_unit_in_period.sql: no arg_max there; the first of the names ordered
-- by the same key is the same one (a unit has one name per from_year).
-- The units of each period, with the name and kind they had that year: a rename adds a unit_name
-- row from its year on, so the name in force is the latest from_year not after the period (a
-- period before a unit's first recorded name shows its earliest name).
CREATE OR REPLACE VIEW unit_in_period AS
WITH existing AS (      -- the units that exist in the period's year
    SELECT p.year AS period_year, u.code, u.district_code, u.district_name, u.province_code,
           u.province_name, u.valid_from, u.valid_to, u.successor_code
    FROM period p
    JOIN unit u ON u.valid_from <= p.year AND (u.valid_to IS NULL OR u.valid_to >= p.year)
),
named AS (              -- the name and kind in force that year
    SELECT e.period_year, e.code,
           (array_agg(n.name ORDER BY CASE WHEN n.from_year <= e.period_year THEN n.from_year ELSE -n.from_year END DESC))[1] AS name,
           (array_agg(n.kind ORDER BY CASE WHEN n.from_year <= e.period_year THEN n.from_year ELSE -n.from_year END DESC))[1] AS kind
    FROM existing e JOIN unit_name n ON n.code = e.code
    GROUP BY e.period_year, e.code
),
final AS (
    SELECT e.period_year, e.code, n.name, n.kind, e.district_code, e.district_name, e.province_code,
           e.province_name, e.valid_from, e.valid_to, e.successor_code,
           CASE n.kind WHEN 'Xã' THEN 'xa' WHEN 'Thị trấn' THEN 'thi_tran' WHEN 'Phường' THEN 'phuong' END AS kind_key
    FROM existing e
    JOIN named n ON n.period_year = e.period_year AND n.code = e.code
)
SELECT * FROM final;
