-- One school's digital-campus status at the end of each quarter up to $period (covered / failing /
-- not_assessed), latest last. Empty for schools outside the coverage scope (kindergartens).
SELECT c.period, c.status, c.assessed_period, c.weighted_score
FROM marts.campus_status AS c
JOIN marts.periods AS p USING (period)
WHERE c.school_id = $school
  AND list_contains($scope, c.unit_code)
  AND p.period_start <= (SELECT period_start FROM marts.periods WHERE period = $period)
ORDER BY p.period_start
