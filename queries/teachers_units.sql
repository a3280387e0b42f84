-- 能力提升工程2.0 by unit (units in $scope): in-scope teachers, the nested funnel, completion at
-- the end of 2020 and 2021 and at the as-of date against the cumulative quotas, hours, flags,
-- schools without a filed plan, and a projection of the completion share to the deadline:
-- a least-squares line through the last 4 quarter-end points of cumulative completion.
WITH r AS (SELECT * FROM marts.teacher_rules),
s AS (
    SELECT
        unit_code,
        count(*) AS school_count,
        count(*) FILTER (WHERE NOT is_plan_filed AND teacher_count > 0) AS no_plan_school_count,
        sum(teacher_count) AS teacher_count,
        sum(enrolled_count) AS enrolled_count,
        sum(hours_met_count) AS hours_met_count,
        sum(submitted_count) AS submitted_count,
        sum(passed_count) AS passed_count,
        sum(complete_count) AS complete_count,
        sum(complete_2020_count) AS complete_2020_count,
        sum(complete_2021_count) AS complete_2021_count,
        sum(hours_short_count) AS hours_short_count,
        sum(not_submitted_count) AS not_submitted_count,
        sum(failing_count) AS failing_count,
        sum(flagged_teacher_count) AS flagged_teacher_count,
        sum(online_hours) AS online_hours,
        sum(practice_hours) AS practice_hours
    FROM marts.teacher_schools
    WHERE list_contains($scope, unit_code)
    GROUP BY unit_code
),
q AS (
    SELECT unit_code, period_end, 100.0 * complete_count / nullif(teacher_count, 0) AS pct,
           row_number() OVER (PARTITION BY unit_code ORDER BY period_end DESC) AS k
    FROM marts.teacher_quarterly
    WHERE list_contains($scope, unit_code)
),
fit AS (
    SELECT unit_code,
           regr_slope(pct, epoch(period_end) / 86400.0) AS slope,
           regr_intercept(pct, epoch(period_end) / 86400.0) AS intercept
    FROM q WHERE k <= 4 GROUP BY unit_code
)
SELECT
    s.unit_code,
    u.name_zh AS unit_name_zh,
    u.name_en AS unit_name_en,
    u.category AS category_zh,
    u.category_en,
    s.* EXCLUDE (unit_code),
    round(s.online_hours / nullif(s.enrolled_count, 0), 1) AS avg_online_hours,
    round(s.practice_hours / nullif(s.enrolled_count, 0), 1) AS avg_practice_hours,
    round(100.0 * s.complete_2020_count / nullif(s.teacher_count, 0), 1) AS complete_2020_pct,
    round(100.0 * s.complete_2021_count / nullif(s.teacher_count, 0), 1) AS complete_2021_pct,
    round(100.0 * s.complete_count / nullif(s.teacher_count, 0), 1) AS complete_pct,
    round(100.0 * r.quota_2020, 1) AS quota_2020_pct,
    round(100.0 * (r.quota_2020 + r.quota_2021), 1) AS quota_2021_pct,
    round(100.0 * (r.quota_2020 + r.quota_2021 + r.quota_2022), 1) AS quota_2022_pct,
    round(100.0 * CASE WHEN year(r.as_of) <= 2020 THEN r.quota_2020
                       WHEN year(r.as_of) = 2021 THEN r.quota_2020 + r.quota_2021
                       ELSE r.quota_2020 + r.quota_2021 + r.quota_2022 END, 1) AS quota_pct,
    round(100.0 * CASE WHEN year(r.as_of) <= 2020 THEN r.quota_2020
                       WHEN year(r.as_of) = 2021 THEN r.quota_2020 + r.quota_2021
                       ELSE r.quota_2020 + r.quota_2021 + r.quota_2022 END
          - 100.0 * s.complete_count / nullif(s.teacher_count, 0), 1) AS quota_gap_pct,
    round(least(100.0, f.intercept + f.slope * epoch(r.deadline) / 86400.0), 1)
        AS projected_deadline_pct,
    round(least(100.0, f.intercept + f.slope * epoch(make_date(year(r.as_of), 12, 31)) / 86400.0), 1)
        AS projected_year_end_pct,
    r.as_of,
    r.deadline
FROM s
JOIN marts.units AS u USING (unit_code)
LEFT JOIN fit AS f USING (unit_code)
CROSS JOIN r
ORDER BY quota_gap_pct DESC, s.unit_code
