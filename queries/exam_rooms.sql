-- The rooms of one exam site ($site), if the site is in scope: 考场 with expected candidates
-- and cameras, then the support rooms.
SELECT
    room_code,
    site_code,
    room_type,
    room_type_code,
    room_name,
    building,
    candidates,
    camera_count
FROM marts.exam_rooms
WHERE site_code = $site AND list_contains($scope, unit_code)
ORDER BY room_type <> '考场', room_code
