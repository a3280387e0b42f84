-- 等保 filings with 公安 per year filed, by level, for the systems of the units in scope
-- (市级 systems for city-wide viewers only).
WITH citywide AS (
    SELECT count(*) FILTER (WHERE NOT list_contains($scope, unit_code)) = 0 AS is_citywide
    FROM ref.units
)

SELECT year(s.filed_on) AS filed_year, s.level, count(*) AS filing_count
FROM marts.security_systems AS s, citywide AS c
WHERE s.filed_on IS NOT NULL
  AND (list_contains($scope, s.unit_code) OR (s.unit_code IS NULL AND c.is_citywide))
GROUP BY ALL
ORDER BY filed_year, s.level
