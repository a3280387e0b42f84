-- One row: the cybersecurity position of the units in scope at the data's as-of date
-- (meta.build_info). 市级 systems (no unit) count for city-wide viewers only.
-- filing base: systems of level ≥ 2 (level 1 needs no 公安 filing); test base: levels with a
-- required test interval (3: yearly, 4: half-yearly; data/reference/dengbao_levels.csv).
WITH as_of AS (
    SELECT CAST(max(value) FILTER (WHERE key = 'as_of') AS DATE) AS as_of FROM meta.build_info
),

citywide AS (
    SELECT count(*) FILTER (WHERE NOT list_contains($scope, unit_code)) = 0 AS is_citywide
    FROM ref.units
),

systems AS (
    SELECT s.*
    FROM marts.security_systems AS s, citywide
    WHERE list_contains($scope, s.unit_code) OR (s.unit_code IS NULL AND citywide.is_citywide)
),

sys AS (
    SELECT
        count(*) AS system_count,
        count(*) FILTER (WHERE level >= 2) AS level2plus_count,
        count(*) FILTER (WHERE level >= 2 AND is_filed) AS filed_count,
        count(*) FILTER (WHERE test_interval_months IS NOT NULL) AS test_required_count,
        count(*) FILTER (WHERE next_test_due < (SELECT as_of FROM as_of)) AS overdue_test_count,
        count(*) FILTER (WHERE is_cii) AS cii_count
    FROM systems
),

inc AS (
    SELECT
        count(*) AS incident_count,
        count(*) FILTER (WHERE status <> '已整改') AS open_incident_count,
        count(*) FILTER (
            WHERE status = '逾期' OR (status <> '已整改' AND deadline < (SELECT as_of FROM as_of))
        ) AS overdue_incident_count
    FROM marts.security_incidents
    WHERE list_contains($scope, unit_code)
),

drills AS (
    SELECT count(*) FILTER (WHERE n = 0) AS units_without_drill_count, count(*) AS unit_count
    FROM (
        SELECT u.unit_code, count(d.drill_id) AS n
        FROM ref.units AS u
        LEFT JOIN marts.security_drills AS d
            ON d.unit_code = u.unit_code AND d.drill_year = year((SELECT as_of FROM as_of))
        WHERE list_contains($scope, u.unit_code)
        GROUP BY u.unit_code
    )
),

apps AS (
    SELECT
        count(*) AS app_filing_count,
        count(*) FILTER (WHERE status = '待清理') AS to_clean_count,
        count(*) FILTER (WHERE status = '已清理') AS cleaned_count
    FROM marts.edu_apps
    WHERE list_contains($scope, unit_code)
)

SELECT
    (SELECT as_of FROM as_of) AS as_of,
    sys.*,
    round(100.0 * sys.filed_count / nullif(sys.level2plus_count, 0), 1) AS filed_pct,
    inc.*,
    drills.*,
    apps.*
FROM sys, inc, drills, apps
