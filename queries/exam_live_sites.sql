-- Live: per exam site of one exam in scope, the newest event (exam clock), when it was
-- received (wall clock) and how many events the site sent on the exam day shown.
WITH ev AS (
    SELECT site_code, ts, received_at
    FROM read_parquet($landing_files)
    WHERE kind NOT IN ('ack', 'transport') AND ts >= $day_start AND ts < $day_end
)
SELECT
    s.site_code,
    max(ev.ts) AS last_ts,
    max(ev.received_at) AS last_received_at,
    count(ev.ts) AS event_count
FROM marts.exam_sites AS s
LEFT JOIN ev USING (site_code)
WHERE s.exam_code = $exam AND list_contains($scope, s.unit_code)
GROUP BY s.site_code
ORDER BY s.site_code
