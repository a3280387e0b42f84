-- The tables present in the database (schema.table), so that the school profile queries only the
-- modules that have been built. Catalogue information: any viewer with a non-empty scope sees it.
SELECT schema_name || '.' || table_name AS table_ref
FROM duckdb_tables()
WHERE schema_name IN ('stg', 'marts') AND len($scope) > 0
ORDER BY table_ref
