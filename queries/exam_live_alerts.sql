-- Live: radio-signal alerts and incidents of one exam in scope on the exam day shown, one row
-- per alert: raised at, latest status (by the events' own time, whatever order they came in),
-- severity, category, frequency and location.
SELECT
    e.alert_id,
    any_value(e.kind) AS kind,
    e.site_code,
    min(e.ts) AS raised_at,
    max(e.ts) AS updated_at,
    arg_max(e.status, {'t': e.ts, 'r': e.received_at}) AS status,
    arg_max(e.severity, {'t': e.ts, 'r': e.received_at}) AS severity,
    arg_max(e.category, {'t': e.ts, 'r': e.received_at}) FILTER (WHERE e.category IS NOT NULL) AS category,
    arg_max(e.frequency_mhz, e.ts) FILTER (WHERE e.frequency_mhz IS NOT NULL) AS frequency_mhz,
    arg_max(e.lon, e.ts) FILTER (WHERE e.lon IS NOT NULL) AS lon,
    arg_max(e.lat, e.ts) FILTER (WHERE e.lat IS NOT NULL) AS lat,
    arg_max(e.room_code, e.ts) FILTER (WHERE e.room_code IS NOT NULL) AS room_code,
    arg_max(e.note, e.ts) FILTER (WHERE e.note IS NOT NULL) AS note,
    count(*) AS update_count
FROM read_parquet($landing_files) AS e
JOIN marts.exam_sites AS s USING (site_code)
WHERE e.kind IN ('radio', 'incident') AND e.ts >= $day_start AND e.ts < $day_end
  AND s.exam_code = $exam AND list_contains($scope, s.unit_code)
GROUP BY e.alert_id, e.site_code
ORDER BY raised_at DESC
