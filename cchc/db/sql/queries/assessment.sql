-- name: assessment_get
SELECT * FROM assessment WHERE period_year = $year AND unit_code = $unit_code;

-- name: assessment_insert
INSERT INTO assessment (period_year, unit_code, state, submitted_at, is_late, updated_at)
VALUES ($year, $unit_code, $state, $submitted_at, $is_late, $updated_at);

-- name: score_insert
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
set_leaves AS (   -- the self-assessed leaves of each set
    SELECT set_id, count(*) AS leaves_total FROM criterion WHERE is_leaf AND source = 'self_assessed' GROUP BY set_id
),
sets AS (     -- the set each unit uses (by its kind), with its count of self-assessed leaves
    SELECT us.unit_code, us.set_id, sl.leaves_total
    FROM unit_criteria_set us LEFT JOIN set_leaves sl ON sl.set_id = us.set_id
    WHERE us.period_year = $year
),
scored AS (   -- the unit's scores on those leaves (EXISTS, not a join: DuckDB then builds no
              -- unit × leaf table; half the time at 10,599 units, measured)
    SELECT s.unit_code,
           count(*) FILTER (WHERE s.self_points IS NOT NULL OR s.not_applicable) AS leaves_done,
           coalesce(sum(s.self_points), 0) AS self_points
    FROM score s
    JOIN sets us ON us.unit_code = s.unit_code
    WHERE s.period_year = $year
      AND EXISTS (SELECT 1 FROM criterion c WHERE c.set_id = us.set_id AND c.code = s.criterion_code
                  AND c.is_leaf AND c.source = 'self_assessed')
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
    LEFT JOIN sets lc ON lc.unit_code = u.code
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

-- name: score_update_many
-- Many leaves of one unit that have a score row already, in one statement (lists zipped by
-- unnest); the writer knows which rows exist (it has just read them to compare), and a plain
-- update takes about two thirds of the time of an INSERT … ON CONFLICT of the same rows.
UPDATE score SET self_points = v.points, not_applicable = v.not_applicable, note = v.note,
                 explanation = v.explanation, updated_at = $updated_at, updated_by = $updated_by
FROM (SELECT unnest($codes::VARCHAR[]) AS code, unnest($points::DECIMAL(7, 2)[]) AS points,
             unnest($not_applicable::BOOLEAN[]) AS not_applicable, unnest($notes::VARCHAR[]) AS note,
             unnest($explanations::VARCHAR[]) AS explanation) v
WHERE score.period_year = $year AND score.unit_code = $unit_code AND score.criterion_code = v.code;

-- name: score_insert_many
-- Many leaves of one unit without a score row yet, in one statement.
INSERT INTO score (period_year, unit_code, criterion_code, self_points, not_applicable, note,
                   explanation, updated_at, updated_by)
SELECT $year, $unit_code, unnest($codes::VARCHAR[]), unnest($points::DECIMAL(7, 2)[]),
       unnest($not_applicable::BOOLEAN[]), unnest($notes::VARCHAR[]), unnest($explanations::VARCHAR[]),
       $updated_at, $updated_by;

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
-- The council's score of a leaf (a row is created for leaves the commune does not score itself,
-- such as bonus and penalty).
INSERT INTO score (period_year, unit_code, criterion_code, self_points, not_applicable, note, explanation,
                   updated_at, updated_by, appraised_points)
VALUES ($year, $unit_code, $code, NULL, FALSE, '', '', $updated_at, $updated_by, $points)
ON CONFLICT (period_year, unit_code, criterion_code) DO UPDATE SET appraised_points = excluded.appraised_points;
