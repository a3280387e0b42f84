-- The tables present in the database (schema.table), so that the school profile queries only the
-- modules that have been built. stg.<source> are views (over raw."_<source>"), marts are tables.
-- Catalogue information: any viewer with a non-empty scope sees it.
SELECT schema_name || '.' || table_name AS table_ref
FROM duckdb_tables()
WHERE schema_name IN ('stg', 'marts') AND len($scope) > 0
UNION ALL
SELECT schema_name || '.' || view_name
FROM duckdb_views()
WHERE schema_name IN ('stg', 'marts') AND NOT internal AND len($scope) > 0
ORDER BY table_ref
