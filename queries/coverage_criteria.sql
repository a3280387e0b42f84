-- The digital-campus pass rule as loaded from data/reference/campus_criteria.csv and
-- campus_rule.csv: one row per dimension (name, weight, minimum score) with the rule's weighted
-- pass score and whether every dimension must reach its minimum. Reference data: any viewer with
-- a non-empty scope sees it.
WITH rule AS (
    SELECT
        max(CASE WHEN key = 'pass_weighted_score' THEN CAST(value AS DOUBLE) END)
            AS pass_weighted_score,
        coalesce(
            max(CASE WHEN key = 'all_dimensions_min' THEN lower(value) = 'true' END), true
        ) AS is_all_dimensions_min
    FROM ref.campus_rule
)

SELECT
    c.dimension,
    c.name_zh,
    c.name_en,
    CAST(c.weight AS DOUBLE) AS weight,
    CAST(c.min_score AS DOUBLE) AS min_score,
    r.pass_weighted_score,
    r.is_all_dimensions_min
FROM ref.campus_criteria AS c, rule AS r
WHERE len($scope) > 0
ORDER BY c.rowid
