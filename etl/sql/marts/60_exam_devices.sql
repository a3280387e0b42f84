-- marts.exam_devices: every registered monitoring device of an exam site with the type code
-- live heartbeats use (camera, id_reader, face_terminal, jammer, metal_detector).
CREATE OR REPLACE TABLE marts.exam_devices AS
SELECT
    d.device_id,
    d.site_code,
    s.exam,
    s.unit_code,
    d.room_code,
    d.location,
    d.device_type,
    CASE d.device_type
        WHEN '高清摄像头' THEN 'camera' WHEN '身份证阅读器' THEN 'id_reader'
        WHEN '人脸识别终端' THEN 'face_terminal' WHEN '无线电屏蔽器' THEN 'jammer'
        ELSE 'metal_detector'
    END AS device_type_code,
    d.is_networked,
    d.status AS status_at_export
FROM stg.exam_devices AS d
JOIN stg.exam_sites AS s USING (site_code)
ORDER BY d.device_id;
