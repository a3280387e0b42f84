-- Live: per 考场 of one exam in scope, candidates checked in (identity verified), refused at
-- the identity check (人证不符) and confirmed absent in one session ($session). A seat counts
-- once however often it is reported; a seat reported absent that later checks in counts as in.
WITH ev AS (
    SELECT kind, room_code, seat_no, result
    FROM read_parquet($landing_files)
    WHERE kind IN ('checkin', 'absent') AND session_code = $session
      AND ts >= $day_start AND ts < $day_end
),
seat AS (
    SELECT
        room_code,
        seat_no,
        bool_or(kind = 'checkin' AND result = 'pass') AS is_in,
        bool_or(kind = 'absent') AS is_absent,
        bool_or(kind = 'checkin' AND result = 'mismatch') AS is_mismatch
    FROM ev
    GROUP BY room_code, seat_no
)
SELECT
    r.site_code,
    r.room_code,
    r.room_name,
    r.candidates,
    r.camera_count,
    count(seat.seat_no) FILTER (WHERE seat.is_in) AS checked_in_count,
    count(seat.seat_no) FILTER (WHERE seat.is_absent AND NOT seat.is_in) AS absent_count,
    count(seat.seat_no) FILTER (WHERE seat.is_mismatch) AS mismatch_count
FROM marts.exam_rooms AS r
LEFT JOIN seat USING (room_code)
WHERE r.room_type = '考场' AND r.exam = (SELECT any_value(exam) FROM marts.exam_sessions WHERE exam_code = $exam)
  AND list_contains($scope, r.unit_code)
GROUP BY r.site_code, r.room_code, r.room_name, r.candidates, r.camera_count
ORDER BY r.room_code
