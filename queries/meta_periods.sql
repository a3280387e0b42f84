-- The reporting periods (quarters such as '2021Q2'), oldest first: the sidebar period list.
SELECT
    period,
    period_start,
    period_end
FROM marts.periods
WHERE len($scope) > 0
ORDER BY period_start, period
