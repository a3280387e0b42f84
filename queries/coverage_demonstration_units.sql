-- Pilot and demonstration projects (work items 六, 八) per unit in scope and kind, by stage as last
-- reported: applied (申报), being built (建设中), accepted (通过验收). Kinds whose scope is 'unit'
-- are zones (示范区/试点区), 'school' kinds are schools (示范校/试点校).
SELECT
    d.unit_code,
    u.name_zh,
    u.name_en,
    u.is_zone,
    d.kind_zh,
    d.kind_en,
    d.kind_scope,
    d.plan_item,
    count(*) AS project_count,
    count(*) FILTER (WHERE d.status = '申报') AS applied_count,
    count(*) FILTER (WHERE d.status = '建设中') AS building_count,
    count(*) FILTER (WHERE d.is_accepted) AS accepted_count
FROM marts.coverage_demonstration AS d
JOIN marts.units AS u USING (unit_code)
WHERE list_contains($scope, d.unit_code)
GROUP BY ALL
ORDER BY u.is_zone, d.unit_code, d.kind_scope DESC, d.kind_zh
