-- The sessions behind the integrity flags of one teacher ($teacher, a teacher_key; NULL = all)
-- in the units of $scope, at most $limit rows.
SELECT *
FROM marts.teacher_flag_sessions
WHERE list_contains($scope, unit_code) AND ($teacher IS NULL OR teacher_key = $teacher)
ORDER BY teacher_key, start_time
LIMIT $limit
