-- New technology by unit (work item 六): for each unit in scope, the equipment ledger's latest
-- statistical year up to the year of $period, over its in-scope schools (中小学/中职): schools
-- serving IPv6, 5G demonstration schools, IoT pilots, smart classrooms and 创客 / 虚拟仿真 / STEAM
-- labs. Shares are of the schools with a ledger row that year.
WITH selected AS (
    SELECT year(period_start) AS year FROM marts.periods WHERE period = $period
),

latest AS (
    SELECT max(e.year) AS year
    FROM marts.coverage_equipment AS e, selected AS s
    WHERE e.year <= s.year
),

rows AS (
    SELECT e.*
    FROM marts.coverage_equipment AS e, latest AS l
    WHERE e.year = l.year AND e.is_campus_scope AND list_contains($scope, e.unit_code)
),

by_unit AS (
    SELECT
        unit_code,
        count(*) AS school_count,
        count(*) FILTER (WHERE has_ipv6) AS ipv6_count,
        count(*) FILTER (WHERE is_5g_demo) AS demo_5g_count,
        count(*) FILTER (WHERE is_iot_pilot) AS iot_pilot_count,
        sum(smart_classroom_count) AS smart_classroom_count,
        sum(classroom_count) AS classroom_count,
        sum(maker_lab_count) AS maker_lab_count,
        sum(vr_lab_count) AS vr_lab_count,
        sum(steam_lab_count) AS steam_lab_count,
        count(*) FILTER (WHERE maker_lab_count + vr_lab_count + steam_lab_count > 0)
            AS with_lab_count
    FROM rows
    GROUP BY unit_code
)

SELECT
    u.unit_code,
    u.name_zh,
    u.name_en,
    u.is_zone,
    u.category,
    l.year,
    coalesce(b.school_count, 0) AS school_count,
    coalesce(b.ipv6_count, 0) AS ipv6_count,
    round(100.0 * b.ipv6_count / nullif(b.school_count, 0), 1) AS ipv6_pct,
    coalesce(b.demo_5g_count, 0) AS demo_5g_count,
    coalesce(b.iot_pilot_count, 0) AS iot_pilot_count,
    coalesce(b.smart_classroom_count, 0)::BIGINT AS smart_classroom_count,
    round(100.0 * b.smart_classroom_count / nullif(b.classroom_count, 0), 1)
        AS smart_classroom_pct,
    coalesce(b.maker_lab_count, 0)::BIGINT AS maker_lab_count,
    coalesce(b.vr_lab_count, 0)::BIGINT AS vr_lab_count,
    coalesce(b.steam_lab_count, 0)::BIGINT AS steam_lab_count,
    coalesce(b.with_lab_count, 0) AS with_lab_count,
    round(100.0 * b.with_lab_count / nullif(b.school_count, 0), 1) AS with_lab_pct
FROM marts.units AS u
CROSS JOIN latest AS l
LEFT JOIN by_unit AS b USING (unit_code)
WHERE list_contains($scope, u.unit_code)
ORDER BY u.is_zone, u.unit_code
