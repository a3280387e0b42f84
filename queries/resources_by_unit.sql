-- Per contributing unit in scope: resources submitted, collected and premium by the end of
-- $period, pending and returned at the export date, and the share of its submissions whose
-- required metadata conform to the resource-metadata standard.
WITH cutoff AS (
    SELECT coalesce(
        (SELECT period_end FROM marts.periods WHERE period = $period),
        (SELECT max(period_end) FROM marts.periods)
    ) AS period_end
),

conforming AS (
    SELECT resource_id, bool_and(is_ok) AS is_conforming
    FROM marts.resource_metadata_checks
    WHERE is_required AND is_applicable AND list_contains($scope, unit_code)
    GROUP BY resource_id
)

SELECT
    u.unit_code,
    u.name_zh,
    u.name_en,
    count(r.resource_id) FILTER (WHERE r.submitted_on <= c.period_end) AS submitted_count,
    count(r.resource_id) FILTER (WHERE r.is_collected AND r.collected_on <= c.period_end)
        AS collected_count,
    count(r.resource_id) FILTER (WHERE r.is_premium AND r.selected_on <= c.period_end)
        AS premium_count,
    count(r.resource_id) FILTER (WHERE r.review_status = '待审') AS pending_count,
    count(r.resource_id) FILTER (WHERE r.review_status = '退回') AS returned_count,
    round(100.0 * count(r.resource_id) FILTER (WHERE f.is_conforming)
        / nullif(count(r.resource_id), 0), 1) AS metadata_conforming_pct
FROM ref.units AS u
CROSS JOIN cutoff AS c
LEFT JOIN marts.resources AS r ON r.unit_code = u.unit_code
LEFT JOIN conforming AS f ON f.resource_id = r.resource_id
WHERE list_contains($scope, u.unit_code)
GROUP BY u.unit_code, u.name_zh, u.name_en
ORDER BY collected_count DESC, starts_with(u.unit_code, 'Z'), u.unit_code
