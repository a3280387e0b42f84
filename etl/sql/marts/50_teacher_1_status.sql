-- 教师信息技术应用能力提升工程2.0 (work item 十四), part 1: one row per in-scope teacher
-- with hours, assessments, completion date and integrity flags, and the flagged evidence.
-- Every threshold comes from ref.training_rules (data/reference/training_rules.csv) through
-- marts.teacher_rules; nothing is hard-coded here. Method: docs/teachers.md.
-- Session-level flags are a temporary view; the running sums behind the dates met are computed once.

-- session-level facts and flags (a temporary view, dropped at the end of this file: scanning the
-- typed sessions again is cheaper than writing them out once more)
CREATE OR REPLACE TEMP VIEW teacher_sessions_tmp AS
WITH r AS (SELECT * FROM marts.teacher_rules),
s AS (
    SELECT
        x.record_id,
        x.teacher_key,
        x.school_id,
        x.session_type = '网络研修' AS is_online,
        x.start_time,
        x.end_time,
        x.credited_hours,
        least(
            x.credited_hours,
            CASE WHEN x.session_type = '网络研修' THEN r.max_online_session_hours
                 ELSE r.max_practice_session_hours END
        ) AS hours,
        x.video_seconds,
        x.device_id,
        CAST(x.start_time AS TIME) AS start_tod,
        r.flag_credit_wallclock_ratio,
        r.flag_unattended_video_seconds,
        r.flag_night_window_start,
        r.flag_night_window_end
    FROM stg.training_sessions AS x, r
)
SELECT
    record_id,
    teacher_key,
    school_id,
    is_online,
    start_time,
    end_time,
    credited_hours,
    hours,
    video_seconds,
    device_id,
    is_online AND credited_hours
        > date_diff('second', start_time, end_time) / 3600.0 * flag_credit_wallclock_ratio
        AS is_faster_than_real_time,
    is_online AND coalesce(video_seconds, 0) >= flag_unattended_video_seconds AS is_unattended,
    is_online AND CASE
        WHEN flag_night_window_start <= flag_night_window_end
            THEN start_tod >= flag_night_window_start AND start_tod < flag_night_window_end
        ELSE start_tod >= flag_night_window_start OR start_tod < flag_night_window_end
    END AS is_night
FROM s;

-- per teacher, in one pass over the sessions: hours, flagged-session counts and the day each
-- hours rule was first met (running sums in end-time order; sessions ending at the same moment
-- are summed together, RANGE not ROWS, so no tie-break is needed: the date met is the same).
-- The running total is the sum of the two running sums: each window sum costs 0.4 s of CPU at
-- scale 1.
CREATE OR REPLACE TEMP TABLE teacher_met_tmp AS
WITH r AS (SELECT * FROM marts.teacher_rules),
c AS (
    SELECT
        teacher_key,
        end_time,
        is_online,
        hours,
        is_faster_than_real_time,
        is_unattended,
        is_night,
        sum(CASE WHEN is_online THEN hours ELSE 0 END) OVER w AS cum_online_hours,
        sum(CASE WHEN is_online THEN 0 ELSE hours END) OVER w AS cum_practice_hours
    FROM teacher_sessions_tmp
    WINDOW w AS (PARTITION BY teacher_key ORDER BY end_time RANGE UNBOUNDED PRECEDING)
)
SELECT
    c.teacher_key,
    CAST(min(c.end_time) FILTER (
        WHERE c.is_online AND c.cum_online_hours >= r.min_online_hours - 1e-9) AS DATE)
        AS online_met_on,
    CAST(min(c.end_time) FILTER (
        WHERE NOT c.is_online AND c.cum_practice_hours >= r.min_practice_hours - 1e-9) AS DATE)
        AS practice_met_on,
    CAST(min(c.end_time) FILTER (
        WHERE c.cum_online_hours + c.cum_practice_hours >= r.min_total_hours - 1e-9) AS DATE)
        AS total_met_on,
    count(*) AS session_count,
    coalesce(sum(c.hours) FILTER (WHERE c.is_online), 0) AS online_hours,
    coalesce(sum(c.hours) FILTER (WHERE NOT c.is_online), 0) AS practice_hours,
    count(*) FILTER (WHERE c.is_faster_than_real_time) AS faster_session_count,
    count(*) FILTER (WHERE c.is_unattended) AS unattended_session_count,
    coalesce(sum(c.hours) FILTER (WHERE c.is_night), 0) AS night_hours,
    count(*) FILTER (WHERE c.is_night) AS night_session_count
FROM c, r
GROUP BY c.teacher_key;

-- online sessions with the same start and end shared by several teachers of one school (the
-- distinct counts only for the start/end pairs with enough sessions to qualify)
CREATE OR REPLACE TEMP TABLE teacher_patterns_tmp AS
WITH r AS (SELECT * FROM marts.teacher_rules),
o AS (
    SELECT school_id, start_time, end_time, teacher_key, device_id
    FROM teacher_sessions_tmp WHERE is_online
),
cand AS (
    SELECT o.school_id, o.start_time, o.end_time
    FROM o, r
    GROUP BY o.school_id, o.start_time, o.end_time, r.flag_identical_min_teachers
    HAVING count(*) >= r.flag_identical_min_teachers
)
SELECT
    o.school_id,
    o.start_time,
    o.end_time,
    count(DISTINCT o.teacher_key) AS pattern_teacher_count,
    count(DISTINCT o.device_id) AS pattern_device_count
FROM o
SEMI JOIN cand USING (school_id, start_time, end_time)
CROSS JOIN r
GROUP BY o.school_id, o.start_time, o.end_time, r.flag_identical_min_teachers
HAVING count(DISTINCT o.teacher_key) >= r.flag_identical_min_teachers;

-- marts.teacher_status: one row per in-scope teacher (专任教师 of the levels in scope_levels).
-- Dates: *_met_on = the day a part of the rule was first met; completed_on = the latest of them.
CREATE OR REPLACE TABLE marts.teacher_status AS
WITH r AS (SELECT * FROM marts.teacher_rules),
t AS (
    SELECT
        t.teacher_key,
        t.school_id,
        sc.unit_code,
        t.teaching_level,
        t.subject,
        t.title,
        t.gender,
        year(r.as_of) - t.birth_year AS age
    FROM stg.teachers AS t
    JOIN marts.schools AS sc USING (school_id)
    CROSS JOIN r
    WHERE t.post = '专任教师' AND list_contains(string_split(r.scope_levels, '|'), t.teaching_level)
),
ident AS (
    SELECT
        s.teacher_key,
        count(*) AS identical_session_count,
        max(p.pattern_teacher_count) AS identical_max_teachers,
        min(p.pattern_device_count) AS identical_min_devices
    FROM teacher_sessions_tmp AS s
    JOIN teacher_patterns_tmp AS p USING (school_id, start_time, end_time)
    WHERE s.is_online
    GROUP BY s.teacher_key
),
j AS (
    SELECT
        t.*,
        coalesce(h.session_count, 0) AS session_count,
        coalesce(h.online_hours, 0) AS online_hours,
        coalesce(h.practice_hours, 0) AS practice_hours,
        coalesce(h.online_hours, 0) + coalesce(h.practice_hours, 0) AS total_hours,
        h.online_met_on,
        h.practice_met_on,
        h.total_met_on,
        CASE WHEN h.online_met_on IS NOT NULL AND h.practice_met_on IS NOT NULL
                  AND h.total_met_on IS NOT NULL
             THEN greatest(h.online_met_on, h.practice_met_on, h.total_met_on) END
            AS hours_met_on,
        coalesce(p.submitted_point_count, 0) AS submitted_point_count,
        coalesce(p.passed_point_count, 0) AS passed_point_count,
        coalesce(p.excellent_point_count, 0) AS excellent_point_count,
        coalesce(p.failing_point_count, 0) AS failing_point_count,
        coalesce(p.pending_point_count, 0) AS pending_point_count,
        coalesce(p.passed_dimension_count, 0) AS passed_dimension_count,
        p.points_met_on,
        coalesce(h.faster_session_count, 0) AS faster_session_count,
        coalesce(h.unattended_session_count, 0) AS unattended_session_count,
        coalesce(h.night_hours, 0) AS night_hours,
        coalesce(h.night_session_count, 0) AS night_session_count,
        coalesce(i.identical_session_count, 0) AS identical_session_count,
        i.identical_max_teachers,
        i.identical_min_devices
    FROM t
    LEFT JOIN teacher_met_tmp AS h USING (teacher_key)
    LEFT JOIN marts.teacher_points_tmp AS p USING (teacher_key)
    LEFT JOIN ident AS i USING (teacher_key)
)
SELECT
    j.teacher_key,
    j.school_id,
    j.unit_code,
    j.teaching_level,
    j.subject,
    j.title,
    j.gender,
    CASE WHEN j.age IS NULL THEN '未知'
         WHEN j.age < 30 THEN '30岁以下' WHEN j.age < 40 THEN '30–39岁'
         WHEN j.age < 50 THEN '40–49岁' WHEN j.age < 55 THEN '50–54岁'
         ELSE '55岁及以上' END AS age_band,
    j.session_count,
    j.online_hours,
    j.practice_hours,
    j.total_hours,
    j.session_count > 0 AS is_enrolled,
    j.online_met_on,
    j.practice_met_on,
    j.total_met_on,
    j.hours_met_on,
    j.hours_met_on IS NOT NULL AS is_hours_met,
    j.submitted_point_count,
    j.passed_point_count,
    j.excellent_point_count,
    j.failing_point_count,
    j.pending_point_count,
    j.passed_dimension_count,
    j.submitted_point_count >= r.min_points_passed AS has_submitted,
    j.passed_point_count >= r.min_points_passed AS is_points_passed,
    j.points_met_on,
    CASE WHEN j.hours_met_on IS NOT NULL AND j.points_met_on IS NOT NULL
         THEN greatest(j.hours_met_on, j.points_met_on) END AS completed_on,
    j.hours_met_on IS NOT NULL AND j.points_met_on IS NOT NULL AS is_complete,
    j.faster_session_count,
    j.unattended_session_count,
    j.night_hours,
    j.night_session_count,
    j.identical_session_count,
    j.identical_max_teachers,
    j.identical_min_devices,
    j.faster_session_count > 0 AS is_flag_faster,
    j.unattended_session_count > 0 AS is_flag_unattended,
    j.night_hours >= r.flag_night_min_hours
        AND j.night_hours >= r.flag_night_min_share * j.online_hours AS is_flag_night,
    j.online_hours >= r.flag_all_online_min_hours AND j.practice_hours = 0 AS is_flag_all_online,
    j.identical_session_count >= r.flag_identical_min_sessions AS is_flag_identical
FROM j, r
ORDER BY j.unit_code, j.school_id, j.teacher_key;

-- marts.teacher_flags: one row per in-scope teacher with at least one integrity flag.
CREATE OR REPLACE TABLE marts.teacher_flags AS
SELECT
    s.teacher_key,
    s.school_id,
    s.unit_code,
    concat_ws('|',
        CASE WHEN s.is_flag_faster THEN 'faster' END,
        CASE WHEN s.is_flag_unattended THEN 'unattended' END,
        CASE WHEN s.is_flag_night THEN 'night' END,
        CASE WHEN s.is_flag_all_online THEN 'all_online' END,
        CASE WHEN s.is_flag_identical THEN 'identical' END) AS flags,
    s.is_flag_faster,
    s.is_flag_unattended,
    s.is_flag_night,
    s.is_flag_all_online,
    s.is_flag_identical,
    s.online_hours,
    s.practice_hours,
    s.night_hours,
    s.session_count,
    s.faster_session_count,
    s.unattended_session_count,
    s.identical_session_count,
    s.identical_max_teachers,
    s.identical_min_devices,
    s.is_complete
FROM marts.teacher_status AS s
WHERE s.is_flag_faster OR s.is_flag_unattended OR s.is_flag_night OR s.is_flag_all_online
   OR s.is_flag_identical
ORDER BY s.unit_code, s.school_id, s.teacher_key;

-- marts.teacher_flag_sessions: the sessions behind the flags, for review (the session's own
-- reason: faster than real time, unattended video, at night (of a night-flagged teacher),
-- identical pattern (of an identical-flagged teacher)).
CREATE OR REPLACE TABLE marts.teacher_flag_sessions AS
SELECT
    s.record_id,
    s.teacher_key,
    s.school_id,
    f.unit_code,
    s.start_time,
    s.end_time,
    round(date_diff('second', s.start_time, s.end_time) / 3600.0, 2) AS wall_clock_hours,
    s.credited_hours,
    s.video_seconds,
    s.device_id,
    concat_ws('|',
        CASE WHEN s.is_faster_than_real_time THEN 'faster' END,
        CASE WHEN s.is_unattended THEN 'unattended' END,
        CASE WHEN s.is_night AND f.is_flag_night THEN 'night' END,
        CASE WHEN p.school_id IS NOT NULL AND f.is_flag_identical THEN 'identical' END) AS reasons,
    p.pattern_teacher_count
FROM teacher_sessions_tmp AS s
JOIN marts.teacher_flags AS f ON f.teacher_key = s.teacher_key
LEFT JOIN teacher_patterns_tmp AS p
    ON p.school_id = s.school_id AND p.start_time = s.start_time AND p.end_time = s.end_time
WHERE s.is_faster_than_real_time OR s.is_unattended OR (s.is_night AND f.is_flag_night)
   OR (p.school_id IS NOT NULL AND f.is_flag_identical)
ORDER BY f.unit_code, s.school_id, s.teacher_key, s.start_time;

DROP TABLE marts.teacher_points_tmp;
DROP TABLE teacher_patterns_tmp;
DROP TABLE teacher_met_tmp;
DROP VIEW teacher_sessions_tmp;
