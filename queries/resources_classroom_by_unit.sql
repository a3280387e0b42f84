-- 三个课堂 per unit in scope and kind over the 12 months ending with $period: lessons held,
-- schools taking part, and the pupils of those schools taking part (summed over months).
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
    u.unit_code,
    u.name_zh,
    u.name_en,
    a.kind,
    sum(a.session_count)::BIGINT AS session_count,
    count(DISTINCT a.school_id) AS school_count,
    sum(a.student_count)::BIGINT AS student_count
FROM marts.classroom_activity AS a
CROSS JOIN window_months AS w
JOIN ref.units AS u ON u.unit_code = a.unit_code
WHERE list_contains($scope, a.unit_code) AND a.month BETWEEN w.first_month AND w.last_month
GROUP BY u.unit_code, u.name_zh, u.name_en, a.kind
ORDER BY starts_with(u.unit_code, 'Z'), u.unit_code, a.kind
