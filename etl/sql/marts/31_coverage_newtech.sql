-- New technology and demonstration (work items 六, 八), for the digital-campus coverage page and
-- the school profile. Pages read these marts, never stg.

-- marts.coverage_equipment: one row per school and statistical year, the equipment ledger with
-- the school's unit (2022 = position at the data's as-of date).
CREATE OR REPLACE TABLE marts.coverage_equipment AS
SELECT
    e.school_id,
    s.unit_code,
    s.is_campus_scope,
    e.year,
    e.bandwidth_mbps,
    e.wifi_teaching_pct,
    e.classroom_count,
    e.multimedia_classroom_count,
    e.smart_classroom_count,
    e.teacher_terminal_count,
    e.student_terminal_count,
    e.maker_lab_count,
    e.vr_lab_count,
    e.steam_lab_count,
    e.has_ipv6,
    e.is_5g_demo,
    e.is_iot_pilot
FROM stg.equipment AS e
JOIN marts.schools AS s USING (school_id)
ORDER BY s.unit_code, e.school_id, e.year;

-- marts.coverage_demonstration: every pilot or demonstration project with its kind's scope
-- (unit: 示范区/试点区, school: 示范校/试点校) and English name.
CREATE OR REPLACE TABLE marts.coverage_demonstration AS
SELECT
    d.project_id,
    d.kind AS kind_zh,
    k.kind_en,
    k.scope AS kind_scope,
    k.plan_item,
    d.tier,
    d.batch_year,
    d.unit_code,
    d.school_id,
    d.status,
    d.status = '通过验收' AS is_accepted,
    d.accepted_on
FROM stg.demonstration AS d
JOIN ref.demonstration_kinds AS k ON k.kind_zh = d.kind
ORDER BY d.unit_code, d.kind, d.project_id;
