-- The 10 most viewed resources of the units in scope over the 12 months ending with $period.
WITH cutoff AS (
    SELECT coalesce(
        (SELECT period_end FROM marts.periods WHERE period = $period),
        (SELECT max(period_end) FROM marts.periods)
    ) AS period_end
),

window_months AS (
    SELECT
        strftime(period_end - INTERVAL 11 MONTH, '%Y-%m') AS first_month,
        strftime(period_end, '%Y-%m') AS last_month
    FROM cutoff
)

SELECT
    u.resource_id,
    any_value(u.title) AS title,
    any_value(u.subject) AS subject,
    any_value(u.level) AS level,
    bool_or(u.is_premium) AS is_premium,
    any_value(u.unit_code) AS unit_code,
    any_value(n.name_zh) AS unit_name_zh,
    any_value(n.name_en) AS unit_name_en,
    sum(u.view_count)::BIGINT AS view_count,
    sum(u.download_count)::BIGINT AS download_count,
    max(u.school_count) AS max_monthly_school_count
FROM marts.resource_usage AS u
CROSS JOIN window_months AS w
LEFT JOIN ref.units AS n ON n.unit_code = u.unit_code
WHERE list_contains($scope, u.unit_code) AND u.month BETWEEN w.first_month AND w.last_month
GROUP BY u.resource_id
ORDER BY view_count DESC, u.resource_id
LIMIT 10
