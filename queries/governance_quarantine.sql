-- The quarantine browser: rejected source rows the viewer may see (one row per rejected row
-- and failed rule) with the rule's standard, label and explanation (ref.rule_standards); the
-- ETL's own message stays in `message` (the detail). Filtered, at most $limit rows, with the
-- total before the limit in total_count.
-- Filters: $standard, $source, $rule, $file: NULL = all; $unit: NULL = all, '' = no unit.
-- Rows whose unit could not be identified (unit_code NULL) are visible to city-wide viewers only.
-- value is as stored by the ETL: personal columns are already masked.
WITH citywide AS (
    SELECT count(*) FILTER (WHERE NOT list_contains($scope, unit_code)) = 0 AS is_citywide
    FROM ref.units
),

visible AS (
    SELECT q.*
    FROM meta.quarantine AS q, citywide
    WHERE list_contains($scope, q.unit_code) OR (q.unit_code IS NULL AND citywide.is_citywide)
),

source_titles AS (
    SELECT source, any_value(title_zh) AS title_zh, any_value(title_en) AS title_en
    FROM meta.load_report
    GROUP BY source
)

SELECT
    v.source,
    s.title_zh AS source_title_zh,
    s.title_en AS source_title_en,
    v.file,
    v.line,
    v.column_name,
    coalesce(r.standard, 'unmapped') AS standard,
    v.rule,
    coalesce(r.label_zh, v.rule) AS rule_label_zh,
    coalesce(r.label_en, v.rule) AS rule_label_en,
    r.explanation_zh,
    r.explanation_en,
    v.value,
    v.message,
    v.unit_code,
    u.name_zh AS unit_name_zh,
    u.name_en AS unit_name_en,
    count(*) OVER () AS total_count
FROM visible AS v
LEFT JOIN source_titles AS s ON s.source = v.source
LEFT JOIN ref.rule_standards AS r ON r.rule = v.rule
LEFT JOIN ref.units AS u ON u.unit_code = v.unit_code
WHERE ($standard IS NULL OR coalesce(r.standard, 'unmapped') = $standard)
  AND ($source IS NULL OR v.source = $source)
  AND ($rule IS NULL OR v.rule = $rule)
  AND ($file IS NULL OR v.file = $file)
  AND ($unit IS NULL OR coalesce(v.unit_code, '') = $unit)
ORDER BY v.source, v.file, v.line, v.column_name, v.rule
LIMIT $limit
