-- 教师信息技术应用能力提升工程2.0 (work item 十四), part 2: small pre-aggregated tables the teacher
-- page reads (per school, per unit and quarter, per breakdown, per micro-ability point).
-- Built from marts.teacher_status (part 1); thresholds from marts.teacher_rules.

-- marts.teacher_schools: one row per school with in-scope teachers or a 整校推进 record:
-- plan and team, chosen points vs the school's environments, the nested funnel counts, what
-- holds the unfinished teachers back, and the gap to the cumulative quota of the as-of year.
CREATE OR REPLACE TABLE marts.teacher_schools AS
WITH r AS (SELECT * FROM marts.teacher_rules),
eq AS (
    SELECT school_id, arg_max(e, e.year) AS e
    FROM stg.equipment AS e GROUP BY school_id
),
chosen AS (
    SELECT p.school_id, list_filter(string_split(coalesce(p.chosen_points, ''), '|'), lambda x: x <> '')
        AS codes
    FROM stg.school_plans AS p
),
env AS (
    SELECT
        c.school_id,
        len(c.codes) AS chosen_point_count,
        len(list_filter(c.codes, lambda x: left(x, 1) = 'B')) > 0 AS has_b_points,
        len(list_filter(c.codes, lambda x: left(x, 1) = 'C')) > 0 AS has_c_points
    FROM chosen AS c
),
st AS (
    SELECT
        school_id,
        count(*) AS teacher_count,
        count(*) FILTER (WHERE is_enrolled) AS enrolled_count,
        count(*) FILTER (WHERE is_hours_met) AS hours_met_count,
        count(*) FILTER (WHERE is_hours_met AND has_submitted) AS submitted_count,
        count(*) FILTER (WHERE is_hours_met AND has_submitted AND is_points_passed) AS passed_count,
        count(*) FILTER (WHERE is_complete) AS complete_count,
        count(*) FILTER (WHERE completed_on <= make_date(2020, 12, 31)) AS complete_2020_count,
        count(*) FILTER (WHERE completed_on <= make_date(2021, 12, 31)) AS complete_2021_count,
        count(*) FILTER (WHERE NOT is_complete AND NOT is_hours_met) AS hours_short_count,
        count(*) FILTER (WHERE NOT is_complete AND NOT has_submitted) AS not_submitted_count,
        count(*) FILTER (WHERE NOT is_complete AND failing_point_count > 0) AS failing_count,
        count(*) FILTER (WHERE is_flag_faster OR is_flag_unattended OR is_flag_night
                         OR is_flag_all_online OR is_flag_identical) AS flagged_teacher_count,
        sum(online_hours) AS online_hours,
        sum(practice_hours) AS practice_hours,
        sum(submitted_point_count) AS submitted_points,
        sum(passed_point_count) AS passed_points
    FROM marts.teacher_status GROUP BY school_id
),
base AS (
    SELECT
        sc.school_id, sc.school_name, sc.unit_code, sc.unit_name_zh, sc.unit_name_en,
        sc.category, sc.school_type, sc.school_type_en, sc.urban_rural, sc.ownership,
        sc.student_count
    FROM marts.schools AS sc
    WHERE sc.school_id IN (SELECT school_id FROM marts.teacher_status)
       OR sc.school_id IN (SELECT school_id FROM stg.school_plans)
),
j AS (
    SELECT
        b.*,
        p.school_id IS NOT NULL AS has_plan_record,
        coalesce(p.plan_filed, false) AS is_plan_filed,
        p.plan_date,
        coalesce(p.team_formed, false) AS is_team_formed,
        p.team_leader_post,
        p.team_size,
        p.chosen_points,
        coalesce(v.chosen_point_count, 0) AS chosen_point_count,
        coalesce(v.has_b_points, false) AS has_b_points,
        coalesce(v.has_c_points, false) AS has_c_points,
        p.teachers_in_scope AS reported_teacher_count,
        q.e.smart_classroom_count AS smart_classroom_count,
        q.e.student_terminal_count AS student_terminal_count,
        q.e.wifi_teaching_pct AS wifi_teaching_pct,
        round(q.e.student_terminal_count / nullif(b.student_count, 0), 3) AS terminals_per_pupil,
        coalesce(s.teacher_count, 0) AS teacher_count,
        coalesce(s.enrolled_count, 0) AS enrolled_count,
        coalesce(s.hours_met_count, 0) AS hours_met_count,
        coalesce(s.submitted_count, 0) AS submitted_count,
        coalesce(s.passed_count, 0) AS passed_count,
        coalesce(s.complete_count, 0) AS complete_count,
        coalesce(s.complete_2020_count, 0) AS complete_2020_count,
        coalesce(s.complete_2021_count, 0) AS complete_2021_count,
        coalesce(s.hours_short_count, 0) AS hours_short_count,
        coalesce(s.not_submitted_count, 0) AS not_submitted_count,
        coalesce(s.failing_count, 0) AS failing_count,
        coalesce(s.flagged_teacher_count, 0) AS flagged_teacher_count,
        coalesce(s.online_hours, 0) AS online_hours,
        coalesce(s.practice_hours, 0) AS practice_hours,
        coalesce(s.submitted_points, 0) AS submitted_points,
        coalesce(s.passed_points, 0) AS passed_points
    FROM base AS b
    LEFT JOIN stg.school_plans AS p USING (school_id)
    LEFT JOIN env AS v USING (school_id)
    LEFT JOIN eq AS q USING (school_id)
    LEFT JOIN st AS s USING (school_id)
)
SELECT
    j.*,
    -- C points chosen while reporting at most flag_c_points_max_smart_classrooms smart classrooms
    j.has_c_points AND coalesce(j.smart_classroom_count, 0) <= r.flag_c_points_max_smart_classrooms
        AS is_c_without_smart,
    -- B points chosen while neither terminals per pupil nor Wi-Fi reach the blended-learning bar
    j.has_b_points
        AND coalesce(j.terminals_per_pupil, 0) < r.flag_b_points_min_terminals_per_pupil
        AND coalesce(j.wifi_teaching_pct, 0) < r.flag_b_points_min_wifi_pct
        AS is_b_without_terminals,
    round(100.0 * j.complete_count / nullif(j.teacher_count, 0), 1) AS complete_pct,
    round(100.0 * CASE WHEN year(r.as_of) <= 2020 THEN r.quota_2020
                       WHEN year(r.as_of) = 2021 THEN r.quota_2020 + r.quota_2021
                       ELSE r.quota_2020 + r.quota_2021 + r.quota_2022 END, 1) AS quota_pct,
    round(100.0 * CASE WHEN year(r.as_of) <= 2020 THEN r.quota_2020
                       WHEN year(r.as_of) = 2021 THEN r.quota_2020 + r.quota_2021
                       ELSE r.quota_2020 + r.quota_2021 + r.quota_2022 END
          - 100.0 * j.complete_count / nullif(j.teacher_count, 0), 1) AS quota_gap_pct,
    CASE
        WHEN j.teacher_count = j.complete_count THEN NULL
        WHEN NOT j.is_plan_filed THEN 'no_plan'
        WHEN j.hours_short_count >= greatest(j.not_submitted_count, j.failing_count)
            THEN 'hours_short'
        WHEN j.not_submitted_count >= j.failing_count THEN 'not_submitted'
        ELSE 'failing'
    END AS hold_back
FROM j, r
ORDER BY j.unit_code, j.school_id;

-- marts.teacher_quarterly: per unit and quarter end (project start … as-of; the as-of date is
-- the last point), in-scope teachers and those complete by that day (cumulative).
CREATE OR REPLACE TABLE marts.teacher_quarterly AS
WITH r AS (SELECT * FROM marts.teacher_rules),
qs AS (
    SELECT CAST(unnest(generate_series(
        date_trunc('quarter', r.project_start), date_trunc('quarter', r.as_of), INTERVAL 3 MONTH
    )) AS DATE) AS q_start
    FROM r
),
ends AS (
    SELECT least(CAST(q_start + INTERVAL 3 MONTH - INTERVAL 1 DAY AS DATE), r.as_of) AS period_end
    FROM qs, r
),
per AS (
    SELECT unit_code, count(*) AS teacher_count FROM marts.teacher_status GROUP BY unit_code
),
done AS (
    SELECT unit_code, completed_on, count(*) AS n
    FROM marts.teacher_status WHERE completed_on IS NOT NULL GROUP BY ALL
)
SELECT
    p.unit_code,
    e.period_end,
    p.teacher_count,
    coalesce((SELECT sum(d.n) FROM done AS d
              WHERE d.unit_code = p.unit_code AND d.completed_on <= e.period_end), 0)::BIGINT
        AS complete_count
FROM per AS p CROSS JOIN ends AS e
ORDER BY p.unit_code, e.period_end;

-- marts.teacher_breakdown: per unit and breakdown (level, subject, age band, title, urban/rural,
-- category 中心城区/郊区新城), in-scope teachers, hours met, complete.
CREATE OR REPLACE TABLE marts.teacher_breakdown AS
WITH t AS (
    SELECT s.*, sc.urban_rural, sc.category
    FROM marts.teacher_status AS s JOIN marts.schools AS sc USING (school_id)
),
long AS (
    SELECT unit_code, 'level' AS breakdown, teaching_level AS value, is_hours_met, is_complete FROM t
    UNION ALL SELECT unit_code, 'subject', subject, is_hours_met, is_complete FROM t
    UNION ALL SELECT unit_code, 'age_band', age_band, is_hours_met, is_complete FROM t
    UNION ALL SELECT unit_code, 'title', title, is_hours_met, is_complete FROM t
    UNION ALL SELECT unit_code, 'urban_rural', urban_rural, is_hours_met, is_complete FROM t
    UNION ALL SELECT unit_code, 'category', category, is_hours_met, is_complete FROM t
)
SELECT
    unit_code,
    breakdown,
    value,
    count(*) AS teacher_count,
    count(*) FILTER (WHERE is_hours_met) AS hours_met_count,
    count(*) FILTER (WHERE is_complete) AS complete_count
FROM long
GROUP BY ALL
ORDER BY unit_code, breakdown, value;

-- marts.teacher_points: per unit and micro-ability point: schools that chose it (整校推进 plans),
-- teachers who submitted evidence, passed (优秀/合格, any attempt), excellent, and still failing.
CREATE OR REPLACE TABLE marts.teacher_points AS
WITH r AS (SELECT * FROM marts.teacher_rules),
tp AS (
    SELECT
        a.teacher_key,
        a.point_code,
        bool_or(list_contains(string_split(r.passing_grades, '|'), a.grade)) AS is_passed,
        bool_or(a.grade = '优秀') AS is_excellent,
        bool_or(a.grade = '不合格') AS has_fail
    FROM stg.micro_assessments AS a, r
    GROUP BY ALL
),
tu AS (
    SELECT s.unit_code, tp.point_code,
           count(*) AS submitted_teacher_count,
           count(*) FILTER (WHERE tp.is_passed) AS passed_teacher_count,
           count(*) FILTER (WHERE tp.is_excellent) AS excellent_teacher_count,
           count(*) FILTER (WHERE tp.has_fail AND NOT tp.is_passed) AS failing_teacher_count
    FROM tp JOIN marts.teacher_status AS s USING (teacher_key)
    GROUP BY ALL
),
ch AS (
    SELECT unit_code, point_code, count(DISTINCT school_id) AS chosen_school_count
    FROM (
        SELECT sc.unit_code, p.school_id, unnest(string_split(p.chosen_points, '|')) AS point_code
        FROM stg.school_plans AS p JOIN marts.schools AS sc USING (school_id)
        WHERE p.chosen_points IS NOT NULL AND p.chosen_points <> ''
    )
    GROUP BY ALL
),
grid AS (
    SELECT u.unit_code, m.*
    FROM (SELECT DISTINCT unit_code FROM marts.teacher_status) AS u CROSS JOIN ref.micro_abilities AS m
)
SELECT
    g.unit_code,
    g.code AS point_code,
    g.environment,
    g.environment_zh,
    g.environment_en,
    g.dimension_zh,
    g.dimension_en,
    g.name_zh,
    g.name_en,
    g.is_confirmed,
    coalesce(c.chosen_school_count, 0) AS chosen_school_count,
    coalesce(t.submitted_teacher_count, 0) AS submitted_teacher_count,
    coalesce(t.passed_teacher_count, 0) AS passed_teacher_count,
    coalesce(t.excellent_teacher_count, 0) AS excellent_teacher_count,
    coalesce(t.failing_teacher_count, 0) AS failing_teacher_count
FROM grid AS g
LEFT JOIN tu AS t ON t.unit_code = g.unit_code AND t.point_code = g.code
LEFT JOIN ch AS c ON c.unit_code = g.unit_code AND c.point_code = g.code
ORDER BY g.unit_code, g.environment, CAST(substr(g.code, 2) AS INTEGER);
