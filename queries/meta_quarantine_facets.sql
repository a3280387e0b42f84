-- The values the quarantine browser can filter on, with issue counts: one row per
-- (source, rule, file, unit) among the issues the viewer may see.
-- unit_code '' stands for "no unit identified" (visible to city-wide viewers only).
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
    source,
    rule,
    file,
    coalesce(unit_code, '') AS unit_code,
    count(*) AS issue_count
FROM visible
GROUP BY ALL
ORDER BY source, rule, file, unit_code
