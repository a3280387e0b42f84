-- The exams of the plan (高考, 中考) with their days and the sites and candidates in scope:
-- the exam choice of the exam command screen.
SELECT
    p.exam_code,
    p.exam,
    p.year,
    min(p.start_at) AS first_start_at,
    max(p.end_at) AS last_end_at,
    (SELECT count(*) FROM marts.exam_sites AS s
      WHERE s.exam = p.exam AND list_contains($scope, s.unit_code)) AS site_count,
    (SELECT coalesce(sum(s.candidates), 0) FROM marts.exam_sites AS s
      WHERE s.exam = p.exam AND list_contains($scope, s.unit_code)) AS candidates
FROM marts.exam_sessions AS p
GROUP BY p.exam_code, p.exam, p.year
ORDER BY min(p.start_at)
