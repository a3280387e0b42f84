-- Emergency drills organized by the units in scope per year and drill level.
SELECT drill_year, level, count(*) AS drill_count
FROM marts.security_drills
WHERE list_contains($scope, unit_code)
GROUP BY ALL
ORDER BY drill_year, level
