-- Digital-campus coverage per category (中心城区 / 郊区新城 / 城市新区) over the units in scope at
-- $period: schools, covered, coverage against the category's target, change since the previous
-- quarter, and a linear projection to the deadline fitted on the last 4 quarters up to $period.
WITH quarters AS (
    SELECT period, year(period_start) * 4 + quarter(period_start) - 1 AS q_index
    FROM marts.periods
),

selected AS (
    SELECT period, q_index FROM quarters WHERE period = $period
),

by_quarter AS (
    SELECT
        c.category,
        q.q_index,
        sum(c.school_count) AS school_count,
        sum(c.assessed_count) AS assessed_count,
        sum(c.covered_count) AS covered_count,
        100.0 * sum(c.covered_count) / nullif(sum(c.school_count), 0) AS coverage_pct
    FROM marts.campus_coverage AS c
    JOIN quarters AS q USING (period)
    WHERE list_contains($scope, c.unit_code)
    GROUP BY c.category, q.q_index
),

fit AS (
    SELECT
        b.category,
        regr_slope(b.coverage_pct, b.q_index) AS slope,
        regr_intercept(b.coverage_pct, b.q_index) AS intercept,
        count(*) AS fit_quarters
    FROM by_quarter AS b, selected AS s
    WHERE b.q_index BETWEEN s.q_index - 3 AND s.q_index
    GROUP BY b.category
),

categories AS (
    SELECT
        c.category,
        c.name_en AS category_en,
        CAST(c.coverage_target_pct AS DOUBLE) AS coverage_target_pct,
        c.is_assumption AS is_target_assumption,
        CAST(c.deadline AS DATE) AS deadline,
        count(u.unit_code) AS unit_count
    FROM ref.categories AS c
    JOIN marts.units AS u USING (category)
    WHERE list_contains($scope, u.unit_code)
    GROUP BY ALL
),

base AS (
    SELECT
        c.*,
        s.period,
        year(c.deadline) * 4 + quarter(c.deadline) - 1 AS deadline_q_index,
        year(c.deadline) * 4 + quarter(c.deadline) - 1 - s.q_index AS quarters_to_deadline,
        cur.school_count,
        cur.assessed_count,
        cur.covered_count,
        cur.coverage_pct,
        prev.coverage_pct AS prev_coverage_pct,
        f.slope,
        f.intercept,
        f.fit_quarters
    FROM categories AS c
    CROSS JOIN selected AS s
    LEFT JOIN by_quarter AS cur ON cur.category = c.category AND cur.q_index = s.q_index
    LEFT JOIN by_quarter AS prev ON prev.category = c.category AND prev.q_index = s.q_index - 1
    LEFT JOIN fit AS f ON f.category = c.category
)

SELECT
    category,
    category_en,
    unit_count,
    coverage_target_pct,
    is_target_assumption,
    deadline,
    period,
    quarters_to_deadline,
    school_count,
    assessed_count,
    covered_count,
    round(coverage_pct, 1) AS coverage_pct,
    round(coverage_pct - coverage_target_pct, 1) AS gap_pct,
    round(coverage_pct - prev_coverage_pct, 1) AS change_pct,
    round(slope, 2) AS slope_pct_per_quarter,
    CASE
        WHEN quarters_to_deadline > 0 AND fit_quarters >= 2
            THEN round(least(100, greatest(0, intercept + slope * deadline_q_index)), 1)
    END AS projected_pct
FROM base
ORDER BY CASE category WHEN '中心城区' THEN 1 WHEN '郊区新城' THEN 2 ELSE 3 END, category
