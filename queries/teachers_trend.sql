-- Cumulative completion share over the units in $scope at each quarter end (kind 'actual'),
-- and the projection (kind 'projection'): the least-squares line through the last 4 actual
-- points, drawn from the 4th-last point to the deadline; where it reaches 100 % earlier it is
-- drawn to that day and held at 100 % (reached_on).
WITH r AS (SELECT * FROM marts.teacher_rules),
a AS (
    SELECT period_end, sum(complete_count) AS complete_count, sum(teacher_count) AS teacher_count,
           100.0 * sum(complete_count) / nullif(sum(teacher_count), 0) AS pct
    FROM marts.teacher_quarterly
    WHERE list_contains($scope, unit_code)
    GROUP BY period_end
),
last4 AS (SELECT * FROM a ORDER BY period_end DESC LIMIT 4),
fit AS (
    SELECT regr_slope(pct, epoch(period_end) / 86400.0) AS slope,
           regr_intercept(pct, epoch(period_end) / 86400.0) AS intercept,
           min(period_end) AS first_day
    FROM last4
),
days AS (
    SELECT f.first_day AS d1, r.deadline AS d3,
           CASE WHEN f.slope > 0 THEN least(r.deadline, CAST(to_timestamp(
               ((100.0 - f.intercept) / f.slope) * 86400) AS DATE)) ELSE r.deadline END AS d2
    FROM fit AS f, r
)
SELECT 'actual' AS kind, period_end, complete_count, teacher_count, round(pct, 2) AS complete_pct
FROM a
UNION ALL
SELECT 'projection', d.day, NULL, NULL,
       round(least(100.0, f.intercept + f.slope * epoch(d.day) / 86400.0), 2)
FROM fit AS f,
     (SELECT DISTINCT unnest([d1, greatest(d1, d2), d3]) AS day FROM days) AS d
WHERE f.slope IS NOT NULL
ORDER BY kind, period_end
