-- Teachers who passed each micro-ability point, per unit in $scope (for the unit × point grid).
SELECT p.unit_code, u.name_zh AS unit_name_zh, u.name_en AS unit_name_en, p.point_code,
       p.environment, p.passed_teacher_count, p.submitted_teacher_count
FROM marts.teacher_points AS p
JOIN marts.units AS u USING (unit_code)
WHERE list_contains($scope, p.unit_code)
ORDER BY p.unit_code, p.environment, CAST(substr(p.point_code, 2) AS INTEGER)
