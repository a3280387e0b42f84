-- Digital resources (work item 十二): the collection, its metadata conformance, its use, the
-- three classrooms (三个课堂) and the 四川云教 pairs. Pages read these marts, never stg.

-- marts.resource_targets: the plan's city-wide targets (归集约1000个优质课程资源, 遴选形成100个
-- 左右的精品资源). 1000 is work_items.csv item 12's target_value; the plan's ~100 premium
-- resources has no column of its own there, so it is written here (the plan's own figure).
CREATE OR REPLACE TABLE marts.resource_targets AS
SELECT
    coalesce(
        (SELECT CAST(target_value AS INTEGER) FROM ref.work_items WHERE CAST(item_no AS INTEGER) = 12),
        1000
    ) AS collected_target,
    100 AS premium_target,
    'plan 2021, item 十二' AS target_source;

-- marts.resources: one row per submitted resource with its unit, school and review outcome.
-- is_collected: accepted into the library (入库 or 精品); collected_on: the review date.
CREATE OR REPLACE TABLE marts.resources AS
SELECT
    r.resource_id,
    r.title,
    r.subject,
    r.level,
    r.grade,
    r.resource_type,
    r.unit_code,
    r.school_id,
    r.submitted_on,
    r.review_status,
    r.reviewed_on,
    r.review_status IN ('入库', '精品') AS is_collected,
    CASE WHEN r.review_status IN ('入库', '精品') THEN r.reviewed_on END AS collected_on,
    r.is_premium,
    r.selected_on,
    r.licence
FROM stg.resources AS r
ORDER BY r.resource_id;

-- marts.resource_metadata_checks: one row per resource and element of the resource-metadata
-- standard (data/reference/resource_metadata_standard.csv), with is_applicable (the element's
-- applies_to: 'all' or a |-list of resource types) and is_ok (the element's sql_ok, written out
-- here one CASE per element). tests/data/test_resources_queries.py runs every sql_ok of the CSV
-- on stg.resources and checks that this mart agrees, so the two cannot drift apart.
CREATE OR REPLACE TABLE marts.resource_metadata_checks AS
WITH std AS (
    SELECT
        field,
        element_zh,
        element_en,
        CAST(required AS BOOLEAN) AS is_required,
        applies_to
    FROM ref.resource_metadata_standard
),
checks AS (
    SELECT
        r.resource_id,
        r.unit_code,
        r.resource_type,
        s.field,
        s.element_zh,
        s.element_en,
        s.is_required,
        s.applies_to = 'all' OR list_contains(string_split(s.applies_to, '|'), r.resource_type)
            AS is_applicable,
        CASE s.field
            WHEN 'title' THEN r.title IS NOT NULL AND length(r.title) BETWEEN 4 AND 80
            WHEN 'keywords' THEN r.keywords IS NOT NULL
                AND len(string_split(r.keywords, ';')) BETWEEN 1 AND 5
            WHEN 'subject' THEN r.subject IS NOT NULL
            WHEN 'level' THEN r.level IS NOT NULL
            WHEN 'grade' THEN r.grade IS NOT NULL
            WHEN 'resource_type' THEN r.resource_type IS NOT NULL
            WHEN 'file_format' THEN r.file_format IS NOT NULL
            WHEN 'duration_min' THEN r.duration_min IS NOT NULL AND r.duration_min > 0
            WHEN 'size_mb' THEN r.size_mb IS NOT NULL AND r.size_mb > 0
            WHEN 'licence' THEN r.licence IS NOT NULL
            WHEN 'author_role' THEN r.author_role IS NOT NULL
            WHEN 'description' THEN r.description IS NOT NULL
        END AS is_ok
    FROM stg.resources AS r
    CROSS JOIN std AS s
)
SELECT * EXCLUDE (is_ok), coalesce(is_ok, false) AS is_ok
FROM checks
ORDER BY resource_id, field;

-- marts.resource_usage: one row per resource and month with views, downloads and schools.
CREATE OR REPLACE TABLE marts.resource_usage AS
SELECT
    u.resource_id,
    r.unit_code,
    r.title,
    r.subject,
    r.level,
    r.is_premium,
    u.month,
    u.view_count,
    u.download_count,
    u.school_count
FROM stg.resource_usage AS u
JOIN stg.resources AS r USING (resource_id)
ORDER BY u.resource_id, u.month;

-- marts.classroom_activity: 三个课堂 sessions per school, month, kind and role, with the unit.
CREATE OR REPLACE TABLE marts.classroom_activity AS
SELECT
    c.school_id,
    s.unit_code,
    c.month,
    c.kind,
    c.role,
    c.session_count,
    c.student_count,
    c.partner_school_id,
    c.remote_school_count
FROM stg.classroom_activity AS c
JOIN marts.schools AS s USING (school_id)
ORDER BY s.unit_code, c.school_id, c.month, c.kind, c.role;

-- marts.cloud_pairs: 四川云教 pairs per semester, both schools with unit, name and position.
-- unit_code is the receiving school's unit (the pair serves its pupils).
CREATE OR REPLACE TABLE marts.cloud_pairs AS
SELECT
    p.broadcast_school_id,
    b.school_name AS broadcast_school_name,
    b.unit_code AS broadcast_unit_code,
    b.lon AS broadcast_lon,
    b.lat AS broadcast_lat,
    p.school_id,
    r.school_name,
    r.unit_code,
    r.lon,
    r.lat,
    p.level,
    p.subjects,
    p.start_date,
    p.semester,
    p.weekly_lessons,
    p.student_count,
    p.evaluation_score,
    p.evaluation_grade,
    p.status
FROM stg.cloud_pairs AS p
JOIN marts.schools AS b ON b.school_id = p.broadcast_school_id
JOIN marts.schools AS r ON r.school_id = p.school_id
ORDER BY p.semester, p.broadcast_school_id, p.school_id;
