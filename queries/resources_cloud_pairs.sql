-- 四川云教 pairs whose receiving school is in scope, one row per pair (主播学校 → 接收学校, 学段)
-- running in a semester that started by the end of $period: the latest semester, its status,
-- the latest evaluated semester's score and grade, and both schools' positions (for the arcs).
WITH cutoff AS (
    SELECT coalesce(
        (SELECT period_end FROM marts.periods WHERE period = $period),
        (SELECT max(period_end) FROM marts.periods)
    ) AS period_end
),

semesters AS (
    SELECT
        p.*,
        -- 2021-2022-1 starts in September 2021, 2021-2022-2 in February 2022
        CASE right(p.semester, 1)
            WHEN '1' THEN make_date(CAST(left(p.semester, 4) AS INTEGER), 9, 1)
            ELSE make_date(CAST(substr(p.semester, 6, 4) AS INTEGER), 2, 1)
        END AS semester_start
    FROM marts.cloud_pairs AS p
    WHERE list_contains($scope, p.unit_code)
),

in_window AS (
    SELECT s.* FROM semesters AS s, cutoff AS c WHERE s.semester_start <= c.period_end
)

SELECT
    broadcast_school_id,
    any_value(broadcast_school_name) AS broadcast_school_name,
    any_value(broadcast_unit_code) AS broadcast_unit_code,
    any_value(broadcast_lon) AS broadcast_lon,
    any_value(broadcast_lat) AS broadcast_lat,
    school_id,
    any_value(school_name) AS school_name,
    any_value(unit_code) AS unit_code,
    any_value(lon) AS lon,
    any_value(lat) AS lat,
    level,
    max(semester) AS latest_semester,
    arg_max(status, semester) AS status,
    arg_max(subjects, semester) AS subjects,
    arg_max(weekly_lessons, semester) AS weekly_lessons,
    arg_max(student_count, semester) AS student_count,
    max(semester) FILTER (WHERE evaluation_score IS NOT NULL) AS evaluated_semester,
    arg_max(evaluation_score, semester) FILTER (WHERE evaluation_score IS NOT NULL)
        AS evaluation_score,
    arg_max(evaluation_grade, semester) FILTER (WHERE evaluation_score IS NOT NULL)
        AS evaluation_grade,
    count(*) AS semester_count
FROM in_window
GROUP BY broadcast_school_id, school_id, level
ORDER BY evaluation_score NULLS LAST, broadcast_school_id, school_id
