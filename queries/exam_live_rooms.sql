-- Live: per 考场 of one exam in scope, candidates checked in (identity verified), refused at
-- the identity check (人证不符) and confirmed absent in one session ($session). A seat counts
-- once however often it is reported (seats are bits of a per-room mask: at most 30 per room);
-- a seat reported absent that later checks in counts as in.
WITH ev AS (
    SELECT
        room_code,
        bit_or(CAST(1 AS BIGINT) << seat_no) FILTER (WHERE kind = 'checkin' AND result = 'pass') AS in_mask,
        bit_or(CAST(1 AS BIGINT) << seat_no) FILTER (WHERE kind = 'absent') AS absent_mask,
        bit_or(CAST(1 AS BIGINT) << seat_no) FILTER (WHERE kind = 'checkin' AND result = 'mismatch')
            AS mismatch_mask
    FROM read_parquet($landing_files)
    WHERE kind IN ('checkin', 'absent') AND session_code = $session
      AND ts >= $day_start AND ts < $day_end
    GROUP BY room_code
)
SELECT
    r.site_code,
    r.room_code,
    r.room_name,
    r.candidates,
    r.camera_count,
    coalesce(bit_count(ev.in_mask), 0) AS checked_in_count,
    coalesce(bit_count(coalesce(ev.absent_mask, 0) & ~coalesce(ev.in_mask, 0)), 0) AS absent_count,
    coalesce(bit_count(ev.mismatch_mask), 0) AS mismatch_count
FROM marts.exam_rooms AS r
LEFT JOIN ev USING (room_code)
WHERE r.room_type = '考场' AND r.exam = (SELECT any_value(exam) FROM marts.exam_sessions WHERE exam_code = $exam)
  AND list_contains($scope, r.unit_code)
ORDER BY r.room_code
