-- Per unit, period and scored field (bonus and penalty fields have no sub-index): the field's
-- points, applicable maximum and sub-index (%).
CREATE OR REPLACE VIEW field_result AS
WITH final AS (
    SELECT period_year, unit_code, field_code, field_points AS points, field_max AS applicable_max, sub_index
    FROM unit_field_sums WHERE is_scored
)
SELECT * FROM final;
