-- Every leaf of every criteria set, with its field (the first part of its code) and its place
-- among the leaves of the same source: the i-th citizen-survey leaf is SIPAS element i when a
-- set has five of them.
CREATE OR REPLACE VIEW criterion_leaf AS
WITH final AS (
    SELECT set_id, code, split_part(code, '.', 1) AS field_code, max_points, source,
           row_number() OVER (PARTITION BY set_id, source ORDER BY position) AS source_ordinal,
           count(*) OVER (PARTITION BY set_id, source) AS source_leaves
    FROM criterion WHERE is_leaf
)
SELECT * FROM final;
