-- marts.exam_sites: every exam site (考点) of the exported year with its unit, location, rooms,
-- expected candidates (30 per 考场), its 保密室 and registered devices by type.
CREATE OR REPLACE TABLE marts.exam_sites AS
WITH dev AS (
    SELECT
        site_code,
        count(*) AS device_count,
        count(*) FILTER (WHERE device_type = '高清摄像头') AS camera_count,
        count(*) FILTER (WHERE device_type = '高清摄像头' AND location = '考场') AS room_camera_count,
        count(*) FILTER (WHERE device_type = '身份证阅读器') AS id_reader_count,
        count(*) FILTER (WHERE device_type = '人脸识别终端') AS face_terminal_count,
        count(*) FILTER (WHERE device_type = '无线电屏蔽器') AS jammer_count,
        count(*) FILTER (WHERE device_type = '金属探测器') AS metal_detector_count,
        count(*) FILTER (WHERE is_networked) AS networked_count
    FROM stg.exam_devices
    GROUP BY site_code
),
secure AS (
    SELECT site_code, min(room_code) AS secure_room_code
    FROM stg.exam_rooms WHERE room_type = '保密室' GROUP BY site_code
)
SELECT
    s.site_code,
    s.exam,
    CASE s.exam WHEN '高考' THEN 'gaokao' ELSE 'zhongkao' END AS exam_code,
    s.year,
    s.site_name,
    s.unit_code,
    u.name_zh AS unit_name_zh,
    u.name_en AS unit_name_en,
    s.school_id,
    s.lon,
    s.lat,
    s.candidates,
    s.exam_room_count,
    s.is_standardized,
    s.has_secure_room,
    sr.secure_room_code,
    s.command_link,
    s.joint_test,
    coalesce(d.device_count, 0) AS device_count,
    coalesce(d.camera_count, 0) AS camera_count,
    coalesce(d.room_camera_count, 0) AS room_camera_count,
    coalesce(d.id_reader_count, 0) AS id_reader_count,
    coalesce(d.face_terminal_count, 0) AS face_terminal_count,
    coalesce(d.jammer_count, 0) AS jammer_count,
    coalesce(d.metal_detector_count, 0) AS metal_detector_count,
    coalesce(d.networked_count, 0) AS networked_count
FROM stg.exam_sites AS s
LEFT JOIN ref.units AS u USING (unit_code)
LEFT JOIN dev AS d USING (site_code)
LEFT JOIN secure AS sr USING (site_code)
ORDER BY s.exam, s.site_code;
