-- The paper-transport legs of one exam ($exam) to and from sites in scope: vehicle, time
-- window, planned path (lon,lat;…) and the longest stop allowed.
SELECT
    route_id,
    session_code,
    leg_code,
    site_code,
    site_name,
    unit_code,
    vehicle_id,
    planned_depart,
    planned_arrive,
    waypoints,
    max_stop_minutes,
    secure_room_code,
    secure_room_name_zh,
    secure_room_lon,
    secure_room_lat
FROM marts.exam_routes
WHERE exam = (SELECT any_value(exam) FROM marts.exam_sessions WHERE exam_code = $exam)
  AND list_contains($scope, unit_code)
ORDER BY planned_depart, route_id
