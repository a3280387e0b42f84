-- One point per in-scope school (中小学/中职) of the units in scope, with its digital-campus status
-- at the end of $period: covered / failing (assessed, latest assessment fails) / not_assessed.
SELECT
    s.school_id,
    s.school_name,
    s.unit_code,
    s.unit_name_zh,
    s.unit_name_en,
    s.school_type,
    s.school_type_en,
    s.lon,
    s.lat,
    c.status,
    c.weighted_score,
    c.assessed_period
FROM marts.campus_status AS c
JOIN marts.schools AS s USING (school_id)
WHERE c.period = $period AND list_contains($scope, c.unit_code)
ORDER BY s.unit_code, s.school_id
