-- One school's pupils and full-time teachers per level it serves, with the pupil groups
-- (随迁子女, 寄宿生, 留守儿童). People counts: the page masks small ones.
SELECT l.*
FROM marts.school_levels AS l
JOIN marts.schools AS s USING (school_id)
WHERE l.school_id = $school AND list_contains($scope, s.unit_code)
ORDER BY CASE l.level
    WHEN '幼儿园' THEN 1 WHEN '小学' THEN 2 WHEN '初中' THEN 3 WHEN '高中' THEN 4
    WHEN '中职' THEN 5 ELSE 6 END
