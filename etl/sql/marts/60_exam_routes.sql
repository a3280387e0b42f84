-- marts.exam_routes: planned paper-transport legs (送卷 保密室 → site before a session, 回收
-- site → 保密室 after it) with vehicle, time window, path and the longest stop allowed.
CREATE OR REPLACE TABLE marts.exam_routes AS
SELECT
    r.route_id,
    r.exam,
    r.session_code,
    r.leg,
    CASE r.leg WHEN '送卷' THEN 'deliver' ELSE 'collect' END AS leg_code,
    r.site_code,
    s.unit_code,
    s.site_name,
    r.vehicle_id,
    r.planned_depart,
    r.planned_arrive,
    r.waypoints,
    r.max_stop_minutes,
    r.secure_room_code,
    b.name_zh AS secure_room_name_zh,
    b.lon AS secure_room_lon,
    b.lat AS secure_room_lat
FROM stg.transport_routes AS r
JOIN stg.exam_sites AS s USING (site_code)
LEFT JOIN ref.exam_secure_rooms AS b ON b.room_code = r.secure_room_code
ORDER BY r.planned_depart, r.route_id;
