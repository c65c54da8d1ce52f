-- name: assessment_get
SELECT * FROM assessment WHERE period_year = $year AND unit_code = $unit_code;

-- name: assessment_insert
INSERT INTO assessment (period_year, unit_code, state, submitted_at, is_late, updated_at)
VALUES ($year, $unit_code, $state, $submitted_at, $is_late, $updated_at);

-- name: assessment_count_submitted
SELECT count(*) AS n FROM assessment WHERE period_year = $year AND state <> 'draft';

-- name: score_insert
-- results: unit $year $unit_code
INSERT INTO score (period_year, unit_code, criterion_code, self_points, not_applicable, note,
                   explanation, updated_at, updated_by)
VALUES ($year, $unit_code, $criterion_code, $self_points, $not_applicable, $note, $explanation,
        $updated_at, $updated_by);

-- name: unit_progress
-- One row per unit of the year: its assessment state, how many self-assessed leaves are
-- scored, its self-assessed points so far and its survey answers.
WITH units AS (
    SELECT code, name, kind, district_code, district_name, province_code, province_name
    FROM unit_in_period WHERE period_year = $year
      AND (coalesce($province, '') = '' OR province_code = $province)
      AND (coalesce($district, '') = '' OR district_code = $district)
),
leaves AS (   -- each unit's self-assessed leaves, from the set its kind uses
    SELECT us.unit_code, c.code, c.max_points
    FROM unit_criteria_set us JOIN criterion c ON c.set_id = us.set_id
    WHERE us.period_year = $year AND c.is_leaf AND c.source = 'self_assessed'
),
leaf_counts AS (
    SELECT unit_code, count(*) AS leaves_total FROM leaves GROUP BY unit_code
),
scored AS (
    SELECT s.unit_code,
           count(*) FILTER (WHERE s.self_points IS NOT NULL OR s.not_applicable) AS leaves_done,
           coalesce(sum(s.self_points), 0) AS self_points,
           coalesce(sum(l.max_points) FILTER (WHERE NOT s.not_applicable), 0) AS na_free_max
    FROM score s JOIN leaves l ON l.unit_code = s.unit_code AND l.code = s.criterion_code
    WHERE s.period_year = $year
    GROUP BY s.unit_code
),
answers AS (   -- questionnaires that count (an administrator may exclude suspect ones)
    SELECT unit_code, count(*) AS survey_responses
    FROM survey_response WHERE period_year = $year AND NOT excluded
    GROUP BY unit_code
),
final AS (
    SELECT u.code AS unit_code, u.name AS unit_name, u.kind, u.district_code, u.district_name,
           u.province_code, u.province_name,
           coalesce(a.state, 'not_started') AS state, a.submitted_at, coalesce(a.is_late, FALSE) AS is_late,
           a.updated_at, a.reopened_until, a.reopen_reason,
           coalesce(sc.leaves_done, 0) AS leaves_done, coalesce(lc.leaves_total, 0) AS leaves_total,
           coalesce(sc.self_points, 0) AS self_points,
           coalesce(an.survey_responses, 0) AS survey_responses,
           coalesce(q.target, (SELECT survey_quota FROM period WHERE year = $year)) AS survey_target
    FROM units u
    LEFT JOIN assessment a ON a.period_year = $year AND a.unit_code = u.code
    LEFT JOIN scored sc ON sc.unit_code = u.code
    LEFT JOIN leaf_counts lc ON lc.unit_code = u.code
    LEFT JOIN answers an ON an.unit_code = u.code
    LEFT JOIN survey_quota q ON q.period_year = $year AND q.unit_code = u.code
)
SELECT * FROM final ORDER BY unit_code;

-- name: assessment_set_state
UPDATE assessment SET state = $state, submitted_at = $submitted_at, is_late = $is_late, updated_at = $updated_at
WHERE period_year = $year AND unit_code = $unit_code;

-- name: assessment_set_report
UPDATE assessment SET difficulties = $difficulties, recommendations = $recommendations, updated_at = $updated_at
WHERE period_year = $year AND unit_code = $unit_code;

-- name: assessment_reopen
UPDATE assessment SET state = 'draft', reopened_until = $reopened_until, reopen_reason = $reason, updated_at = $updated_at
WHERE period_year = $year AND unit_code = $unit_code;

-- name: assessment_touch
UPDATE assessment SET updated_at = $updated_at WHERE period_year = $year AND unit_code = $unit_code;

-- name: scores_of_unit
SELECT criterion_code, self_points, not_applicable, note, explanation, updated_at, updated_by
FROM score WHERE period_year = $year AND unit_code = $unit_code
ORDER BY criterion_code;

-- name: score_upsert
-- results: unit $year $unit_code
INSERT INTO score (period_year, unit_code, criterion_code, self_points, not_applicable, note,
                   explanation, updated_at, updated_by)
VALUES ($year, $unit_code, $criterion_code, $self_points, $not_applicable, $note, $explanation,
        $updated_at, $updated_by)
ON CONFLICT (period_year, unit_code, criterion_code) DO UPDATE SET
    self_points = excluded.self_points, not_applicable = excluded.not_applicable,
    note = excluded.note, explanation = excluded.explanation,
    updated_at = excluded.updated_at, updated_by = excluded.updated_by;

-- name: evidence_files_of_unit
SELECT id, criterion_code, sha256, file_name, kind, size_bytes, uploaded_at, uploaded_by
FROM evidence_file
WHERE period_year = $year AND unit_code = $unit_code AND NOT removed
ORDER BY criterion_code, id;

-- name: evidence_docs_of_unit
SELECT id, criterion_code, doc_number, issued_on, summary, created_at, created_by
FROM evidence_doc
WHERE period_year = $year AND unit_code = $unit_code AND NOT removed
ORDER BY criterion_code, id;

-- name: evidence_file_insert
INSERT INTO evidence_file (period_year, unit_code, criterion_code, sha256, file_name, kind,
                           size_bytes, uploaded_at, uploaded_by)
VALUES ($year, $unit_code, $criterion_code, $sha256, $file_name, $kind, $size_bytes, $at, $by)
RETURNING id;

-- name: evidence_doc_insert
INSERT INTO evidence_doc (period_year, unit_code, criterion_code, doc_number, issued_on, summary,
                          created_at, created_by)
VALUES ($year, $unit_code, $criterion_code, $doc_number, $issued_on, $summary, $at, $by)
RETURNING id;

-- name: evidence_file_get
SELECT * FROM evidence_file WHERE id = $id AND NOT removed;

-- name: evidence_doc_get
SELECT * FROM evidence_doc WHERE id = $id AND NOT removed;

-- name: evidence_file_remove
UPDATE evidence_file SET removed = TRUE WHERE id = $id;

-- name: evidence_doc_remove
UPDATE evidence_doc SET removed = TRUE WHERE id = $id;

-- name: evidence_doc_insert_plain
INSERT INTO evidence_doc (period_year, unit_code, criterion_code, doc_number, issued_on, summary,
                          created_at, created_by)
VALUES ($year, $unit_code, $criterion_code, $doc_number, $issued_on, $summary, $at, $by);

-- name: score_upsert_many
-- results: unit $year $unit_code
-- Many leaves of one unit in one statement (lists zipped by unnest).
INSERT INTO score (period_year, unit_code, criterion_code, self_points, not_applicable, note,
                   explanation, updated_at, updated_by)
SELECT $year, $unit_code, unnest($codes::VARCHAR[]), unnest($points::DECIMAL(7, 2)[]),
       unnest($not_applicable::BOOLEAN[]), unnest($notes::VARCHAR[]), unnest($explanations::VARCHAR[]),
       $updated_at, $updated_by
ON CONFLICT (period_year, unit_code, criterion_code) DO UPDATE SET
    self_points = excluded.self_points, not_applicable = excluded.not_applicable,
    note = excluded.note, explanation = excluded.explanation,
    updated_at = excluded.updated_at, updated_by = excluded.updated_by;

-- name: evidence_doc_remove_many
UPDATE evidence_doc SET removed = TRUE WHERE id IN (SELECT unnest($ids::BIGINT[]));

-- name: evidence_doc_insert_many
INSERT INTO evidence_doc (period_year, unit_code, criterion_code, doc_number, issued_on, summary,
                          created_at, created_by)
SELECT $year, $unit_code, unnest($codes::VARCHAR[]), unnest($numbers::VARCHAR[]),
       unnest($dates::DATE[]), unnest($summaries::VARCHAR[]), $at, $by;

-- name: score_get
SELECT * FROM score WHERE period_year = $year AND unit_code = $unit_code AND criterion_code = $code;

-- name: score_set_appraised
-- results: unit $year $unit_code
-- The council's score of a leaf (a row is created for leaves the commune does not score itself,
-- such as bonus and penalty).
INSERT INTO score (period_year, unit_code, criterion_code, self_points, not_applicable, note, explanation,
                   updated_at, updated_by, appraised_points)
VALUES ($year, $unit_code, $code, NULL, FALSE, '', '', $updated_at, $updated_by, $points)
ON CONFLICT (period_year, unit_code, criterion_code) DO UPDATE SET appraised_points = excluded.appraised_points;
