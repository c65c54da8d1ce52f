-- name: criteria_set_insert
INSERT INTO criteria_set (code, version, name, year, is_template, source_decision, applies_to,
                          total, created_at, created_by)
VALUES ($code, $version, $name, $year, $is_template, $source_decision, $applies_to, $total,
        $created_at, $created_by)
RETURNING id;

-- name: criteria_set_find
SELECT id FROM criteria_set WHERE code = $code AND version = $version;

-- name: criteria_set_get
SELECT * FROM criteria_set WHERE id = $id;

-- name: criterion_insert
INSERT INTO criterion (set_id, code, parent_code, depth, position, title, max_points, is_leaf,
                       guidance, evidence, office_code, step, na_allowed, source)
VALUES ($set_id, $code, $parent_code, $depth, $position, $title, $max_points, $is_leaf,
        $guidance, $evidence, $office_code, $step, $na_allowed, $source);

-- name: criteria_of_set
SELECT * FROM criterion WHERE set_id = $set_id ORDER BY position;
