-- marts.base_db_counts: rows of the four base databases (学生, 教师, 学校, 装备) per unit.
CREATE OR REPLACE TABLE marts.base_db_counts AS
SELECT 'schools' AS base, unit_code, count(*) AS row_count, NULL::DATE AS latest_date
FROM stg.schools GROUP BY ALL
UNION ALL
SELECT 'students', s.unit_code, count(*), max(st.enrol_date)
FROM stg.students AS st JOIN stg.schools AS s USING (school_id) GROUP BY ALL
UNION ALL
SELECT 'teachers', s.unit_code, count(*), NULL::DATE
FROM stg.teachers AS t JOIN stg.schools AS s USING (school_id) GROUP BY ALL
UNION ALL
SELECT 'equipment', s.unit_code, count(*), make_date(max(e.year), 12, 31)
FROM stg.equipment AS e JOIN stg.schools AS s USING (school_id) GROUP BY ALL
ORDER BY base, unit_code;
