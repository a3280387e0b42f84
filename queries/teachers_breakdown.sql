-- In-scope teachers, hours met and complete by breakdown (level, subject, age_band, title,
-- urban_rural, category) over the units in $scope.
SELECT
    breakdown,
    value,
    sum(teacher_count) AS teacher_count,
    sum(hours_met_count) AS hours_met_count,
    sum(complete_count) AS complete_count,
    round(100.0 * sum(complete_count) / nullif(sum(teacher_count), 0), 1) AS complete_pct,
    round(100.0 * sum(hours_met_count) / nullif(sum(teacher_count), 0), 1) AS hours_met_pct
FROM marts.teacher_breakdown
WHERE list_contains($scope, unit_code)
GROUP BY breakdown, value
ORDER BY breakdown, value
