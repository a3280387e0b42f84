-- One row: the resource collection of the units in scope at the end of $period (work item 十二),
-- against the plan's city-wide targets (marts.resource_targets): submitted, collected (入库 or
-- 精品, by the review date), premium (by the selection date), pending (待审) and returned (退回)
-- at the export date, and the share of submissions whose required metadata conform.
WITH cutoff AS (
    SELECT coalesce(
        (SELECT period_end FROM marts.periods WHERE period = $period),
        (SELECT max(period_end) FROM marts.periods)
    ) AS period_end
),

visible AS (
    SELECT r.*
    FROM marts.resources AS r
    WHERE list_contains($scope, r.unit_code)
),

conforming AS (
    SELECT resource_id, bool_and(is_ok) AS is_conforming
    FROM marts.resource_metadata_checks
    WHERE is_required AND is_applicable AND list_contains($scope, unit_code)
    GROUP BY resource_id
)

SELECT
    c.period_end,
    count(*) FILTER (WHERE v.submitted_on <= c.period_end) AS submitted_count,
    count(*) FILTER (WHERE v.is_collected AND v.collected_on <= c.period_end) AS collected_count,
    count(*) FILTER (WHERE v.is_premium AND v.selected_on <= c.period_end) AS premium_count,
    count(*) FILTER (WHERE v.review_status = '待审') AS pending_count,
    count(*) FILTER (WHERE v.review_status = '退回') AS returned_count,
    count(v.resource_id) AS submitted_total_count,
    round(100.0 * count(*) FILTER (WHERE f.is_conforming) / nullif(count(v.resource_id), 0), 1)
        AS metadata_conforming_pct,
    any_value(t.collected_target) AS collected_target,
    any_value(t.premium_target) AS premium_target
FROM cutoff AS c
CROSS JOIN marts.resource_targets AS t
LEFT JOIN visible AS v ON true
LEFT JOIN conforming AS f ON f.resource_id = v.resource_id
GROUP BY c.period_end
