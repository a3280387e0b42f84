-- Online learning spaces (work item 五) per month for the units in scope: spaces opened
-- (cumulative), monthly active teachers and pupils, and the teachers/pupils the spaces serve
-- (kindergartens out of scope) as the denominator of the opening rates.
WITH scope_size AS (
    SELECT sum(teacher_count) AS teachers_in_scope, sum(student_count) AS students_in_scope
    FROM marts.items_learning_space_scope
    WHERE list_contains($scope, unit_code)
)
SELECT
    m.month,
    sum(m.school_count) AS school_count,
    sum(m.teacher_space_count) AS teacher_space_count,
    sum(m.student_space_count) AS student_space_count,
    sum(m.active_teacher_count) AS active_teacher_count,
    sum(m.active_student_count) AS active_student_count,
    any_value(z.teachers_in_scope) AS teachers_in_scope,
    any_value(z.students_in_scope) AS students_in_scope
FROM marts.items_learning_space_monthly AS m, scope_size AS z
WHERE list_contains($scope, m.unit_code)
GROUP BY m.month
ORDER BY m.month
