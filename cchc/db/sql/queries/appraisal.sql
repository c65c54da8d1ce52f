-- name: council_get
SELECT * FROM council WHERE period_year = $year;

-- name: council_put
INSERT INTO council (period_year, decision_number, decision_date, signer, updated_at, updated_by)
VALUES ($year, $decision_number, $decision_date, $signer, $at, $by)
ON CONFLICT (period_year) DO UPDATE SET decision_number = excluded.decision_number,
    decision_date = excluded.decision_date, signer = excluded.signer,
    updated_at = excluded.updated_at, updated_by = excluded.updated_by;

-- name: council_members
SELECT * FROM council_member WHERE period_year = $year AND NOT removed
ORDER BY CASE member_role WHEN 'chair' THEN 1 WHEN 'standing_vice_chair' THEN 2 WHEN 'member' THEN 3 ELSE 4 END, id;

-- name: council_member_get
SELECT * FROM council_member WHERE id = $id AND NOT removed;

-- name: council_member_insert
INSERT INTO council_member (period_year, full_name, title, office_code, member_role, username)
VALUES ($year, $full_name, $title, $office_code, $member_role, $username)
RETURNING id;

-- name: council_member_remove
UPDATE council_member SET removed = TRUE WHERE id = $id;

-- name: council_member_roles
-- The roles an account holds in the council of a period (none: not, or no longer, a member).
SELECT DISTINCT member_role FROM council_member
WHERE period_year = $year AND username = $username AND NOT removed;

-- name: field_assignments
SELECT field_code, office_code FROM field_assignment WHERE period_year = $year;

-- name: field_assignment_put
INSERT INTO field_assignment (period_year, field_code, office_code) VALUES ($year, $field_code, $office_code)
ON CONFLICT (period_year, field_code) DO UPDATE SET office_code = excluded.office_code;

-- name: appraisal_leaves_of_unit
SELECT * FROM appraisal_leaf WHERE period_year = $year AND unit_code = $unit_code ORDER BY criterion_code;

-- name: appraisal_leaves_of_period
SELECT * FROM appraisal_leaf WHERE period_year = $year;

-- name: appraisal_leaf_get
SELECT * FROM appraisal_leaf WHERE period_year = $year AND unit_code = $unit_code AND criterion_code = $code;

-- name: appraisal_leaf_put
INSERT INTO appraisal_leaf (period_year, unit_code, criterion_code, r1_points, r1_reason, flagged, question,
                            answer, answered_at, answered_by, r2_points, r2_reason, version, updated_at, updated_by,
                            self_not_applicable, r2_not_applicable)
VALUES ($year, $unit_code, $code, $r1_points, $r1_reason, $flagged, $question, $answer, $answered_at,
        $answered_by, $r2_points, $r2_reason, $version, $at, $by, $self_not_applicable, $r2_not_applicable)
ON CONFLICT (period_year, unit_code, criterion_code) DO UPDATE SET
    r1_points = excluded.r1_points, r1_reason = excluded.r1_reason, flagged = excluded.flagged,
    question = excluded.question, answer = excluded.answer, answered_at = excluded.answered_at,
    answered_by = excluded.answered_by, r2_points = excluded.r2_points, r2_reason = excluded.r2_reason,
    version = excluded.version, updated_at = excluded.updated_at, updated_by = excluded.updated_by,
    self_not_applicable = excluded.self_not_applicable, r2_not_applicable = excluded.r2_not_applicable;

-- name: score_set_not_applicable
-- The council overturns (FALSE) or restores (TRUE) a commune's "không áp dụng" (012).
UPDATE score SET not_applicable = $not_applicable
WHERE period_year = $year AND unit_code = $unit_code AND criterion_code = $code;

-- name: appraisal_unit_get
SELECT * FROM appraisal_unit WHERE period_year = $year AND unit_code = $unit_code;

-- name: appraisal_unit_put
INSERT INTO appraisal_unit (period_year, unit_code, r1_closed_at, explained_at, explained_by, finalised_at, finalised_by)
VALUES ($year, $unit_code, $r1_closed_at, $explained_at, $explained_by, $finalised_at, $finalised_by)
ON CONFLICT (period_year, unit_code) DO UPDATE SET r1_closed_at = excluded.r1_closed_at,
    explained_at = excluded.explained_at, explained_by = excluded.explained_by,
    finalised_at = excluded.finalised_at, finalised_by = excluded.finalised_by;

-- name: assessment_set_state_only
UPDATE assessment SET state = $state, updated_at = $at WHERE period_year = $year AND unit_code = $unit_code;

-- name: unit_sets_of_period
-- The criteria set of every unit of the period (views/02_unit_criteria_set.sql): the queue reads
-- them at once instead of one query per unit.
SELECT unit_code, set_id FROM unit_criteria_set WHERE period_year = $year;

-- name: assessment_states_of_period
-- Every unit of the period with its assessment state (not_started when it has none).
SELECT u.code AS unit_code, u.name AS unit_name, u.kind, coalesce(a.state, 'not_started') AS state,
       a.submitted_at, coalesce(a.is_late, FALSE) AS is_late
FROM unit_in_period u
LEFT JOIN assessment a ON a.period_year = u.period_year AND a.unit_code = u.code
WHERE u.period_year = $year ORDER BY u.code;

-- name: assessment_set_state_many
UPDATE assessment SET state = $state, updated_at = $at
WHERE period_year = $year AND unit_code IN (SELECT unnest($codes::VARCHAR[]));

-- name: compilation_get
SELECT * FROM result_compilation WHERE period_year = $year;

-- name: compilation_put
INSERT INTO result_compilation (period_year, compiled_at, compiled_by, note) VALUES ($year, $at, $by, $note)
ON CONFLICT (period_year) DO UPDATE SET compiled_at = excluded.compiled_at, compiled_by = excluded.compiled_by,
    note = excluded.note;

-- name: approvals_of_period
SELECT id, period_year, version, decision_number, decision_date, approved_at, approved_by, reason,
       published_at, published_by
FROM result_approval WHERE period_year = $year ORDER BY version DESC;

-- name: approval_latest
SELECT * FROM result_approval WHERE period_year = $year ORDER BY version DESC LIMIT 1;

-- name: approval_published
-- The latest approval that has been published (what /ket-qua shows).
SELECT * FROM result_approval WHERE period_year = $year AND published_at IS NOT NULL
ORDER BY version DESC LIMIT 1;

-- name: approval_insert
INSERT INTO result_approval (period_year, version, decision_number, decision_date, approved_at, approved_by,
                             reason, snapshot)
VALUES ($year, $version, $decision_number, $decision_date, $at, $by, $reason, $snapshot)
RETURNING id;

-- name: approval_publish
UPDATE result_approval SET published_at = $at, published_by = $by WHERE id = $id;

-- name: published_years
SELECT DISTINCT period_year AS year FROM result_approval WHERE published_at IS NOT NULL ORDER BY year DESC;

-- name: scores_of_period_all
SELECT unit_code, criterion_code, self_points, not_applicable, appraised_points
FROM score WHERE period_year = $year ORDER BY unit_code, criterion_code;

-- name: appraisal_round1_many
-- Round 1 of many leaves of one unit at once (lists zipped by unnest).
INSERT INTO appraisal_leaf (period_year, unit_code, criterion_code, r1_points, r1_reason, version, updated_at, updated_by)
SELECT $year, $unit_code, unnest($codes::VARCHAR[]), unnest($points::DECIMAL(7, 2)[]), $reason, 1, $at, $by
ON CONFLICT (period_year, unit_code, criterion_code) DO UPDATE SET
    r1_points = excluded.r1_points, r1_reason = excluded.r1_reason, version = appraisal_leaf.version + 1,
    updated_at = excluded.updated_at, updated_by = excluded.updated_by;

-- name: score_set_appraised_many
INSERT INTO score (period_year, unit_code, criterion_code, self_points, not_applicable, note, explanation,
                   updated_at, updated_by, appraised_points)
SELECT $year, $unit_code, unnest($codes::VARCHAR[]), NULL, FALSE, '', '', $at, $by, unnest($points::DECIMAL(7, 2)[])
ON CONFLICT (period_year, unit_code, criterion_code) DO UPDATE SET appraised_points = excluded.appraised_points;
