-- PostgreSQL's own blocks of queries/survey.sql (only those that differ).

-- name: survey_windows
-- As the shared block; the units as an array (array_agg) instead of a DuckDB list.
SELECT p.year, p.survey_opens, p.survey_closes, p.survey_needs_code,
       coalesce(array_agg(u.code) FILTER (WHERE u.code IS NOT NULL), '{}') AS units
FROM period p
LEFT JOIN unit u ON list_contains($codes::VARCHAR[], u.code) AND u.valid_from <= p.year
                AND (u.valid_to IS NULL OR u.valid_to >= p.year)
WHERE list_contains($years::INTEGER[], p.year)
GROUP BY p.year, p.survey_opens, p.survey_closes, p.survey_needs_code;
