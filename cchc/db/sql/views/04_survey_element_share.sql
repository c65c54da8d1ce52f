-- Citizens' satisfaction per unit and SIPAS element (1..5): for each question the share of
-- valid answers that say Hài lòng or Rất hài lòng (4 or 5), averaged over the element's
-- questions. Excluded responses are left out; flagged ones count until an administrator
-- excludes them.
CREATE OR REPLACE VIEW survey_element_share AS
WITH valid AS (
    SELECT r.period_year, r.unit_code, a.element, a.question, a.value
    FROM survey_response r JOIN survey_answer a ON a.response_id = r.id
    WHERE NOT r.excluded AND a.value BETWEEN 1 AND 5 AND a.element BETWEEN 1 AND 5
),
per_question AS (
    SELECT period_year, unit_code, element, question,
           count(*) AS answers, count(*) FILTER (WHERE value >= 4) AS satisfied,
           CAST(count(*) FILTER (WHERE value >= 4) AS DOUBLE PRECISION) / count(*) AS share
    FROM valid GROUP BY period_year, unit_code, element, question
),
final AS (
    SELECT period_year, unit_code, element,
           CAST(sum(answers) AS BIGINT) AS answers, CAST(sum(satisfied) AS BIGINT) AS satisfied, CAST(avg(share) AS DOUBLE PRECISION) AS share
    FROM per_question GROUP BY period_year, unit_code, element
)
SELECT * FROM final;
