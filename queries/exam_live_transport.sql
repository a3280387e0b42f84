-- Live: every GPS report of the paper vehicles on routes of one exam in scope on the exam day
-- shown (position, state, speed), oldest first per route. The screen derives each route's
-- latest position, trail, stops, delivery and distance from its planned path from them
-- (edusight/exam_state.py: summarize_route).
SELECT
    e.route_id,
    e.vehicle_id,
    e.site_code,
    e.ts,
    e.received_at,
    e.lon,
    e.lat,
    e.state,
    e.speed_kmh
FROM read_parquet($landing_files) AS e
JOIN marts.exam_routes AS r USING (route_id)
WHERE e.kind = 'transport' AND e.ts >= $day_start AND e.ts < $day_end
  AND r.exam = (SELECT any_value(exam) FROM marts.exam_sessions WHERE exam_code = $exam)
  AND list_contains($scope, r.unit_code)
ORDER BY e.route_id, e.ts, e.received_at
