-- Views, downloads and published resources used per month, up to the end of $period, for the
-- resources of the units in scope (resource_count: published resources listed that month).
WITH cutoff AS (
    SELECT strftime(coalesce(
        (SELECT period_end FROM marts.periods WHERE period = $period),
        (SELECT max(period_end) FROM marts.periods)
    ), '%Y-%m') AS last_month
)

SELECT
    u.month,
    sum(u.view_count)::BIGINT AS view_count,
    sum(u.download_count)::BIGINT AS download_count,
    count(*) FILTER (WHERE u.view_count > 0) AS used_resource_count,
    count(*) AS resource_count
FROM marts.resource_usage AS u, cutoff AS c
WHERE list_contains($scope, u.unit_code) AND u.month <= c.last_month
GROUP BY u.month
ORDER BY u.month
