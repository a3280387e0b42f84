-- The 考场 of one exam ($exam) at sites in scope, with expected candidates and cameras: the plan
-- side of the live check-in counts (the command screen reads the counts from its live state).
SELECT
    r.site_code,
    r.room_code,
    r.room_name,
    r.candidates,
    r.camera_count
FROM marts.exam_rooms AS r
WHERE r.room_type = '考场'
  AND r.exam = (SELECT any_value(exam) FROM marts.exam_sessions WHERE exam_code = $exam)
  AND list_contains($scope, r.unit_code)
ORDER BY r.room_code
