-- The exam sites of one exam ($exam) in scope: unit, location, rooms, expected candidates,
-- 保密室 and registered devices by type.
SELECT
    site_code,
    exam,
    site_name,
    unit_code,
    unit_name_zh,
    unit_name_en,
    lon,
    lat,
    candidates,
    exam_room_count,
    is_standardized,
    secure_room_code,
    camera_count,
    room_camera_count,
    id_reader_count,
    face_terminal_count,
    jammer_count,
    device_count
FROM marts.exam_sites
WHERE exam_code = $exam AND list_contains($scope, unit_code)
ORDER BY unit_code, site_code
