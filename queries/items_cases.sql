-- Typical cases (work item 四) per unit in scope, year and field: collected, recommended by the
-- unit, selected as the year's ten featured cases; regional cases have no school.
SELECT
    c.unit_code,
    u.name_zh,
    u.name_en,
    c.year,
    c.field_zh,
    c.field_en,
    c.collected_count,
    c.recommended_count,
    c.selected_count,
    c.regional_count
FROM marts.items_cases AS c
JOIN marts.units AS u USING (unit_code)
WHERE list_contains($scope, c.unit_code)
ORDER BY c.year, c.unit_code, c.field_zh
