-- Other work items for their own views (pages/learning_space.py, services.py, literacy.py,
-- cases_planning.py): learning spaces (五), online services (十三), IT literacy and
-- competitions (十五), typical cases (四) and the plan's task list (一–三 and all items).

-- marts.items_learning_space_monthly: per unit, school type and month: spaces opened
-- (cumulative) and monthly active teachers/pupils of the schools reporting that month.
CREATE OR REPLACE TABLE marts.items_learning_space_monthly AS
SELECT
    s.unit_code,
    s.school_type,
    s.school_type_en,
    l.month,
    count(*) AS school_count,
    sum(l.teacher_space_count) AS teacher_space_count,
    sum(l.student_space_count) AS student_space_count,
    sum(l.active_teacher_count) AS active_teacher_count,
    sum(l.active_student_count) AS active_student_count
FROM stg.learning_space AS l
JOIN marts.schools AS s USING (school_id)
GROUP BY ALL
ORDER BY s.unit_code, s.school_type, l.month;

-- marts.items_learning_space_scope: per unit and school type, the schools, teachers and pupils
-- the spaces serve (kindergartens out of scope): the denominators of the opening rates.
CREATE OR REPLACE TABLE marts.items_learning_space_scope AS
SELECT
    s.unit_code,
    s.school_type,
    s.school_type_en,
    count(DISTINCT s.school_id) AS school_count,
    sum(l.teacher_count) AS teacher_count,
    sum(l.student_count) AS student_count
FROM marts.schools AS s
JOIN marts.school_levels AS l USING (school_id)
WHERE l.level <> '幼儿园'
GROUP BY ALL
ORDER BY s.unit_code, s.school_type;

-- marts.items_services_monthly: per unit, month and service: applications, completed, and the
-- sums behind the averages (hours weighted by completed, satisfaction by applications).
CREATE OR REPLACE TABLE marts.items_services_monthly AS
SELECT
    o.unit_code,
    o.month,
    r.service_code,
    o.service AS service_zh,
    r.name_en AS service_en,
    r.category AS service_category,
    r.platform,
    CAST(r.promised_hours AS DOUBLE) AS promised_hours,
    o.application_count,
    o.completed_count,
    o.avg_hours * o.completed_count AS hours_x_completed,
    CASE WHEN o.avg_hours IS NOT NULL THEN o.completed_count ELSE 0 END AS completed_with_hours,
    o.satisfaction_pct * o.application_count AS satisfaction_x_applications,
    CASE WHEN o.satisfaction_pct IS NOT NULL THEN o.application_count ELSE 0 END AS applications_rated
FROM stg.online_services AS o
JOIN ref.services AS r ON r.name_zh = o.service
ORDER BY o.unit_code, o.month, r.service_code;

-- marts.items_it_courses: per unit, school year and school type: schools reporting, offering IT
-- courses and IT practice courses, full-time and qualified IT teachers.
CREATE OR REPLACE TABLE marts.items_it_courses AS
SELECT
    s.unit_code,
    i.school_year,
    s.school_type,
    s.school_type_en,
    count(*) AS school_count,
    count(*) FILTER (WHERE i.is_offered) AS offering_count,
    count(*) FILTER (WHERE i.has_practice_course) AS practice_count,
    sum(i.it_teacher_count) AS it_teacher_count,
    sum(i.qualified_it_teacher_count) AS qualified_it_teacher_count
FROM stg.it_courses AS i
JOIN marts.schools AS s USING (school_id)
GROUP BY ALL
ORDER BY s.unit_code, i.school_year, s.school_type;

-- marts.items_competitions: per unit, year and event: schools taking part, entries and prizes.
CREATE OR REPLACE TABLE marts.items_competitions AS
SELECT
    s.unit_code,
    c.year,
    c.event AS event_zh,
    r.name_en AS event_en,
    count(DISTINCT c.school_id) AS school_count,
    sum(c.entry_count) AS entry_count,
    sum(c.first_prize_count) AS first_prize_count,
    sum(c.second_prize_count) AS second_prize_count,
    sum(c.third_prize_count) AS third_prize_count,
    sum(c.first_prize_count + c.second_prize_count + c.third_prize_count) AS award_count
FROM stg.competitions AS c
JOIN marts.schools AS s USING (school_id)
JOIN ref.competitions AS r ON r.name_zh = c.event
GROUP BY ALL
ORDER BY s.unit_code, c.year, c.event;

-- marts.items_cases: per unit, year and field: cases collected (all submitted), recommended by
-- the unit (推荐 or beyond) and selected as the year's ten featured cases.
CREATE OR REPLACE TABLE marts.items_cases AS
WITH fields(field_zh, field_en) AS (VALUES
    ('项目式学习', 'Project-based learning'), ('翻转课堂', 'Flipped classroom'),
    ('学生评价改革', 'Pupil-assessment reform'), ('网络学习空间应用', 'Online learning spaces'),
    ('人工智能教育', 'AI education'), ('智慧课堂', 'Smart classroom'),
    ('混合式教学', 'Blended teaching'), ('三个课堂', 'Three classrooms'),
    ('家校协同', 'School–family cooperation'), ('教育治理', 'Education governance')
)
SELECT
    c.unit_code,
    c.year,
    c.field AS field_zh,
    coalesce(f.field_en, c.field) AS field_en,
    count(*) AS collected_count,
    count(*) FILTER (WHERE c.status IN ('推荐', '入选年度十大特色案例')) AS recommended_count,
    count(*) FILTER (WHERE c.status = '入选年度十大特色案例') AS selected_count,
    count(*) FILTER (WHERE c.school_id IS NULL) AS regional_count
FROM stg.typical_cases AS c
LEFT JOIN fields AS f ON f.field_zh = c.field
GROUP BY ALL
ORDER BY c.unit_code, c.year, c.field;

-- marts.items_plan_deliverables: the task list of the 18 items (city offices' tasks: no unit),
-- with whether each is overdue at the as-of date and by how many days.
CREATE OR REPLACE TABLE marts.items_plan_deliverables AS
WITH d AS (SELECT max(period_end) AS as_of FROM marts.periods),
statuses(status_zh, status_en) AS (VALUES
    ('未启动', 'not started'), ('进行中', 'in progress'), ('已完成', 'done'), ('延期', 'delayed')
)
SELECT
    p.task_id,
    w.item_no,
    p.item AS label_zh,
    w.title_zh,
    w.title_en,
    p.task,
    p.lead_office,
    p.co_offices,
    p.due_on,
    p.status AS status_zh,
    s.status_en,
    p.progress_pct,
    p.completed_on,
    p.updated_on,
    p.remark,
    (p.status <> '已完成' AND p.due_on < d.as_of) AS is_overdue,
    CASE WHEN p.status <> '已完成' AND p.due_on < d.as_of THEN datediff('day', p.due_on, d.as_of) END
        AS overdue_days,
    d.as_of
FROM stg.plan_deliverables AS p
JOIN ref.work_items AS w ON w.label_zh = p.item
LEFT JOIN statuses AS s ON s.status_zh = p.status
CROSS JOIN d
ORDER BY is_overdue DESC, overdue_days DESC NULLS LAST, w.item_no, p.due_on, p.task_id;
