-- Coverage by quarter up to $period, for each unit in scope and each category (over the units in
-- scope): one row per series and quarter, with the series' target. series_kind is 'unit' or
-- 'category'; series_code is the unit code or the category name.
WITH selected AS (
    SELECT period_start FROM marts.periods WHERE period = $period
),

unit_rows AS (
    SELECT
        'unit' AS series_kind,
        c.unit_code AS series_code,
        u.name_zh,
        u.name_en,
        u.category,
        p.period,
        p.period_start,
        c.school_count,
        c.covered_count,
        c.coverage_pct,
        c.coverage_target_pct
    FROM marts.campus_coverage AS c
    JOIN marts.units AS u USING (unit_code)
    JOIN marts.periods AS p USING (period)
    CROSS JOIN selected AS s
    WHERE list_contains($scope, c.unit_code) AND p.period_start <= s.period_start
),

category_rows AS (
    SELECT
        'category' AS series_kind,
        r.category AS series_code,
        r.category AS name_zh,
        any_value(c.name_en) AS name_en,
        r.category,
        r.period,
        r.period_start,
        sum(r.school_count) AS school_count,
        sum(r.covered_count) AS covered_count,
        round(100.0 * sum(r.covered_count) / nullif(sum(r.school_count), 0), 1) AS coverage_pct,
        any_value(r.coverage_target_pct) AS coverage_target_pct
    FROM unit_rows AS r
    JOIN ref.categories AS c USING (category)
    GROUP BY r.category, r.period, r.period_start
)

SELECT * FROM unit_rows
UNION ALL
SELECT * FROM category_rows
ORDER BY series_kind DESC, series_code, period_start
