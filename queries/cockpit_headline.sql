-- Headline numbers of the cockpit for the units in scope: schools, pupils and full-time
-- teachers (all levels, marts.schools), and the in-scope units.
SELECT
    count(*) AS school_count,
    coalesce(sum(s.student_count), 0) AS student_count,
    coalesce(sum(s.teacher_count), 0) AS teacher_count,
    count(DISTINCT s.unit_code) AS unit_count
FROM marts.schools AS s
WHERE list_contains($scope, s.unit_code)
