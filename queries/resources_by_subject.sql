-- Resources collected (入库 or 精品 by the end of $period) per subject and school level (学段),
-- with the premium ones among them, for the units in scope.
WITH cutoff AS (
    SELECT coalesce(
        (SELECT period_end FROM marts.periods WHERE period = $period),
        (SELECT max(period_end) FROM marts.periods)
    ) AS period_end
)

SELECT
    r.subject,
    r.level,
    count(*) AS collected_count,
    count(*) FILTER (WHERE r.is_premium AND r.selected_on <= c.period_end) AS premium_count
FROM marts.resources AS r, cutoff AS c
WHERE list_contains($scope, r.unit_code) AND r.is_collected AND r.collected_on <= c.period_end
GROUP BY r.subject, r.level
ORDER BY collected_count DESC, r.subject, r.level
