-- Rows of one source ($stg_source) that passed every rule (stg.<source>), per unit in scope.
-- The unit is the row's unit_code or, failing that, the unit of its school (as the ETL
-- attributes quarantined rows). Only for sources whose rows have a unit or a school
-- (edusight.sources_catalog: unit_via); the table name comes from the source catalogue, never
-- from user input, and is bound, not formatted. Rows without a unit (city-level, such as 市级
-- systems) are visible to city-wide viewers only, with unit_code NULL.
WITH citywide AS (
    SELECT count(*) FILTER (WHERE NOT list_contains($scope, unit_code)) = 0 AS is_citywide
    FROM ref.units
),

grouped AS (
    SELECT
        COLUMNS('^(unit_code|school_id)$'),
        count(*) AS n
    FROM query_table('stg.' || $stg_source)
    GROUP BY ALL
),

as_json AS (
    SELECT to_json(grouped) AS j FROM grouped
),

by_unit AS (
    SELECT
        coalesce(a.j ->> 'unit_code', s.unit_code) AS unit_code,
        (a.j ->> 'n')::BIGINT AS n
    FROM as_json AS a
    LEFT JOIN stg.schools AS s ON s.school_id = a.j ->> 'school_id'
)

SELECT
    $stg_source AS source,
    unit_code,
    sum(n)::BIGINT AS rows_loaded
FROM by_unit, citywide
WHERE list_contains($scope, unit_code) OR (unit_code IS NULL AND citywide.is_citywide)
GROUP BY unit_code
ORDER BY unit_code NULLS LAST
