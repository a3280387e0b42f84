-- Live: GPS reports of paper vehicles on routes of one exam in scope on the exam day shown: the
-- latest 12 per route (position, state, speed; for the trail and the latest position), each
-- with its route's first long stop, the first report after its last long stop, and its first
-- delivery (exam clock), so that stops and delays are judged on the whole day's reports.
WITH e AS (
    SELECT e.route_id, e.vehicle_id, e.site_code, e.ts, e.received_at, e.lon, e.lat, e.state, e.speed_kmh
    FROM read_parquet($landing_files) AS e
    JOIN marts.exam_routes AS r USING (route_id)
    WHERE e.kind = 'transport' AND e.ts >= $day_start AND e.ts < $day_end
      AND r.exam = (SELECT any_value(exam) FROM marts.exam_sessions WHERE exam_code = $exam)
      AND list_contains($scope, r.unit_code)
),
per_route AS (
    SELECT
        route_id,
        min(ts) FILTER (WHERE state = 'long_stop') AS first_long_stop_at,
        max(ts) FILTER (WHERE state = 'long_stop') AS last_long_stop_at,
        min(ts) FILTER (WHERE state = 'delivered') AS delivered_at
    FROM e
    GROUP BY route_id
),
moved AS (
    SELECT e.route_id, min(e.ts) AS moved_after_stop_at
    FROM e JOIN per_route AS p USING (route_id)
    WHERE e.state <> 'long_stop' AND e.ts > p.last_long_stop_at
    GROUP BY e.route_id
),
recent AS (
    SELECT *, row_number() OVER (PARTITION BY route_id ORDER BY ts DESC, received_at DESC) AS k
    FROM e
)
SELECT
    x.route_id,
    x.vehicle_id,
    x.site_code,
    x.ts,
    x.lon,
    x.lat,
    x.state,
    x.speed_kmh,
    p.first_long_stop_at,
    m.moved_after_stop_at,
    p.delivered_at
FROM recent AS x
JOIN per_route AS p USING (route_id)
LEFT JOIN moved AS m USING (route_id)
WHERE x.k <= 12
ORDER BY x.route_id, x.ts, x.received_at
