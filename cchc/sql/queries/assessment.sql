-- name: assessment_get
SELECT * FROM assessment WHERE period_year = $year AND unit_code = $unit_code;

-- name: assessment_insert
INSERT INTO assessment (period_year, unit_code, state, submitted_at, is_late, updated_at)
VALUES ($year, $unit_code, $state, $submitted_at, $is_late, $updated_at);

-- name: assessment_count_submitted
SELECT count(*) AS n FROM assessment WHERE period_year = $year AND state <> 'draft';

-- name: score_insert
INSERT INTO score (period_year, unit_code, criterion_code, self_points, not_applicable, note,
                   explanation, updated_at, updated_by)
VALUES ($year, $unit_code, $criterion_code, $self_points, $not_applicable, $note, $explanation,
        $updated_at, $updated_by);

-- name: unit_progress
-- One row per unit of the year: its assessment state, how many self-assessed leaves are
-- scored, its self-assessed points so far and its survey answers.
WITH units AS (
    SELECT code, name, kind FROM unit
    WHERE valid_from <= $year AND (valid_to IS NULL OR valid_to >= $year)
),
leaves AS (
    SELECT c.code, c.max_points
    FROM period p JOIN criterion c ON c.set_id = p.criteria_set_id
    WHERE p.year = $year AND c.is_leaf AND c.source = 'self_assessed'
),
scored AS (
    SELECT s.unit_code,
           count(*) FILTER (WHERE s.self_points IS NOT NULL OR s.not_applicable) AS leaves_done,
           coalesce(sum(s.self_points), 0) AS self_points,
           coalesce(sum(l.max_points) FILTER (WHERE NOT s.not_applicable), 0) AS na_free_max
    FROM score s JOIN leaves l ON l.code = s.criterion_code
    WHERE s.period_year = $year
    GROUP BY s.unit_code
),
answers AS (
    SELECT unit_code, count(*) AS survey_responses
    FROM survey_response WHERE period_year = $year
    GROUP BY unit_code
),
final AS (
    SELECT u.code AS unit_code, u.name AS unit_name, u.kind,
           coalesce(a.state, 'not_started') AS state, a.submitted_at, coalesce(a.is_late, FALSE) AS is_late,
           coalesce(sc.leaves_done, 0) AS leaves_done, (SELECT count(*) FROM leaves) AS leaves_total,
           coalesce(sc.self_points, 0) AS self_points,
           coalesce(an.survey_responses, 0) AS survey_responses
    FROM units u
    LEFT JOIN assessment a ON a.period_year = $year AND a.unit_code = u.code
    LEFT JOIN scored sc ON sc.unit_code = u.code
    LEFT JOIN answers an ON an.unit_code = u.code
)
SELECT * FROM final ORDER BY unit_code;
