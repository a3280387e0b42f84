-- Live: is anything arriving at all? The newest event received (wall clock) and its exam time,
-- over every landed event (the whole feed, so the scope only has to be non-empty).
SELECT
    max(received_at) AS last_received_at,
    max(ts) FILTER (WHERE kind <> 'ack') AS last_ts,
    count(*) AS event_count
FROM read_parquet($landing_files)
WHERE len($scope) > 0
