-- The registered monitoring devices of one exam ($exam) at sites in scope (site, room, location,
-- type): the plan side of the live device counts and of a site's drill-down.
SELECT
    d.device_id,
    d.site_code,
    d.room_code,
    d.location,
    d.device_type_code
FROM marts.exam_devices AS d
WHERE d.exam = (SELECT any_value(exam) FROM marts.exam_sessions WHERE exam_code = $exam)
  AND list_contains($scope, d.unit_code)
ORDER BY d.site_code, d.device_type_code, d.device_id
