-- marts.exam_rooms: every room an exam site uses (考场 with their expected candidates, and the
-- 保密室, 考务室, 医疗室, 保卫室, 监控室 with none), with its registered cameras.
CREATE OR REPLACE TABLE marts.exam_rooms AS
WITH cams AS (
    SELECT room_code, count(*) AS camera_count
    FROM stg.exam_devices WHERE device_type = '高清摄像头' AND room_code IS NOT NULL
    GROUP BY room_code
)
SELECT
    r.room_code,
    r.site_code,
    s.exam,
    s.unit_code,
    r.room_type,
    CASE r.room_type
        WHEN '考场' THEN 'exam_room' WHEN '保密室' THEN 'secure_room' WHEN '考务室' THEN 'office'
        WHEN '医疗室' THEN 'medical' WHEN '保卫室' THEN 'security' ELSE 'monitoring'
    END AS room_type_code,
    r.room_name,
    r.building,
    r.candidates,
    coalesce(c.camera_count, 0) AS camera_count
FROM stg.exam_rooms AS r
JOIN stg.exam_sites AS s USING (site_code)
LEFT JOIN cams AS c USING (room_code)
ORDER BY r.room_code;
