-- Loaded resources per unit in scope that miss at least one required element of the
-- resource-metadata standard that applies to them (marts.resource_metadata_checks, built from
-- data/reference/resource_metadata_standard.csv): the load-time part of 教育资源元数据 conformance
-- is in meta.quarantine (governance_rejected_by_unit.sql).
SELECT
    'resources' AS source,
    unit_code,
    'resource_metadata' AS standard,
    count(DISTINCT resource_id) AS rows_loaded,
    count(DISTINCT resource_id) FILTER (
        WHERE is_applicable AND is_required AND NOT is_ok
    ) AS rows_failing
FROM marts.resource_metadata_checks
WHERE list_contains($scope, unit_code)
GROUP BY unit_code
ORDER BY unit_code
