-- Live: the events alerts are derived from on the exam day shown, for one exam in scope:
-- 保密室 door events (custody) and failed identity checks (人证不符).
SELECT
    e.event_id,
    e.kind,
    e.site_code,
    e.ts,
    e.room_code,
    e.action,
    e.persons,
    e.session_code,
    e.seat_no,
    e.note
FROM read_parquet($landing_files) AS e
JOIN marts.exam_sites AS s USING (site_code)
WHERE (e.kind = 'custody' OR (e.kind = 'checkin' AND e.result = 'mismatch'))
  AND e.ts >= $day_start AND e.ts < $day_end
  AND s.exam_code = $exam AND list_contains($scope, s.unit_code)
ORDER BY e.ts
