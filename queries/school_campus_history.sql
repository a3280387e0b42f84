-- One school's digital-campus assessments, oldest first: weighted score, the eight dimension
-- scores, the verdict under the pass rule and the criteria failed.
SELECT
    a.period,
    a.assessed_on,
    a.weighted_score,
    a.score_bandwidth,
    a.score_wifi,
    a.score_multimedia,
    a.score_terminals,
    a.score_platforms,
    a.score_resources,
    a.score_security,
    a.score_support,
    a.is_pass,
    a.reported_result,
    a.is_verdict_mismatch,
    a.failed_criteria_zh,
    a.failed_criteria_en
FROM marts.campus_assessments AS a
JOIN marts.schools AS s USING (school_id)
WHERE a.school_id = $school AND list_contains($scope, s.unit_code)
ORDER BY a.assessed_on, a.period
