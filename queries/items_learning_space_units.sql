-- Online learning spaces (work item 五) per unit in scope and school type in the last month of
-- the quarter $period: spaces opened and monthly active, against the teachers and pupils of the
-- school type (kindergartens out of scope).
WITH p AS (SELECT strftime(period_end, '%Y-%m') AS month FROM marts.periods WHERE period = $period)
SELECT
    z.unit_code,
    u.name_zh,
    u.name_en,
    z.school_type,
    z.school_type_en,
    z.school_count AS schools_in_scope,
    z.teacher_count AS teachers_in_scope,
    z.student_count AS students_in_scope,
    coalesce(m.school_count, 0) AS reporting_school_count,
    coalesce(m.teacher_space_count, 0) AS teacher_space_count,
    coalesce(m.student_space_count, 0) AS student_space_count,
    coalesce(m.active_teacher_count, 0) AS active_teacher_count,
    coalesce(m.active_student_count, 0) AS active_student_count,
    p.month
FROM marts.items_learning_space_scope AS z
CROSS JOIN p
JOIN marts.units AS u USING (unit_code)
LEFT JOIN marts.items_learning_space_monthly AS m
  ON m.unit_code = z.unit_code AND m.school_type = z.school_type AND m.month = p.month
WHERE list_contains($scope, z.unit_code)
ORDER BY z.unit_code, z.school_type
