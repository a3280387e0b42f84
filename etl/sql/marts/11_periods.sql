-- marts.periods: every quarter from the first assessment quarter to the last one in the data.
CREATE OR REPLACE TABLE marts.periods AS
WITH bounds AS (
    SELECT
        min(make_date(CAST(left(period, 4) AS INTEGER), CAST(right(period, 1) AS INTEGER) * 3 - 2, 1)) AS first_start,
        max(make_date(CAST(left(period, 4) AS INTEGER), CAST(right(period, 1) AS INTEGER) * 3 - 2, 1)) AS last_start
    FROM stg.campus_assessments
),
q AS (
    SELECT CAST(unnest(generate_series(first_start, last_start, INTERVAL 3 MONTH)) AS DATE) AS period_start
    FROM bounds
)
SELECT
    CAST(year(period_start) AS VARCHAR) || 'Q' || CAST(quarter(period_start) AS VARCHAR) AS period,
    period_start,
    CAST(period_start + INTERVAL 3 MONTH - INTERVAL 1 DAY AS DATE) AS period_end,
    period_start = max(period_start) OVER () AS is_latest
FROM q
ORDER BY period_start;
