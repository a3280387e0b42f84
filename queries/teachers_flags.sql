-- Teachers whose hour records look gamed (units in $scope), with the evidence: pseudonymous
-- teacher key, school, which flags, hours and the sessions counted by each rule.
SELECT f.*, sc.school_name, sc.unit_name_zh, sc.unit_name_en
FROM marts.teacher_flags AS f
JOIN marts.schools AS sc USING (school_id)
WHERE list_contains($scope, f.unit_code)
ORDER BY f.unit_code, f.school_id, f.teacher_key
