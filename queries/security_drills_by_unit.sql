-- Emergency drills per unit in scope: this year (the as-of date's year) by drill level, all
-- years, the latest drill date, and has_drill_this_year (units without one are flagged).
WITH as_of AS (
    SELECT CAST(max(value) FILTER (WHERE key = 'as_of') AS DATE) AS as_of FROM meta.build_info
)

SELECT
    u.unit_code,
    u.name_zh,
    u.name_en,
    year(a.as_of) AS this_year,
    count(d.drill_id) FILTER (WHERE d.drill_year = year(a.as_of)) AS drill_this_year_count,
    count(d.drill_id) FILTER (WHERE d.drill_year = year(a.as_of) AND d.level = '市级')
        AS city_drill_count,
    count(d.drill_id) FILTER (WHERE d.drill_year = year(a.as_of) AND d.level = '区县级')
        AS unit_drill_count,
    count(d.drill_id) FILTER (WHERE d.drill_year = year(a.as_of) AND d.level = '校级')
        AS school_drill_count,
    count(d.drill_id) AS drill_total_count,
    max(d.drill_on) AS last_drill_on,
    count(d.drill_id) FILTER (WHERE d.drill_year = year(a.as_of)) > 0 AS has_drill_this_year
FROM ref.units AS u
CROSS JOIN as_of AS a
LEFT JOIN marts.security_drills AS d ON d.unit_code = u.unit_code
WHERE list_contains($scope, u.unit_code)
GROUP BY u.unit_code, u.name_zh, u.name_en, a.as_of
ORDER BY has_drill_this_year, starts_with(u.unit_code, 'Z'), u.unit_code
