-- Live: per exam site of one exam in scope and device type, devices registered, reporting on
-- the exam day shown and online now (latest heartbeat, by the events' own time, says online
-- and came after $device_cutoff, exam clock).
WITH hb AS (
    SELECT device_id, arg_max(status, {'t': ts, 'r': received_at}) AS status, max(ts) AS last_ts
    FROM read_parquet($landing_files)
    WHERE kind = 'heartbeat' AND ts >= $day_start AND ts < $day_end
    GROUP BY device_id
)
SELECT
    d.site_code,
    d.device_type_code,
    count(*) AS registered_count,
    count(hb.device_id) AS reporting_count,
    count(*) FILTER (WHERE hb.status = 'online' AND hb.last_ts >= $device_cutoff) AS online_count
FROM marts.exam_devices AS d
LEFT JOIN hb USING (device_id)
WHERE d.exam = (SELECT any_value(exam) FROM marts.exam_sessions WHERE exam_code = $exam)
  AND list_contains($scope, d.unit_code)
GROUP BY d.site_code, d.device_type_code
ORDER BY d.site_code, d.device_type_code
