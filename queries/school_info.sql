-- One school (if its unit is in scope): the school dimension with its unit's category and
-- digital-campus target.
SELECT
    s.*,
    u.category_en,
    u.coverage_target_pct,
    u.is_zone
FROM marts.schools AS s
JOIN marts.units AS u USING (unit_code)
WHERE s.school_id = $school AND list_contains($scope, s.unit_code)
