-- Cybersecurity (work items 十六–十八): the 等保 registry, incident notices, drills, education
-- apps. Dates that depend on "today" (overdue tests and rectifications, drills this year) are
-- computed at page time against the data's as-of date (meta.build_info), not here.

-- marts.security_systems: one row per information system with its 等保 level (names and the
-- level's test interval from data/reference/dengbao_levels.csv). unit_code is NULL for 市级
-- systems (visible to city-wide viewers only).
CREATE OR REPLACE TABLE marts.security_systems AS
SELECT
    s.system_id,
    s.system_name,
    s.admin_level,
    s.operator,
    s.unit_code,
    s.school_id,
    s.kind,
    s.level,
    l.name_zh AS level_name_zh,
    l.name_en AS level_name_en,
    CAST(l.test_interval_months AS INTEGER) AS test_interval_months,
    s.stage,
    s.graded_on,
    s.filed_on,
    s.filed_on IS NOT NULL AS is_filed,
    s.last_test_on,
    s.test_result,
    s.next_test_due,
    s.is_cii,
    s.has_personal_info
FROM stg.info_systems AS s
LEFT JOIN ref.dengbao_levels AS l ON CAST(l.level AS INTEGER) = s.level
ORDER BY s.unit_code NULLS FIRST, s.system_id;

-- marts.security_incidents: one row per incident notice.
CREATE OR REPLACE TABLE marts.security_incidents AS
SELECT
    i.incident_id,
    i.found_on,
    i.notified_on,
    i.unit_code,
    i.school_id,
    i.system_id,
    i.category,
    i.severity,
    i.channel,
    i.deadline,
    i.rectified_on,
    i.status
FROM stg.security_incidents AS i
ORDER BY i.notified_on, i.incident_id;

-- marts.security_drills: one row per emergency drill.
CREATE OR REPLACE TABLE marts.security_drills AS
SELECT
    d.drill_id,
    d.unit_code,
    d.school_id,
    d.level,
    d.drill_on,
    year(d.drill_on) AS drill_year,
    d.scenario,
    d.form,
    d.participants AS participant_count,
    d.has_report
FROM stg.security_drills AS d
ORDER BY d.drill_on, d.drill_id;

-- marts.edu_apps: one row per user filing of an education app.
CREATE OR REPLACE TABLE marts.edu_apps AS
SELECT
    a.filing_id,
    a.app_id,
    a.app_name,
    a.app_type,
    a.provider,
    a.has_mlps_filing,
    a.collects_personal_info,
    a.unit_code,
    a.school_id,
    a.status,
    a.filed_on,
    a.cleaned_on
FROM stg.edu_apps AS a
ORDER BY a.unit_code, a.filing_id;
