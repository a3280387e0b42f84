-- Live: acknowledgements of alerts of one exam's sites in scope on the exam day shown: the first
-- one per alert (who, when) and how many screens acknowledged it.
SELECT
    e.alert_id,
    arg_min(e.user_name, e.ts) AS acked_by,
    min(e.ts) AS acked_at,
    count(*) AS ack_count
FROM read_parquet($landing_files) AS e
JOIN marts.exam_sites AS s USING (site_code)
WHERE e.kind = 'ack' AND e.ts >= $day_start AND e.ts < $day_end
  AND s.exam_code = $exam AND list_contains($scope, s.unit_code)
GROUP BY e.alert_id
