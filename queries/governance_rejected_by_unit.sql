-- Rejected source rows per source, unit and standard of plan item (十) the viewer may see:
-- rows_failing counts distinct source rows (file, line) that failed at least one rule of the
-- standard; standard 'any' counts the rows rejected for any rule (the rows not loaded).
-- Rules missing from ref.rule_standards count as 'unmapped' (a unit test keeps it empty).
-- Rows whose unit could not be identified (unit_code NULL) are visible city-wide only.
WITH citywide AS (
    SELECT count(*) FILTER (WHERE NOT list_contains($scope, unit_code)) = 0 AS is_citywide
    FROM ref.units
),

visible AS (
    SELECT q.*
    FROM meta.quarantine AS q, citywide
    WHERE list_contains($scope, q.unit_code) OR (q.unit_code IS NULL AND citywide.is_citywide)
),

issues AS (
    SELECT
        v.source,
        v.file,
        v.line,
        v.unit_code,
        coalesce(r.standard, 'unmapped') AS standard
    FROM visible AS v
    LEFT JOIN ref.rule_standards AS r ON r.rule = v.rule
)

SELECT
    source,
    unit_code,
    standard,
    count(DISTINCT (file, line)) AS rows_failing
FROM issues
GROUP BY source, unit_code, standard
UNION ALL
SELECT
    source,
    unit_code,
    'any' AS standard,
    count(DISTINCT (file, line)) AS rows_failing
FROM issues
GROUP BY source, unit_code
ORDER BY source, unit_code, standard
