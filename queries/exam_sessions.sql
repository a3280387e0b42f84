-- The sessions of one exam ($exam: gaokao / zhongkao) with plan start and end times. Session
-- timetables are public, so the scope only has to be non-empty.
SELECT
    session_code,
    exam,
    exam_day,
    subject_zh,
    subject_en,
    start_at,
    end_at,
    is_assumption
FROM marts.exam_sessions
WHERE exam_code = $exam AND len($scope) > 0
ORDER BY start_at
