-- One row: when the database was built and what period its data covers (the freshness line).
-- Build metadata is not unit data: any viewer with a non-empty scope sees it.
SELECT
    max(value) FILTER (WHERE key = 'built_at') AS built_at,
    max(value) FILTER (WHERE key = 'as_of') AS as_of,
    max(value) FILTER (WHERE key = 'source_min_date') AS source_min_date,
    max(value) FILTER (WHERE key = 'source_max_date') AS source_max_date,
    max(value) FILTER (WHERE key = 'etl_version') AS etl_version,
    max(value) FILTER (WHERE key = 'seed') AS seed,
    max(value) FILTER (WHERE key = 'scale') AS scale
FROM meta.build_info
WHERE len($scope) > 0
