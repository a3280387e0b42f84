-- marts.school_levels: one row per school and level it serves, with pupils and full-time teachers.
CREATE OR REPLACE TABLE marts.school_levels AS
WITH levels AS (
    SELECT s.school_id, trim(unnest(string_split(t.levels, '|'))) AS level
    FROM stg.schools AS s
    JOIN ref.school_types AS t ON t.type_zh = s.school_type
),
pupils AS (
    SELECT school_id, level,
           count(*) AS student_count,
           count(*) FILTER (WHERE is_migrant) AS migrant_count,
           count(*) FILTER (WHERE is_boarding) AS boarding_count,
           count(*) FILTER (WHERE is_left_behind) AS left_behind_count
    FROM stg.students GROUP BY ALL
),
staff AS (
    SELECT school_id, teaching_level AS level, count(*) AS teacher_count
    FROM stg.teachers WHERE post = '专任教师' GROUP BY ALL
)
SELECT
    l.school_id,
    l.level,
    coalesce(p.student_count, 0) AS student_count,
    coalesce(f.teacher_count, 0) AS teacher_count,
    coalesce(p.migrant_count, 0) AS migrant_count,
    coalesce(p.boarding_count, 0) AS boarding_count,
    coalesce(p.left_behind_count, 0) AS left_behind_count
FROM levels AS l
LEFT JOIN pupils AS p USING (school_id, level)
LEFT JOIN staff AS f USING (school_id, level)
ORDER BY l.school_id, l.level;

-- marts.schools: the school dimension every page joins to.
CREATE OR REPLACE TABLE marts.schools AS
SELECT
    s.school_id,
    s.school_name,
    s.unit_code,
    u.name_zh AS unit_name_zh,
    u.name_en AS unit_name_en,
    u.category,
    s.school_type,
    t.type_en AS school_type_en,
    t.levels,
    CAST(t.is_campus_scope AS BOOLEAN) AS is_campus_scope,
    s.ownership,
    s.urban_rural,
    s.lon,
    s.lat,
    s.class_count,
    s.founded_year,
    coalesce(sl.student_count, 0) AS student_count,
    coalesce(sl.teacher_count, 0) AS teacher_count
FROM stg.schools AS s
JOIN marts.units AS u USING (unit_code)
JOIN ref.school_types AS t ON t.type_zh = s.school_type
LEFT JOIN (
    SELECT school_id, sum(student_count) AS student_count, sum(teacher_count) AS teacher_count
    FROM marts.school_levels GROUP BY ALL
) AS sl USING (school_id)
ORDER BY s.school_id;

-- marts.unit_levels: per unit and level, the bulletin's three numbers and the pupil groups.
CREATE OR REPLACE TABLE marts.unit_levels AS
SELECT
    s.unit_code,
    l.level,
    count(*) AS school_count,
    sum(l.student_count) AS student_count,
    sum(l.teacher_count) AS teacher_count,
    sum(l.migrant_count) AS migrant_count,
    sum(l.boarding_count) AS boarding_count,
    sum(l.left_behind_count) AS left_behind_count
FROM marts.school_levels AS l
JOIN stg.schools AS s USING (school_id)
GROUP BY ALL
ORDER BY s.unit_code, l.level;
