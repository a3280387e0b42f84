-- 三个课堂 per month and kind up to the end of $period, for the schools of the units in scope:
-- lessons held and schools reporting (专递课堂 by receiving schools, the others by the school
-- that gives them).
WITH cutoff AS (
    SELECT strftime(coalesce(
        (SELECT period_end FROM marts.periods WHERE period = $period),
        (SELECT max(period_end) FROM marts.periods)
    ), '%Y-%m') AS last_month
)

SELECT
    a.month,
    a.kind,
    sum(a.session_count)::BIGINT AS session_count,
    count(DISTINCT a.school_id) AS school_count
FROM marts.classroom_activity AS a, cutoff AS c
WHERE list_contains($scope, a.unit_code) AND a.month <= c.last_month
GROUP BY a.month, a.kind
ORDER BY a.month, a.kind
