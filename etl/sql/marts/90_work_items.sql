-- The 18 work items of the 2021 plan (data/reference/work_items.csv): one row per item and
-- indicator with target, value now (as-of = end of the latest quarter in marts.periods), value a
-- year earlier and a status (docs/cockpit.md). Runs last: it reads the other marts.
--   marts.work_item_status          city-wide (includes rows without a unit: 市级 systems, tasks)
--   marts.work_item_status_by_unit  per unit, for the indicators that have a unit
-- Both carry the numerator/denominator (value_num/value_den, prev_num/prev_den) so a query can
-- add units up; marts.work_item_status_of(...) is the one status rule, used here and in queries.
-- Teacher 2.0 completion is the teacher page's: marts.teacher_status (hours + passed points by
-- the rule of data/reference/training_rules.csv, with the day each teacher completed).

-- The status rule: level (value against target) AND change (value against a year earlier),
-- projected linearly to the deadline. Codes: on_track 正常, at_risk 关注, off_track 滞后,
-- info (no target: shown, not rated), no_data.
CREATE OR REPLACE MACRO marts.work_item_status_of(value, prev, target, is_lower_better, years_left) AS
CASE
    WHEN value IS NULL THEN 'no_data'
    WHEN target IS NULL THEN 'info'
    WHEN is_lower_better THEN CASE
        WHEN value <= target THEN 'on_track'
        WHEN prev IS NOT NULL AND value < prev THEN 'at_risk'
        ELSE 'off_track' END
    ELSE CASE
        WHEN value >= target AND (prev IS NULL OR value >= prev - 0.05 * abs(target)) THEN 'on_track'
        WHEN value >= target THEN 'at_risk'
        WHEN prev IS NOT NULL AND value > prev
             AND value + (value - prev) * coalesce(years_left, 0) >= target THEN 'on_track'
        WHEN prev IS NOT NULL AND value > prev THEN 'at_risk'
        WHEN value >= 0.9 * target THEN 'at_risk'
        ELSE 'off_track' END
END;

-- value from numerator/denominator by kind: pct = 100·num/den, avg = num/den, count = num
CREATE OR REPLACE MACRO marts.work_item_value_of(kind, num, den) AS
CASE
    WHEN num IS NULL THEN NULL
    WHEN kind = 'count' THEN num
    WHEN den IS NULL OR den = 0 THEN NULL
    WHEN kind = 'pct' THEN round(100.0 * num / den, 1)
    ELSE round(num / den, 1)
END;

CREATE OR REPLACE TABLE marts.work_item_indicators AS
SELECT * FROM (VALUES
    -- item, code, sort, name_zh, name_en, kind, uom_zh, uom_en, target, target assumed?,
    -- lower is better?, deadline, target also per unit?, period_zh, period_en
    (4,  'cases_selected_count', 1, '年度“十大特色案例”入选数', 'cases selected as the year''s ten featured cases', 'count', '个', 'cases', 10.0, false, false, NULL, false, '上一完整年度', 'last full year'),
    (4,  'cases_collected_count', 2, '典型案例征集数 (本年度)', 'typical cases collected (this year)', 'count', '个', 'cases', NULL, false, false, NULL, false, '本年度至截止日 (上年同期对比)', 'this year to date (vs same date last year)'),
    (5,  'space_teacher_pct', 1, '教师空间开通率', 'teachers with a learning space', 'pct', '%', '%', 90.0, true, false, DATE '2022-12-31', true, '截止月', 'as-of month'),
    (5,  'space_student_pct', 2, '学生空间开通率', 'pupils with a learning space', 'pct', '%', '%', NULL, false, false, NULL, false, '截止月', 'as-of month'),
    (5,  'space_active_teacher_pct', 3, '教师月活跃率 (占已开通)', 'monthly active teachers (of spaces opened)', 'pct', '%', '%', NULL, false, false, NULL, false, '截止月', 'as-of month'),
    (6,  'ipv6_school_pct', 1, 'IPv6部署学校占比', 'schools serving IPv6', 'pct', '%', '%', NULL, false, false, NULL, false, '装备统计最新年度', 'latest equipment year'),
    (7,  'campus_coverage_pct', 1, '数字校园达标率', 'schools meeting the digital-campus spec', 'pct', '%', '%', NULL, false, false, DATE '2022-12-31', true, '截止季度', 'as-of quarter'),
    (8,  'demo_accepted_count', 1, '试点示范项目通过验收数', 'pilot/demonstration projects accepted', 'count', '个', 'projects', NULL, false, false, NULL, false, '累计至截止日', 'cumulative to as-of'),
    (9,  'base_db_count', 1, '四大基础数据库建成数', 'base databases in place', 'count', '个', 'databases', 4.0, false, false, DATE '2022-12-31', false, '截止日', 'as-of'),
    (9,  'base_pass_pct', 2, '基础库数据校验通过率', 'base-database rows passing validation', 'pct', '%', '%', NULL, false, false, NULL, false, '本次构建', 'this build'),
    (10, 'all_pass_pct', 1, '全部数据源校验通过率', 'rows of all sources passing validation', 'pct', '%', '%', NULL, false, false, NULL, false, '本次构建', 'this build'),
    (11, 'exam_site_standard_pct', 1, '标准化考点占比', 'exam sites standardized', 'pct', '%', '%', 100.0, true, false, NULL, true, '最新考试年度', 'latest exam year'),
    (11, 'exam_device_ok_pct', 2, '考点设备正常率', 'exam-site devices working', 'pct', '%', '%', 100.0, true, false, NULL, true, '最新考试年度', 'latest exam year'),
    (12, 'resources_collected_count', 1, '优质课程资源归集数 (入库+精品)', 'quality resources collected (library + premium)', 'count', '个', 'resources', 1000.0, false, false, DATE '2022-12-31', false, '累计至截止日', 'cumulative to as-of'),
    (12, 'resources_premium_count', 2, '精品资源遴选数', 'premium resources selected', 'count', '个', 'resources', 100.0, false, false, DATE '2022-12-31', false, '累计至截止日', 'cumulative to as-of'),
    (13, 'services_completed_pct', 1, '政务服务办结率', 'online-service applications completed', 'pct', '%', '%', 98.0, true, false, DATE '2022-12-31', true, '近12个月', 'last 12 months'),
    (13, 'services_application_count', 2, '政务服务申请量', 'online-service applications', 'count', '件', 'applications', NULL, false, false, NULL, false, '近12个月', 'last 12 months'),
    (14, 'teacher20_done_pct', 1, '能力提升工程2.0完成率', 'teachers completing Capability 2.0', 'pct', '%', '%', 100.0, false, false, DATE '2022-12-31', true, '累计至截止日', 'cumulative to as-of'),
    (15, 'it_course_pct', 1, '信息技术课程开课率', 'schools offering IT courses', 'pct', '%', '%', 100.0, true, false, NULL, true, '最新学年', 'latest school year'),
    (15, 'it_qualified_teacher_pct', 2, '信息技术教师合格率', 'IT teachers qualified for the subject', 'pct', '%', '%', NULL, false, false, NULL, false, '最新学年', 'latest school year'),
    (15, 'competition_award_count', 3, '信息化竞赛获奖数', 'competition awards', 'count', '项', 'awards', NULL, false, false, NULL, false, '上一完整年度', 'last full year'),
    (17, 'incidents_overdue_count', 1, '逾期未整改通报数', 'notices overdue for rectification', 'count', '件', 'notices', 0.0, false, true, NULL, true, '截止日', 'as-of'),
    (17, 'incidents_open_count', 2, '整改中通报数', 'notices being rectified', 'count', '件', 'notices', NULL, false, true, NULL, false, '截止日', 'as-of'),
    (18, 'systems_filed_pct', 1, '重要信息系统(二级及以上)备案率', 'important systems (level ≥2) filed', 'pct', '%', '%', 100.0, true, false, DATE '2022-12-31', true, '截止日', 'as-of'),
    (18, 'level3_overdue_count', 2, '三级及以上系统测评逾期数', 'level ≥3 systems overdue for testing', 'count', '个', 'systems', 0.0, false, true, NULL, true, '截止日', 'as-of'),
    (18, 'apps_pending_count', 3, '待清理教育移动应用数', 'education apps awaiting clean-up', 'count', '个', 'apps', 0.0, false, true, NULL, true, '截止日', 'as-of'),
    (18, 'drills_count', 4, '应急演练次数', 'emergency drills', 'count', '次', 'drills', NULL, false, false, NULL, false, '近12个月', 'last 12 months')
) AS v(item_no, indicator, sort_order, indicator_zh, indicator_en, kind, uom_zh, uom_en, target,
       is_target_assumption, is_lower_better, deadline, has_unit_target, period_zh, period_en)
UNION ALL
-- every item: its task list (督办台账) — share done (deadline: the item's last due date) and overdue
SELECT item_no, 'tasks_done_pct', 90, '任务清单完成率', 'plan deliverables completed', 'pct', '%', '%',
       100.0, false, false, NULL, false, '截止日 (期限: 最晚完成时限)', 'as-of (deadline: last due date)'
FROM ref.work_items
UNION ALL
SELECT item_no, 'tasks_overdue_count', 91, '逾期未完成任务数', 'deliverables overdue', 'count', '项', 'tasks',
       0.0, false, true, NULL, false, '截止日', 'as-of'
FROM ref.work_items;

CREATE OR REPLACE TEMP TABLE wi_dates AS
SELECT max(period_end) AS as_of,
       CAST(max(period_end) - INTERVAL 1 YEAR AS DATE) AS prev_as_of,
       strftime(max(period_end), '%Y-%m') AS as_of_month,
       strftime(max(period_end) - INTERVAL 1 YEAR, '%Y-%m') AS prev_month
FROM marts.periods;

-- one row per (unit_code or NULL for rows without a unit, item, indicator) with the raw parts
CREATE OR REPLACE TEMP TABLE wi_measures AS
WITH d AS (SELECT * FROM wi_dates),
item_no AS (SELECT label_zh, item_no FROM ref.work_items),
tasks AS (
    SELECT NULL::VARCHAR AS unit_code, i.item_no, 'tasks_done_pct' AS indicator,
           count(*) FILTER (WHERE p.status = '已完成')::DOUBLE AS value_num, count(*)::DOUBLE AS value_den,
           count(*) FILTER (WHERE p.completed_on <= d.prev_as_of)::DOUBLE AS prev_num,
           count(*) FILTER (WHERE p.due_on IS NOT NULL)::DOUBLE AS prev_den,
           NULL::DOUBLE AS unit_target, max(p.due_on) AS deadline
    FROM stg.plan_deliverables AS p JOIN item_no AS i ON i.label_zh = p.item, d
    GROUP BY i.item_no
    UNION ALL
    SELECT NULL, i.item_no, 'tasks_overdue_count',
           count(*) FILTER (WHERE p.status <> '已完成' AND p.due_on < d.as_of), NULL,
           count(*) FILTER (WHERE p.due_on < d.prev_as_of
                              AND (p.completed_on IS NULL OR p.completed_on > d.prev_as_of)), NULL,
           NULL, NULL
    FROM stg.plan_deliverables AS p JOIN item_no AS i ON i.label_zh = p.item, d
    GROUP BY i.item_no
),
cases AS (
    SELECT c.unit_code, 4 AS item_no, 'cases_selected_count' AS indicator,
           count(*) FILTER (WHERE c.year = year(d.as_of) - 1 AND c.status = '入选年度十大特色案例'),
           NULL,
           count(*) FILTER (WHERE c.year = year(d.as_of) - 2 AND c.status = '入选年度十大特色案例'),
           NULL, NULL, NULL
    FROM stg.typical_cases AS c, d GROUP BY c.unit_code
    UNION ALL
    SELECT c.unit_code, 4, 'cases_collected_count',
           count(*) FILTER (WHERE c.year = year(d.as_of) AND c.submitted_on <= d.as_of), NULL,
           count(*) FILTER (WHERE c.year = year(d.as_of) - 1 AND c.submitted_on <= d.prev_as_of), NULL,
           NULL, NULL
    FROM stg.typical_cases AS c, d GROUP BY c.unit_code
),
space_school AS (  -- each school's latest month at or before the as-of month, and a year earlier
    SELECT l.school_id,
           arg_max(l, l.month) FILTER (WHERE l.month <= d.as_of_month) AS now,
           arg_max(l, l.month) FILTER (WHERE l.month <= d.prev_month) AS prev
    FROM stg.learning_space AS l, d GROUP BY l.school_id
),
space_scope AS (  -- teachers and pupils of the levels the spaces serve (kindergartens out)
    SELECT s.school_id, s.unit_code, sum(l.teacher_count) AS teachers, sum(l.student_count) AS pupils
    FROM marts.schools AS s JOIN marts.school_levels AS l USING (school_id)
    WHERE l.level <> '幼儿园' GROUP BY ALL
),
space AS (
    SELECT s.unit_code, 5 AS item_no, 'space_teacher_pct' AS indicator,
           coalesce(sum(x.now.teacher_space_count), 0), sum(s.teachers),
           coalesce(sum(x.prev.teacher_space_count), 0), sum(s.teachers), NULL, NULL
    FROM space_scope AS s LEFT JOIN space_school AS x USING (school_id) GROUP BY s.unit_code
    UNION ALL
    SELECT s.unit_code, 5, 'space_student_pct',
           coalesce(sum(x.now.student_space_count), 0), sum(s.pupils),
           coalesce(sum(x.prev.student_space_count), 0), sum(s.pupils), NULL, NULL
    FROM space_scope AS s LEFT JOIN space_school AS x USING (school_id) GROUP BY s.unit_code
    UNION ALL
    SELECT s.unit_code, 5, 'space_active_teacher_pct',
           sum(x.now.active_teacher_count) FILTER (WHERE x.now.month = d.as_of_month),
           sum(x.now.teacher_space_count) FILTER (WHERE x.now.month = d.as_of_month),
           sum(x.prev.active_teacher_count) FILTER (WHERE x.prev.month = d.prev_month),
           sum(x.prev.teacher_space_count) FILTER (WHERE x.prev.month = d.prev_month),
           NULL, NULL
    FROM space_school AS x JOIN marts.schools AS s USING (school_id), d GROUP BY s.unit_code
),
equipment AS (
    SELECT e.unit_code, 6 AS item_no, 'ipv6_school_pct' AS indicator,
           count(*) FILTER (WHERE e.year = y.y AND e.has_ipv6), count(*) FILTER (WHERE e.year = y.y),
           count(*) FILTER (WHERE e.year = y.y - 1 AND e.has_ipv6), count(*) FILTER (WHERE e.year = y.y - 1),
           NULL, NULL
    FROM marts.coverage_equipment AS e, (SELECT max(year) AS y FROM marts.coverage_equipment) AS y
    WHERE e.is_campus_scope GROUP BY e.unit_code
),
coverage AS (
    SELECT c.unit_code, 7 AS item_no, 'campus_coverage_pct' AS indicator,
           sum(c.covered_count) FILTER (WHERE p.period_end = d.as_of),
           sum(c.school_count) FILTER (WHERE p.period_end = d.as_of),
           sum(c.covered_count) FILTER (WHERE p.period_end = d.prev_as_of),
           sum(c.school_count) FILTER (WHERE p.period_end = d.prev_as_of),
           any_value(c.coverage_target_pct), NULL
    FROM marts.campus_coverage AS c JOIN marts.periods AS p USING (period), d
    GROUP BY c.unit_code
),
demo AS (
    SELECT m.unit_code, 8 AS item_no, 'demo_accepted_count' AS indicator,
           count(*) FILTER (WHERE m.is_accepted AND coalesce(m.accepted_on, d.as_of) <= d.as_of), NULL,
           count(*) FILTER (WHERE m.is_accepted AND m.accepted_on <= d.prev_as_of), NULL, NULL, NULL
    FROM marts.coverage_demonstration AS m, d GROUP BY m.unit_code
),
raw_rows AS (  -- rows read per status, counted per raw table (6.5 million rows at scale 1)
    SELECT 'schools' AS source, _status, count(*) AS n FROM raw.schools GROUP BY ALL
    UNION ALL SELECT 'teachers', _status, count(*) FROM raw.teachers GROUP BY ALL
    UNION ALL SELECT 'students', _status, count(*) FROM raw.students GROUP BY ALL
    UNION ALL SELECT 'equipment', _status, count(*) FROM raw.equipment GROUP BY ALL
    UNION ALL SELECT 'other', _status, count(*) FROM raw.campus_assessments GROUP BY ALL
    UNION ALL SELECT 'other', _status, count(*) FROM raw.school_plans GROUP BY ALL
    UNION ALL SELECT 'other', _status, count(*) FROM raw.training_sessions GROUP BY ALL
    UNION ALL SELECT 'other', _status, count(*) FROM raw.micro_assessments GROUP BY ALL
    UNION ALL SELECT 'other', _status, count(*) FROM raw.resources GROUP BY ALL
    UNION ALL SELECT 'other', _status, count(*) FROM raw.resource_usage GROUP BY ALL
    UNION ALL SELECT 'other', _status, count(*) FROM raw.classroom_activity GROUP BY ALL
    UNION ALL SELECT 'other', _status, count(*) FROM raw.cloud_pairs GROUP BY ALL
    UNION ALL SELECT 'other', _status, count(*) FROM raw.learning_space GROUP BY ALL
    UNION ALL SELECT 'other', _status, count(*) FROM raw.online_services GROUP BY ALL
    UNION ALL SELECT 'other', _status, count(*) FROM raw.competitions GROUP BY ALL
    UNION ALL SELECT 'other', _status, count(*) FROM raw.it_courses GROUP BY ALL
    UNION ALL SELECT 'other', _status, count(*) FROM raw.typical_cases GROUP BY ALL
    UNION ALL SELECT 'other', _status, count(*) FROM raw.demonstration GROUP BY ALL
    UNION ALL SELECT 'other', _status, count(*) FROM raw.plan_deliverables GROUP BY ALL
    UNION ALL SELECT 'other', _status, count(*) FROM raw.exam_plans GROUP BY ALL
    UNION ALL SELECT 'other', _status, count(*) FROM raw.exam_sites GROUP BY ALL
    UNION ALL SELECT 'other', _status, count(*) FROM raw.exam_rooms GROUP BY ALL
    UNION ALL SELECT 'other', _status, count(*) FROM raw.exam_devices GROUP BY ALL
    UNION ALL SELECT 'other', _status, count(*) FROM raw.transport_routes GROUP BY ALL
    UNION ALL SELECT 'other', _status, count(*) FROM raw.info_systems GROUP BY ALL
    UNION ALL SELECT 'other', _status, count(*) FROM raw.security_incidents GROUP BY ALL
    UNION ALL SELECT 'other', _status, count(*) FROM raw.security_drills GROUP BY ALL
    UNION ALL SELECT 'other', _status, count(*) FROM raw.edu_apps GROUP BY ALL
),
data_platform AS (
    SELECT NULL::VARCHAR AS unit_code, 9 AS item_no, 'base_db_count' AS indicator,
           count(DISTINCT source) FILTER (WHERE source <> 'other' AND _status = 'loaded'), NULL,
           NULL, NULL, NULL, NULL
    FROM raw_rows
    UNION ALL
    SELECT NULL, 9, 'base_pass_pct',
           coalesce(sum(n) FILTER (WHERE source <> 'other' AND _status = 'loaded'), 0)::BIGINT,
           coalesce(sum(n) FILTER (WHERE source <> 'other'), 0)::BIGINT, NULL, NULL, NULL, NULL
    FROM raw_rows
    UNION ALL
    SELECT NULL, 10, 'all_pass_pct', coalesce(sum(n) FILTER (WHERE _status = 'loaded'), 0)::BIGINT, coalesce(sum(n), 0)::BIGINT,
           NULL, NULL, NULL, NULL
    FROM raw_rows
),
exam_year AS (SELECT max(year) AS y FROM stg.exam_sites),
exams AS (
    SELECT s.unit_code, 11 AS item_no, 'exam_site_standard_pct' AS indicator,
           count(*) FILTER (WHERE s.is_standardized), count(*), NULL, NULL, NULL, NULL
    FROM stg.exam_sites AS s, exam_year WHERE s.year = exam_year.y GROUP BY s.unit_code
    UNION ALL
    SELECT s.unit_code, 11, 'exam_device_ok_pct',
           count(*) FILTER (WHERE v.status = '正常'), count(*), NULL, NULL, NULL, NULL
    FROM stg.exam_devices AS v JOIN stg.exam_sites AS s USING (site_code), exam_year
    WHERE s.year = exam_year.y GROUP BY s.unit_code
),
resources AS (
    SELECT r.unit_code, 12 AS item_no, 'resources_collected_count' AS indicator,
           count(*) FILTER (WHERE r.review_status IN ('入库', '精品') AND r.reviewed_on <= d.as_of), NULL,
           count(*) FILTER (WHERE r.review_status IN ('入库', '精品') AND r.reviewed_on <= d.prev_as_of), NULL,
           NULL, NULL
    FROM stg.resources AS r, d GROUP BY r.unit_code
    UNION ALL
    SELECT r.unit_code, 12, 'resources_premium_count',
           count(*) FILTER (WHERE r.is_premium AND r.selected_on <= d.as_of), NULL,
           count(*) FILTER (WHERE r.is_premium AND r.selected_on <= d.prev_as_of), NULL, NULL, NULL
    FROM stg.resources AS r, d GROUP BY r.unit_code
),
services AS (
    SELECT o.unit_code, 13 AS item_no, 'services_completed_pct' AS indicator,
           sum(o.completed_count) FILTER (WHERE o.month > d.prev_month AND o.month <= d.as_of_month),
           sum(o.application_count) FILTER (WHERE o.month > d.prev_month AND o.month <= d.as_of_month),
           sum(o.completed_count) FILTER (WHERE o.month > strftime(d.prev_as_of - INTERVAL 1 YEAR, '%Y-%m')
                                            AND o.month <= d.prev_month),
           sum(o.application_count) FILTER (WHERE o.month > strftime(d.prev_as_of - INTERVAL 1 YEAR, '%Y-%m')
                                              AND o.month <= d.prev_month),
           NULL, NULL
    FROM stg.online_services AS o, d GROUP BY o.unit_code
    UNION ALL
    SELECT o.unit_code, 13, 'services_application_count',
           sum(o.application_count) FILTER (WHERE o.month > d.prev_month AND o.month <= d.as_of_month), NULL,
           sum(o.application_count) FILTER (WHERE o.month > strftime(d.prev_as_of - INTERVAL 1 YEAR, '%Y-%m')
                                              AND o.month <= d.prev_month), NULL,
           NULL, NULL
    FROM stg.online_services AS o, d GROUP BY o.unit_code
),
teacher20 AS (  -- the teacher page's rule and dates (marts.teacher_status, docs/teachers.md)
    SELECT t.unit_code, 14 AS item_no, 'teacher20_done_pct' AS indicator,
           count(*) FILTER (WHERE t.completed_on <= d.as_of), count(*),
           count(*) FILTER (WHERE t.completed_on <= d.prev_as_of), count(*), NULL, NULL
    FROM marts.teacher_status AS t, d
    GROUP BY t.unit_code
),
it_year AS (SELECT max(school_year) AS y, CAST(max(left(school_year, 4)::INTEGER) - 1 AS VARCHAR) AS py FROM stg.it_courses),
literacy AS (
    SELECT s.unit_code, 15 AS item_no, 'it_course_pct' AS indicator,
           count(*) FILTER (WHERE i.school_year = y.y AND i.is_offered), count(*) FILTER (WHERE i.school_year = y.y),
           count(*) FILTER (WHERE left(i.school_year, 4) = y.py AND i.is_offered),
           count(*) FILTER (WHERE left(i.school_year, 4) = y.py), NULL, NULL
    FROM stg.it_courses AS i JOIN marts.schools AS s USING (school_id), it_year AS y GROUP BY s.unit_code
    UNION ALL
    SELECT s.unit_code, 15, 'it_qualified_teacher_pct',
           sum(i.qualified_it_teacher_count) FILTER (WHERE i.school_year = y.y),
           sum(i.it_teacher_count) FILTER (WHERE i.school_year = y.y),
           sum(i.qualified_it_teacher_count) FILTER (WHERE left(i.school_year, 4) = y.py),
           sum(i.it_teacher_count) FILTER (WHERE left(i.school_year, 4) = y.py), NULL, NULL
    FROM stg.it_courses AS i JOIN marts.schools AS s USING (school_id), it_year AS y GROUP BY s.unit_code
    UNION ALL
    SELECT s.unit_code, 15, 'competition_award_count',
           sum(c.first_prize_count + c.second_prize_count + c.third_prize_count)
               FILTER (WHERE c.year = year(d.as_of) - 1), NULL,
           sum(c.first_prize_count + c.second_prize_count + c.third_prize_count)
               FILTER (WHERE c.year = year(d.as_of) - 2), NULL, NULL, NULL
    FROM stg.competitions AS c JOIN marts.schools AS s USING (school_id), d GROUP BY s.unit_code
),
incidents AS (
    SELECT i.unit_code, 17 AS item_no, 'incidents_overdue_count' AS indicator,
           count(*) FILTER (WHERE i.notified_on <= d.as_of AND i.deadline < d.as_of
                              AND (i.rectified_on IS NULL OR i.rectified_on > d.as_of)), NULL,
           count(*) FILTER (WHERE i.notified_on <= d.prev_as_of AND i.deadline < d.prev_as_of
                              AND (i.rectified_on IS NULL OR i.rectified_on > d.prev_as_of)), NULL,
           NULL, NULL
    FROM stg.security_incidents AS i, d GROUP BY i.unit_code
    UNION ALL
    SELECT i.unit_code, 17, 'incidents_open_count',
           count(*) FILTER (WHERE i.notified_on <= d.as_of AND i.deadline >= d.as_of
                              AND (i.rectified_on IS NULL OR i.rectified_on > d.as_of)), NULL,
           count(*) FILTER (WHERE i.notified_on <= d.prev_as_of AND i.deadline >= d.prev_as_of
                              AND (i.rectified_on IS NULL OR i.rectified_on > d.prev_as_of)), NULL,
           NULL, NULL
    FROM stg.security_incidents AS i, d GROUP BY i.unit_code
),
security AS (
    SELECT s.unit_code, 18 AS item_no, 'systems_filed_pct' AS indicator,
           count(*) FILTER (WHERE s.graded_on <= d.as_of AND s.filed_on <= d.as_of),
           count(*) FILTER (WHERE s.graded_on <= d.as_of),
           count(*) FILTER (WHERE s.graded_on <= d.prev_as_of AND s.filed_on <= d.prev_as_of),
           count(*) FILTER (WHERE s.graded_on <= d.prev_as_of), NULL, NULL
    FROM stg.info_systems AS s, d WHERE s.level >= 2 GROUP BY s.unit_code
    UNION ALL
    SELECT s.unit_code, 18, 'level3_overdue_count',
           count(*) FILTER (WHERE s.level >= 3 AND (s.next_test_due < d.as_of
                                                    OR (s.last_test_on IS NULL AND s.graded_on < d.prev_as_of))),
           NULL, NULL, NULL, NULL, NULL
    FROM stg.info_systems AS s, d GROUP BY s.unit_code
    UNION ALL
    SELECT a.unit_code, 18, 'apps_pending_count', count(*) FILTER (WHERE a.status = '待清理'), NULL,
           NULL, NULL, NULL, NULL
    FROM stg.edu_apps AS a GROUP BY a.unit_code
    UNION ALL
    SELECT r.unit_code, 18, 'drills_count',
           count(*) FILTER (WHERE r.drill_on > d.prev_as_of AND r.drill_on <= d.as_of), NULL,
           count(*) FILTER (WHERE r.drill_on > d.prev_as_of - INTERVAL 1 YEAR AND r.drill_on <= d.prev_as_of), NULL,
           NULL, NULL
    FROM stg.security_drills AS r, d GROUP BY r.unit_code
)
SELECT * FROM tasks
UNION ALL SELECT * FROM cases
UNION ALL SELECT * FROM space
UNION ALL SELECT * FROM equipment
UNION ALL SELECT * FROM coverage
UNION ALL SELECT * FROM demo
UNION ALL SELECT * FROM data_platform
UNION ALL SELECT * FROM exams
UNION ALL SELECT * FROM resources
UNION ALL SELECT * FROM services
UNION ALL SELECT * FROM teacher20
UNION ALL SELECT * FROM literacy
UNION ALL SELECT * FROM incidents
UNION ALL SELECT * FROM security;

-- marts.work_item_status_by_unit: the indicators that have a unit, per unit.
CREATE OR REPLACE TABLE marts.work_item_status_by_unit AS
SELECT
    m.unit_code,
    w.item_no,
    w.label_zh,
    i.indicator,
    i.sort_order,
    i.indicator_zh,
    i.indicator_en,
    i.kind,
    i.uom_zh,
    i.uom_en,
    CASE WHEN i.has_unit_target THEN coalesce(m.unit_target, i.target) END AS target,
    i.is_target_assumption,
    i.is_lower_better,
    coalesce(m.deadline, i.deadline) AS deadline,
    i.period_zh,
    i.period_en,
    CAST(m.value_num AS DOUBLE) AS value_num,
    CAST(m.value_den AS DOUBLE) AS value_den,
    CAST(m.prev_num AS DOUBLE) AS prev_num,
    CAST(m.prev_den AS DOUBLE) AS prev_den,
    marts.work_item_value_of(i.kind, m.value_num, m.value_den) AS value,
    marts.work_item_value_of(i.kind, m.prev_num, m.prev_den) AS prev_value,
    marts.work_item_status_of(
        marts.work_item_value_of(i.kind, m.value_num, m.value_den),
        marts.work_item_value_of(i.kind, m.prev_num, m.prev_den),
        CASE WHEN i.has_unit_target THEN coalesce(m.unit_target, i.target) END,
        i.is_lower_better,
        greatest(0, datediff('day', d.as_of, coalesce(m.deadline, i.deadline)) / 365.25)
    ) AS status,
    d.as_of,
    d.prev_as_of
FROM wi_measures AS m
JOIN marts.work_item_indicators AS i USING (item_no, indicator)
JOIN ref.work_items AS w USING (item_no)
CROSS JOIN wi_dates AS d
WHERE m.unit_code IS NOT NULL
ORDER BY m.unit_code, w.item_no, i.sort_order;

-- marts.work_item_status: city-wide (all units plus the rows without a unit).
CREATE OR REPLACE TABLE marts.work_item_status AS
WITH city AS (
    SELECT m.item_no, m.indicator,
           sum(m.value_num) AS value_num, sum(m.value_den) AS value_den,
           sum(m.prev_num) AS prev_num, sum(m.prev_den) AS prev_den,
           -- a per-unit target (coverage): the school-weighted mean of the units' targets
           sum(m.unit_target * m.value_den) / nullif(sum(m.value_den) FILTER (WHERE m.unit_target IS NOT NULL), 0)
               AS unit_target,
           max(m.deadline) AS deadline
    FROM wi_measures AS m GROUP BY m.item_no, m.indicator
)
SELECT
    w.item_no,
    w.label_zh,
    i.indicator,
    i.sort_order,
    i.indicator_zh,
    i.indicator_en,
    i.kind,
    i.uom_zh,
    i.uom_en,
    round(coalesce(c.unit_target, i.target), 1) AS target,
    i.is_target_assumption,
    i.is_lower_better,
    coalesce(c.deadline, i.deadline) AS deadline,
    i.period_zh,
    i.period_en,
    CAST(c.value_num AS DOUBLE) AS value_num,
    CAST(c.value_den AS DOUBLE) AS value_den,
    CAST(c.prev_num AS DOUBLE) AS prev_num,
    CAST(c.prev_den AS DOUBLE) AS prev_den,
    marts.work_item_value_of(i.kind, c.value_num, c.value_den) AS value,
    marts.work_item_value_of(i.kind, c.prev_num, c.prev_den) AS prev_value,
    marts.work_item_status_of(
        marts.work_item_value_of(i.kind, c.value_num, c.value_den),
        marts.work_item_value_of(i.kind, c.prev_num, c.prev_den),
        round(coalesce(c.unit_target, i.target), 1),
        i.is_lower_better,
        greatest(0, datediff('day', d.as_of, coalesce(c.deadline, i.deadline)) / 365.25)
    ) AS status,
    d.as_of,
    d.prev_as_of
FROM marts.work_item_indicators AS i
JOIN ref.work_items AS w USING (item_no)
LEFT JOIN city AS c USING (item_no, indicator)
CROSS JOIN wi_dates AS d
ORDER BY w.item_no, i.sort_order;
