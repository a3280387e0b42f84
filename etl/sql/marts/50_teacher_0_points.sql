-- 教师信息技术应用能力提升工程2.0 (work item 十四), part 0: the rules, and each teacher's
-- micro-ability points (微能力测评). Nothing here reads training sessions: the build runs this
-- file as soon as the assessments are loaded, beside the sessions' load, and part 1 (which
-- waits for the sessions) only joins the result. Method: docs/teachers.md.

-- marts.teacher_rules: the rules of training_rules.csv as one typed row, plus the as-of date (the
-- last day of the last reporting quarter, marts.periods). The two B-environment thresholds are
-- optional keys (defaults 0.12 terminals per pupil, 85 % Wi-Fi: the generator's assumption).
CREATE OR REPLACE TABLE marts.teacher_rules AS
WITH kv AS (SELECT key, value FROM ref.training_rules),
v AS (
    SELECT
        any_value(value) FILTER (WHERE key = 'scope_levels') AS scope_levels,
        any_value(value) FILTER (WHERE key = 'passing_grades') AS passing_grades,
        CAST(any_value(value) FILTER (WHERE key = 'min_total_hours') AS DOUBLE) AS min_total_hours,
        CAST(any_value(value) FILTER (WHERE key = 'min_online_hours') AS DOUBLE) AS min_online_hours,
        CAST(any_value(value) FILTER (WHERE key = 'min_practice_hours') AS DOUBLE)
            AS min_practice_hours,
        CAST(any_value(value) FILTER (WHERE key = 'min_points_passed') AS INTEGER)
            AS min_points_passed,
        CAST(any_value(value) FILTER (WHERE key = 'min_dimensions') AS INTEGER) AS min_dimensions,
        CAST(any_value(value) FILTER (WHERE key = 'quota_2020') AS DOUBLE) AS quota_2020,
        CAST(any_value(value) FILTER (WHERE key = 'quota_2021') AS DOUBLE) AS quota_2021,
        CAST(any_value(value) FILTER (WHERE key = 'quota_2022') AS DOUBLE) AS quota_2022,
        CAST(any_value(value) FILTER (WHERE key = 'deadline') AS DATE) AS deadline,
        CAST(any_value(value) FILTER (WHERE key = 'project_start') AS DATE) AS project_start,
        CAST(any_value(value) FILTER (WHERE key = 'max_online_session_hours') AS DOUBLE)
            AS max_online_session_hours,
        CAST(any_value(value) FILTER (WHERE key = 'max_practice_session_hours') AS DOUBLE)
            AS max_practice_session_hours,
        CAST(any_value(value) FILTER (WHERE key = 'flag_credit_wallclock_ratio') AS DOUBLE)
            AS flag_credit_wallclock_ratio,
        CAST(any_value(value) FILTER (WHERE key = 'flag_night_window_start') AS TIME)
            AS flag_night_window_start,
        CAST(any_value(value) FILTER (WHERE key = 'flag_night_window_end') AS TIME)
            AS flag_night_window_end,
        CAST(any_value(value) FILTER (WHERE key = 'flag_night_min_hours') AS DOUBLE)
            AS flag_night_min_hours,
        CAST(any_value(value) FILTER (WHERE key = 'flag_night_min_share') AS DOUBLE)
            AS flag_night_min_share,
        CAST(any_value(value) FILTER (WHERE key = 'flag_unattended_video_seconds') AS BIGINT)
            AS flag_unattended_video_seconds,
        CAST(any_value(value) FILTER (WHERE key = 'flag_all_online_min_hours') AS DOUBLE)
            AS flag_all_online_min_hours,
        CAST(any_value(value) FILTER (WHERE key = 'flag_identical_min_sessions') AS INTEGER)
            AS flag_identical_min_sessions,
        CAST(any_value(value) FILTER (WHERE key = 'flag_identical_min_teachers') AS INTEGER)
            AS flag_identical_min_teachers,
        CAST(any_value(value) FILTER (WHERE key = 'flag_c_points_max_smart_classrooms') AS INTEGER)
            AS flag_c_points_max_smart_classrooms,
        coalesce(CAST(any_value(value) FILTER (
            WHERE key = 'flag_b_points_min_terminals_per_pupil') AS DOUBLE), 0.12)
            AS flag_b_points_min_terminals_per_pupil,
        coalesce(CAST(any_value(value) FILTER (
            WHERE key = 'flag_b_points_min_wifi_pct') AS DOUBLE), 85.0)
            AS flag_b_points_min_wifi_pct
    FROM kv
)
SELECT
    v.*,
    (SELECT max(period_end) FROM marts.periods) AS as_of
FROM v;

-- per teacher: points submitted, passed, excellent, failing, pending; dimensions passed; and the
-- day the points rule was met (the later of the days the min_points_passed-th point and the
-- min_dimensions-th dimension were first passed). Read by part 1 into marts.teacher_status,
-- then dropped there.
CREATE OR REPLACE TABLE marts.teacher_points_tmp AS
WITH r AS (SELECT * FROM marts.teacher_rules),
tp AS (  -- per teacher and point: submitted, passed (first day), failed, pending
    SELECT
        a.teacher_key,
        a.point_code,
        m.dimension_zh,
        min(a.assessed_on) FILTER (
            WHERE list_contains(string_split(r.passing_grades, '|'), a.grade)) AS passed_on,
        bool_or(a.grade = '优秀') AS is_excellent,
        bool_or(a.grade = '不合格') AS has_fail,
        bool_or(a.grade IS NULL) AS has_pending
    FROM stg.micro_assessments AS a
    JOIN ref.micro_abilities AS m ON m.code = a.point_code
    CROSS JOIN r
    GROUP BY a.teacher_key, a.point_code, m.dimension_zh
),
pk AS (
    SELECT teacher_key, passed_on,
           row_number() OVER (PARTITION BY teacher_key ORDER BY passed_on, point_code) AS k
    FROM tp WHERE passed_on IS NOT NULL
),
dk AS (
    SELECT teacher_key, d_on,
           row_number() OVER (PARTITION BY teacher_key ORDER BY d_on, dimension_zh) AS k
    FROM (
        SELECT teacher_key, dimension_zh, min(passed_on) AS d_on
        FROM tp WHERE passed_on IS NOT NULL GROUP BY ALL
    )
),
pts AS (
    SELECT
        tp.teacher_key,
        count(*) AS submitted_point_count,
        count(*) FILTER (WHERE passed_on IS NOT NULL) AS passed_point_count,
        count(*) FILTER (WHERE is_excellent) AS excellent_point_count,
        count(*) FILTER (WHERE passed_on IS NULL AND has_fail AND NOT has_pending)
            AS failing_point_count,
        count(*) FILTER (WHERE passed_on IS NULL AND has_pending) AS pending_point_count,
        count(DISTINCT dimension_zh) FILTER (WHERE passed_on IS NOT NULL) AS passed_dimension_count
    FROM tp GROUP BY tp.teacher_key
),
pts_on AS (
    SELECT pk.teacher_key, max(pk.passed_on) AS points_met_on
    FROM pk, r WHERE pk.k = r.min_points_passed GROUP BY ALL
),
dims_on AS (
    SELECT dk.teacher_key, max(dk.d_on) AS dimensions_met_on
    FROM dk, r WHERE dk.k = r.min_dimensions GROUP BY ALL
)
SELECT
    p.teacher_key,
    p.submitted_point_count,
    p.passed_point_count,
    p.excellent_point_count,
    p.failing_point_count,
    p.pending_point_count,
    p.passed_dimension_count,
    CASE WHEN po.points_met_on IS NOT NULL AND d.dimensions_met_on IS NOT NULL
         THEN greatest(po.points_met_on, d.dimensions_met_on) END AS points_met_on
FROM pts AS p
LEFT JOIN pts_on AS po USING (teacher_key)
LEFT JOIN dims_on AS d USING (teacher_key);
