-- Live: cumulative candidates checked in during one session ($session) of one exam in scope,
-- in 5-minute steps of the exam clock (the check-in curve before the start).
WITH first_in AS (
    SELECT e.room_code, e.seat_no, min(e.ts) AS ts
    FROM read_parquet($landing_files) AS e
    JOIN marts.exam_sites AS s USING (site_code)
    WHERE e.kind = 'checkin' AND e.result = 'pass' AND e.session_code = $session
      AND e.ts >= $day_start AND e.ts < $day_end
      AND s.exam_code = $exam AND list_contains($scope, s.unit_code)
    GROUP BY e.room_code, e.seat_no
),
steps AS (
    SELECT time_bucket(INTERVAL 5 MINUTE, ts) AS bucket_at, count(*) AS n
    FROM first_in GROUP BY 1
)
SELECT
    bucket_at,
    n AS checked_in_count,
    sum(n) OVER (ORDER BY bucket_at) AS cumulative_count
FROM steps
ORDER BY bucket_at
