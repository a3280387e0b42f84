-- The values the quarantine browser can filter on, with issue counts: one row per
-- (standard, source, rule, file, unit) among the issues the viewer may see, with the rule's
-- labels. unit_code '' stands for "no unit identified" (visible to city-wide viewers only).
WITH citywide AS (
    SELECT count(*) FILTER (WHERE NOT list_contains($scope, unit_code)) = 0 AS is_citywide
    FROM ref.units
),

visible AS (
    SELECT q.*
    FROM meta.quarantine AS q, citywide
    WHERE list_contains($scope, q.unit_code) OR (q.unit_code IS NULL AND citywide.is_citywide)
)

SELECT
    coalesce(r.standard, 'unmapped') AS standard,
    v.source,
    v.rule,
    coalesce(r.label_zh, v.rule) AS rule_label_zh,
    coalesce(r.label_en, v.rule) AS rule_label_en,
    v.file,
    coalesce(v.unit_code, '') AS unit_code,
    count(*) AS issue_count
FROM visible AS v
LEFT JOIN ref.rule_standards AS r ON r.rule = v.rule
GROUP BY ALL
ORDER BY standard, v.source, v.rule, v.file, unit_code
