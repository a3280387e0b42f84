-- One school's progress in 教师信息技术应用能力提升工程2.0 (work item 十四), read from the training
-- sources (stg.school_plans, stg.training_sessions, stg.micro_assessments): the whole-school plan,
-- teachers in scope, credited hours (online 网络研修 + practice 校本实践) and micro-ability
-- assessments passed (合格 or 优秀). One row; the page checks the tables exist first.
WITH school AS (
    SELECT school_id FROM marts.schools
    WHERE school_id = $school AND list_contains($scope, unit_code)
),

hours AS (
    SELECT
        t.teacher_key,
        sum(t.credited_hours) AS hours,
        sum(t.credited_hours) FILTER (WHERE t.session_type = '网络研修') AS online_hours,
        sum(t.credited_hours) FILTER (WHERE t.session_type = '校本实践') AS practice_hours
    FROM stg.training_sessions AS t
    JOIN school USING (school_id)
    GROUP BY t.teacher_key
),

points AS (
    SELECT
        m.teacher_key,
        count(DISTINCT m.point_code) FILTER (WHERE m.grade IN ('合格', '优秀')) AS passed_points
    FROM stg.micro_assessments AS m
    JOIN school USING (school_id)
    GROUP BY m.teacher_key
)

SELECT
    p.plan_filed AS is_plan_filed,
    p.plan_date,
    p.team_formed AS is_team_formed,
    p.team_leader_post,
    p.team_size,
    p.teachers_in_scope AS teachers_in_scope_count,
    len(string_split(p.chosen_points, '|')) AS chosen_point_count,
    (SELECT count(*) FROM hours) AS trained_teacher_count,
    (SELECT round(avg(hours), 1) FROM hours) AS avg_hours,
    (SELECT count(*) FROM hours WHERE hours >= 50) AS teachers_50h_count,
    (SELECT count(*) FROM hours WHERE online_hours >= 20 AND practice_hours >= 30)
        AS teachers_20_30_count,
    (SELECT count(*) FROM points) AS assessed_teacher_count,
    (SELECT count(*) FROM points WHERE passed_points >= 3) AS teachers_3_points_count
FROM school
LEFT JOIN stg.school_plans AS p USING (school_id)
