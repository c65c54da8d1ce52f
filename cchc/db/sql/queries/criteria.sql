-- name: criteria_set_insert
INSERT INTO criteria_set (code, version, name, year, is_template, source_decision, applies_to,
                          total, bonus_cap, penalty_cap, created_at, created_by)
VALUES ($code, $version, $name, $year, $is_template, $source_decision, $applies_to, $total,
        $bonus_cap, $penalty_cap, $created_at, $created_by)
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

-- name: criteria_set_list
-- Every stored set version, newest first, with the periods (and unit kinds) that use it.
SELECT s.id, s.code, s.version, s.name, s.year, s.applies_to, s.is_template, s.total, s.created_at,
       s.created_by,
       (SELECT string_agg(DISTINCT CAST(p.year AS VARCHAR), ', ') FROM period p WHERE p.criteria_set_id = s.id) AS general_for,
       (SELECT string_agg(DISTINCT CAST(pc.period_year AS VARCHAR) || ' (' || pc.unit_kind || ')', ', ')
          FROM period_criteria pc WHERE pc.set_id = s.id) AS kind_for
FROM criteria_set s ORDER BY s.created_at DESC, s.id DESC;

-- name: criteria_set_max_version
SELECT coalesce(max(version), 0) AS v FROM criteria_set WHERE code = $code;

-- name: scores_of_period_units
-- The stored self-assessment scores of the units that use a given set in a period.
SELECT s.* FROM score s
JOIN unit_criteria_set us ON us.period_year = s.period_year AND us.unit_code = s.unit_code
WHERE s.period_year = $year AND us.set_id = $set_id
ORDER BY s.unit_code, s.criterion_code;

-- name: score_archive_insert
INSERT INTO score_archive (period_year, unit_code, criterion_code, from_set_id, to_set_id, self_points,
                           not_applicable, note, explanation, updated_at, updated_by, archived_at, archived_by)
VALUES ($period_year, $unit_code, $criterion_code, $from_set_id, $to_set_id, $self_points,
        $not_applicable, $note, $explanation, $updated_at, $updated_by, $archived_at, $archived_by);

-- name: score_delete_one
DELETE FROM score WHERE period_year = $year AND unit_code = $unit_code AND criterion_code = $code;

-- name: period_unit_sets
-- Each unit of a period: its kind, the set it is assessed against and its assessment state.
SELECT u.code, u.name, u.kind_key, us.set_id, coalesce(a.state, 'not_started') AS state
FROM unit_in_period u
JOIN unit_criteria_set us ON us.period_year = u.period_year AND us.unit_code = u.code
LEFT JOIN assessment a ON a.period_year = u.period_year AND a.unit_code = u.code
WHERE u.period_year = $year
ORDER BY u.code;

-- name: score_archive_of_period
SELECT * FROM score_archive WHERE period_year = $year ORDER BY unit_code, criterion_code, archived_at;

-- name: evidence_counts_of_period
-- Evidence items (files and document references, not removed) per unit and leaf of a period.
SELECT unit_code, criterion_code, count(*) AS n FROM (
    SELECT unit_code, criterion_code FROM evidence_file WHERE period_year = $year AND NOT removed
    UNION ALL
    SELECT unit_code, criterion_code FROM evidence_doc WHERE period_year = $year AND NOT removed
) items GROUP BY unit_code, criterion_code;
