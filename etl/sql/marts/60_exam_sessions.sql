-- 智慧招考 (work item 十一): the exam plan the live command screen reads.

-- marts.exam_sessions: every session of the exported year's 高考 and 中考 with its absolute
-- start and end (the plan's first day + the session's day offset + its clock times).
CREATE OR REPLACE TABLE marts.exam_sessions AS
WITH plan_year AS (
    SELECT exam, max(year) AS year FROM stg.exam_sites GROUP BY exam
),
subject_en(subject, subject_en) AS (
    VALUES ('语文', 'Chinese'), ('数学', 'Mathematics'),
           ('文科综合/理科综合', 'Liberal arts / Sciences'), ('外语', 'Foreign language'),
           ('英语', 'English'), ('物理', 'Physics'), ('化学', 'Chemistry'),
           ('道德与法治/历史', 'Ethics and law / History'), ('地理/生物', 'Geography / Biology')
)
SELECT
    s.exam_zh AS exam,
    s.exam AS exam_code,
    p.year,
    s.session_code,
    CAST(s.day_offset AS INTEGER) + 1 AS exam_day,
    s.subject AS subject_zh,
    coalesce(e.subject_en, s.subject) AS subject_en,
    CAST(p.first_day AS DATE) + CAST(s.day_offset AS INTEGER) + s.start_time AS start_at,
    CAST(p.first_day AS DATE) + CAST(s.day_offset AS INTEGER) + s.end_time AS end_at,
    s.is_assumption
FROM ref.exam_sessions AS s
JOIN stg.exam_plans AS p ON p.exam = s.exam_zh
JOIN plan_year AS y ON y.exam = p.exam AND y.year = p.year
LEFT JOIN subject_en AS e ON e.subject = s.subject
ORDER BY s.exam, start_at;
