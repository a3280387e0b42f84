-- Drill-down: the in-scope schools (中小学/中职) of $unit (NULL = every unit in scope) at the end of
-- $period, each with its status, its latest assessment so far (period, date, weighted score, the
-- eight dimension scores) and the criteria that assessment fails ('|'-separated).
SELECT
    s.school_id,
    s.school_name,
    s.unit_code,
    s.unit_name_zh,
    s.unit_name_en,
    s.school_type,
    s.school_type_en,
    s.urban_rural,
    s.student_count,
    c.status,
    c.assessed_period,
    c.last_assessed_on,
    a.weighted_score,
    a.score_bandwidth,
    a.score_wifi,
    a.score_multimedia,
    a.score_terminals,
    a.score_platforms,
    a.score_resources,
    a.score_security,
    a.score_support,
    -- the failed criteria as '|'-separated text: a list column costs ~20x more to cache and copy
    array_to_string(coalesce(a.failed_criteria_zh, []), '|') AS failed_criteria_zh,
    array_to_string(coalesce(a.failed_criteria_en, []), '|') AS failed_criteria_en,
    len(coalesce(a.failed_criteria_zh, [])) AS failed_count
FROM marts.campus_status AS c
JOIN marts.schools AS s USING (school_id)
LEFT JOIN marts.campus_assessments AS a
    ON a.school_id = c.school_id AND a.period = c.assessed_period
WHERE c.period = $period
  AND list_contains($scope, c.unit_code)
  AND ($unit IS NULL OR c.unit_code = $unit)
ORDER BY
    CASE c.status WHEN 'failing' THEN 1 WHEN 'not_assessed' THEN 2 ELSE 3 END,
    a.weighted_score NULLS LAST,
    s.school_id
