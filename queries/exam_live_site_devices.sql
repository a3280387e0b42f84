-- Live: every registered device of one exam site ($site, if in scope) with its latest heartbeat
-- on the exam day shown (status and time; NULL when it sent none): the site drill-down.
WITH hb AS (
    SELECT device_id, arg_max(status, {'t': ts, 'r': received_at}) AS status, max(ts) AS last_ts
    FROM read_parquet($landing_files)
    WHERE kind = 'heartbeat' AND site_code = $site AND ts >= $day_start AND ts < $day_end
    GROUP BY device_id
)
SELECT
    d.device_id,
    d.site_code,
    d.room_code,
    d.location,
    d.device_type_code,
    hb.status,
    hb.last_ts
FROM marts.exam_devices AS d
LEFT JOIN hb USING (device_id)
WHERE d.site_code = $site AND list_contains($scope, d.unit_code)
ORDER BY d.device_id
