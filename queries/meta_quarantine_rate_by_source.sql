-- Quarantine rate per source (all files of a source together), highest first.
-- Same visibility as meta_load_report.sql: city-wide processing counts.
SELECT
    source,
    any_value(title_zh) AS title_zh,
    any_value(title_en) AS title_en,
    count(*) AS file_count,
    sum(rows_read)::BIGINT AS rows_read,
    sum(rows_loaded)::BIGINT AS rows_loaded,
    sum(rows_quarantined)::BIGINT AS rows_quarantined,
    round(100.0 * sum(rows_quarantined) / nullif(sum(rows_read), 0), 2) AS quarantine_rate_pct
FROM meta.load_report
WHERE len($scope) > 0
GROUP BY source
ORDER BY quarantine_rate_pct DESC NULLS LAST, source
