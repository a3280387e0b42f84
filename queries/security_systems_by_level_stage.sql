-- Information systems of the units in scope (市级 ones for city-wide viewers) per 等保 level and
-- lifecycle stage (定级 → 备案 → 建设整改 → 测评 → 监督检查).
WITH citywide AS (
    SELECT count(*) FILTER (WHERE NOT list_contains($scope, unit_code)) = 0 AS is_citywide
    FROM ref.units
)

SELECT
    s.level,
    any_value(s.level_name_zh) AS level_name_zh,
    any_value(s.level_name_en) AS level_name_en,
    s.stage,
    count(*) AS system_count
FROM marts.security_systems AS s, citywide AS c
WHERE list_contains($scope, s.unit_code) OR (s.unit_code IS NULL AND c.is_citywide)
GROUP BY s.level, s.stage
ORDER BY s.level, s.stage
