-- PostgreSQL's own blocks of queries/results.sql (only those that differ).

-- name: results_by_place
-- As the shared block; the first unit in the ranking as a JSON object instead of a struct.
WITH placed AS (
    SELECT CASE WHEN $province IS NULL THEN province_code ELSE district_code END AS place_code,
           CASE WHEN $province IS NULL THEN province_name ELSE district_name END AS place_name, *
    FROM unit_result
    WHERE period_year = $year AND ($province IS NULL OR province_code = $province)
)
SELECT place_code, min(place_name) AS place_name, count(*) AS units,
       count(*) FILTER (WHERE state NOT IN ('not_started', 'draft')) AS handed_in,
       count(*) FILTER (WHERE is_final) AS final,
       sum(index ORDER BY rank, unit_code) AS index_sum, count(index) AS ranked,
       count(*) FILTER (WHERE class = 'Tốt') AS good, count(*) FILTER (WHERE class = 'Khá') AS fair,
       count(*) FILTER (WHERE class = 'Trung bình') AS average, count(*) FILTER (WHERE class = 'Yếu') AS weak,
       (array_agg(jsonb_build_object('rank', rank, 'code', unit_code) ORDER BY rank NULLS LAST, unit_code))[1]
           AS first_in_ranking
FROM placed
GROUP BY place_code;
