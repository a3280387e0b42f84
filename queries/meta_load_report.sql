-- Load report, one row per source file: rows read / loaded / quarantined and the quarantine rate.
-- File totals are processing counts of whole city-wide exports, not unit data: any viewer with a
-- non-empty scope sees them (the quarantined rows themselves are scoped: meta_quarantine.sql).
SELECT
    source,
    title_zh,
    title_en,
    file,
    rows_read,
    rows_loaded,
    rows_quarantined,
    round(100.0 * rows_quarantined / nullif(rows_read, 0), 2) AS quarantine_rate_pct,
    encoding,
    format
FROM meta.load_report
WHERE len($scope) > 0
ORDER BY source, file
