-- One school's online learning spaces (work item 五) by month up to the end of $period: spaces
-- opened (cumulative) and monthly active teachers and pupils. Read from stg.learning_space; the
-- page checks the table exists first.
SELECT
    l.month,
    l.teacher_space_count,
    l.student_space_count,
    l.active_teacher_count,
    l.active_student_count
FROM stg.learning_space AS l
JOIN marts.schools AS s USING (school_id)
WHERE l.school_id = $school
  AND list_contains($scope, s.unit_code)
  AND l.month <= (SELECT strftime(period_end, '%Y-%m') FROM marts.periods WHERE period = $period)
ORDER BY l.month
