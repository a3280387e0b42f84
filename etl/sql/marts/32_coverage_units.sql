-- marts.coverage_units: digital-campus coverage per unit and quarter against its category's
-- target: counts (中小学/中职 schools), coverage, gap, change since the previous quarter, and a
-- linear projection to the category's deadline fitted on the last 4 quarters up to that quarter.
-- Every unit has a row for every quarter of marts.periods (NULL counts without schools).
-- Precomputed for every quarter (23 units × the quarters: a few hundred rows) so that the
-- coverage page's query is a filter: computed per request, its eight small pipelines cost
-- 20–50 ms of scheduling for a few hundred rows.
CREATE OR REPLACE TABLE marts.coverage_units AS
WITH quarters AS (
    SELECT period, year(period_start) * 4 + quarter(period_start) - 1 AS q_index
    FROM marts.periods
),

selected AS (
    SELECT period, q_index FROM quarters
),

coverage AS (
    SELECT c.*, q.q_index
    FROM marts.campus_coverage AS c
    JOIN quarters AS q USING (period)
),

fit AS (
    SELECT
        c.unit_code,
        s.period,
        regr_slope(c.coverage_pct, c.q_index) AS slope,
        regr_intercept(c.coverage_pct, c.q_index) AS intercept,
        count(*) AS fit_quarters
    FROM coverage AS c, selected AS s
    WHERE c.q_index BETWEEN s.q_index - 3 AND s.q_index
    GROUP BY c.unit_code, s.period
),

base AS (
    SELECT
        u.unit_code,
        u.name_zh,
        u.name_en,
        u.is_zone,
        u.category,
        u.category_en,
        u.coverage_target_pct,
        u.is_target_assumption,
        u.deadline,
        s.period,
        year(u.deadline) * 4 + quarter(u.deadline) - 1 - s.q_index AS quarters_to_deadline,
        year(u.deadline) * 4 + quarter(u.deadline) - 1 AS deadline_q_index,
        cur.school_count,
        cur.assessed_count,
        cur.covered_count,
        cur.coverage_pct,
        cur.gap_pct,
        prev.period AS prev_period,
        prev.coverage_pct AS prev_coverage_pct,
        f.slope,
        f.intercept,
        f.fit_quarters
    FROM marts.units AS u
    CROSS JOIN selected AS s
    LEFT JOIN coverage AS cur ON cur.unit_code = u.unit_code AND cur.q_index = s.q_index
    LEFT JOIN coverage AS prev ON prev.unit_code = u.unit_code AND prev.q_index = s.q_index - 1
    LEFT JOIN fit AS f ON f.unit_code = u.unit_code AND f.period = s.period
),

projected AS (
    SELECT
        *,
        CASE
            WHEN quarters_to_deadline > 0 AND fit_quarters >= 2
                THEN round(least(100, greatest(0, intercept + slope * deadline_q_index)), 1)
        END AS projected_pct
    FROM base
)

SELECT
    unit_code,
    name_zh,
    name_en,
    is_zone,
    category,
    category_en,
    coverage_target_pct,
    is_target_assumption,
    deadline,
    period,
    quarters_to_deadline,
    school_count,
    assessed_count,
    covered_count,
    assessed_count - covered_count AS failing_count,
    school_count - assessed_count AS not_assessed_count,
    coverage_pct,
    gap_pct,
    prev_period,
    prev_coverage_pct,
    round(coverage_pct - prev_coverage_pct, 1) AS change_pct,
    -- one quarter gives no slope (NaN): stored as NULL
    round(CASE WHEN fit_quarters >= 2 THEN slope END, 2) AS slope_pct_per_quarter,
    fit_quarters,
    projected_pct,
    CASE
        WHEN school_count IS NULL THEN NULL
        WHEN quarters_to_deadline <= 0 OR projected_pct IS NULL
            THEN coverage_pct >= coverage_target_pct
        ELSE projected_pct >= coverage_target_pct
    END AS is_on_course
FROM projected
ORDER BY period, is_zone, unit_code;
