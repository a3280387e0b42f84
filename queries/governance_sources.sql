-- Per source: files loaded, rows read / loaded / rejected, encodings and formats, unknown
-- headers, rows that could not be parsed (field_count), and when the database was built.
-- Processing counts of whole city-wide exports (like meta_load_report.sql): any viewer with a
-- non-empty scope sees them.
WITH files AS (
    SELECT
        source,
        count(*) AS file_count,
        string_agg(file, ' · ' ORDER BY file) AS files,
        sum(rows_read)::BIGINT AS rows_read,
        sum(rows_loaded)::BIGINT AS rows_loaded,
        sum(rows_quarantined)::BIGINT AS rows_quarantined,
        string_agg(DISTINCT encoding, ' · ') AS encodings,
        string_agg(DISTINCT format, ' · ') AS formats,
        string_agg(DISTINCT nullif(unknown_headers, ''), ', ') AS unknown_headers
    FROM meta.load_report
    GROUP BY source
),

unparsed AS (
    SELECT source, count(*) AS unparsed_count
    FROM meta.quarantine
    WHERE rule = 'field_count'
    GROUP BY source
),

built AS (
    SELECT max(value) FILTER (WHERE key = 'built_at') AS built_at FROM meta.build_info
)

SELECT
    f.source,
    f.file_count,
    f.files,
    f.rows_read,
    f.rows_loaded,
    f.rows_quarantined,
    round(100.0 * f.rows_loaded / nullif(f.rows_read, 0), 2) AS loaded_pct,
    f.encodings,
    f.formats,
    coalesce(f.unknown_headers, '') AS unknown_headers,
    coalesce(u.unparsed_count, 0)::BIGINT AS unparsed_count,
    b.built_at
FROM files AS f
CROSS JOIN built AS b
LEFT JOIN unparsed AS u ON u.source = f.source
WHERE len($scope) > 0
ORDER BY f.source
