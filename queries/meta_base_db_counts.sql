-- The four base databases (学生/教师/学校/装备): rows and latest record date within the scope.
-- Always four rows, in that order (row_count 0 when the scope has none).
WITH bases AS (
    SELECT * FROM (
        VALUES ('students', 1), ('teachers', 2), ('schools', 3), ('equipment', 4)
    ) AS b (base, base_order)
)

SELECT
    bases.base,
    coalesce(sum(c.row_count), 0)::BIGINT AS row_count,
    max(c.latest_date) AS latest_date,
    count(DISTINCT c.unit_code) AS unit_count
FROM bases
LEFT JOIN marts.base_db_counts AS c
    ON c.base = bases.base AND list_contains($scope, c.unit_code)
GROUP BY bases.base, bases.base_order
ORDER BY bases.base_order
