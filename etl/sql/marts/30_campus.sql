-- Digital campus (work item 七). Whether an assessment meets the spec is decided here, by the
-- rule in data/reference/campus_criteria.csv + campus_rule.csv, not by the export's conclusion.

-- marts.campus_assessments: every assessment with its weighted score, verdict and failed criteria.
CREATE OR REPLACE TABLE marts.campus_assessments AS
WITH long AS (
    UNPIVOT stg.campus_assessments
    ON score_bandwidth, score_wifi, score_multimedia, score_terminals,
       score_platforms, score_resources, score_security, score_support
    INTO NAME dimension VALUE score
),
scored AS (
    SELECT l.school_id, l.period,
           sum(l.score * c.weight) / sum(c.weight) AS weighted_score,
           bool_and(l.score >= c.min_score) AS all_dimensions_ok,
           list(c.name_zh ORDER BY c.dimension) FILTER (WHERE l.score < c.min_score) AS failed_zh,
           list(c.name_en ORDER BY c.dimension) FILTER (WHERE l.score < c.min_score) AS failed_en
    FROM long AS l JOIN ref.campus_criteria AS c USING (dimension)
    GROUP BY l.school_id, l.period
),
rule AS (
    SELECT
        max(CASE WHEN key = 'pass_weighted_score' THEN CAST(value AS DOUBLE) END) AS pass_score,
        coalesce(max(CASE WHEN key = 'all_dimensions_min' THEN lower(value) = 'true' END), true) AS need_all
    FROM ref.campus_rule
)
SELECT
    a.*,
    round(s.weighted_score, 1) AS weighted_score,
    (s.weighted_score >= r.pass_score AND (s.all_dimensions_ok OR NOT r.need_all)) AS is_pass,
    coalesce(s.failed_zh, []) AS failed_criteria_zh,
    coalesce(s.failed_en, []) AS failed_criteria_en,
    (a.reported_result = '达标') <> (s.weighted_score >= r.pass_score AND (s.all_dimensions_ok OR NOT r.need_all))
        AS is_verdict_mismatch
FROM stg.campus_assessments AS a
JOIN scored AS s USING (school_id, period)
CROSS JOIN rule AS r
ORDER BY a.school_id, a.period;

-- marts.campus_status: each in-scope school at the end of each quarter: its latest assessment
-- so far (covered / assessed but failing / not yet assessed).
CREATE OR REPLACE TABLE marts.campus_status AS
WITH grid AS (
    SELECT s.school_id, s.unit_code, p.period, p.period_start
    FROM marts.schools AS s CROSS JOIN marts.periods AS p
    WHERE s.is_campus_scope
),
latest AS (
    SELECT g.school_id, g.period, arg_max(a.period, a.assessed_on) AS last_period,
           arg_max(a.is_pass, a.assessed_on) AS is_pass,
           arg_max(a.weighted_score, a.assessed_on) AS weighted_score,
           max(a.assessed_on) AS last_assessed_on
    FROM grid AS g
    JOIN marts.campus_assessments AS a
      ON a.school_id = g.school_id AND a.assessed_on <= g.period_start + INTERVAL 3 MONTH - INTERVAL 1 DAY
    GROUP BY g.school_id, g.period
)
SELECT
    g.school_id,
    g.unit_code,
    g.period,
    l.last_period AS assessed_period,
    l.last_assessed_on,
    l.weighted_score,
    coalesce(l.is_pass, false) AS is_covered,
    CASE WHEN l.is_pass THEN 'covered' WHEN l.is_pass IS NULL THEN 'not_assessed' ELSE 'failing' END AS status
FROM grid AS g
LEFT JOIN latest AS l USING (school_id, period)
ORDER BY g.unit_code, g.school_id, g.period;

-- marts.campus_coverage: per unit and quarter, coverage against the category's target.
CREATE OR REPLACE TABLE marts.campus_coverage AS
SELECT
    s.unit_code,
    u.category,
    s.period,
    count(*) AS school_count,
    count(*) FILTER (WHERE s.status <> 'not_assessed') AS assessed_count,
    count(*) FILTER (WHERE s.is_covered) AS covered_count,
    round(100.0 * count(*) FILTER (WHERE s.is_covered) / count(*), 1) AS coverage_pct,
    any_value(u.coverage_target_pct) AS coverage_target_pct,
    round(100.0 * count(*) FILTER (WHERE s.is_covered) / count(*) - any_value(u.coverage_target_pct), 1)
        AS gap_pct
FROM marts.campus_status AS s
JOIN marts.units AS u USING (unit_code)
GROUP BY s.unit_code, u.category, s.period
ORDER BY s.unit_code, s.period;
