-- The information-system registry of the units in scope (市级 systems, without a unit, for
-- city-wide viewers only): 等保 level, lifecycle stage, test dates and whether the level's
-- required test is overdue at the data's as-of date (next_test_due before it); overdue first.
WITH as_of AS (
    SELECT CAST(max(value) FILTER (WHERE key = 'as_of') AS DATE) AS as_of FROM meta.build_info
),

citywide AS (
    SELECT count(*) FILTER (WHERE NOT list_contains($scope, unit_code)) = 0 AS is_citywide
    FROM ref.units
)

SELECT
    s.system_id,
    s.system_name,
    s.admin_level,
    s.operator,
    s.unit_code,
    u.name_zh AS unit_name_zh,
    u.name_en AS unit_name_en,
    s.kind,
    s.level,
    s.level_name_zh,
    s.level_name_en,
    s.test_interval_months,
    s.stage,
    s.graded_on,
    s.filed_on,
    s.last_test_on,
    s.test_result,
    s.next_test_due,
    coalesce(s.next_test_due < a.as_of, false) AS is_test_overdue,
    CASE WHEN s.next_test_due < a.as_of THEN a.as_of - s.next_test_due END AS overdue_days,
    s.is_cii,
    s.has_personal_info
FROM marts.security_systems AS s
CROSS JOIN as_of AS a
CROSS JOIN citywide AS c
LEFT JOIN ref.units AS u ON u.unit_code = s.unit_code
WHERE list_contains($scope, s.unit_code) OR (s.unit_code IS NULL AND c.is_citywide)
ORDER BY is_test_overdue DESC, overdue_days DESC NULLS LAST, s.is_cii DESC, s.level DESC,
    s.system_id
