-- Rows of each base database per unit in scope, with the unit's latest record date.
SELECT
    u.unit_code,
    u.name_zh,
    u.name_en,
    coalesce(sum(c.row_count) FILTER (WHERE c.base = 'students'), 0)::BIGINT AS students_count,
    coalesce(sum(c.row_count) FILTER (WHERE c.base = 'teachers'), 0)::BIGINT AS teachers_count,
    coalesce(sum(c.row_count) FILTER (WHERE c.base = 'schools'), 0)::BIGINT AS schools_count,
    coalesce(sum(c.row_count) FILTER (WHERE c.base = 'equipment'), 0)::BIGINT AS equipment_count,
    max(c.latest_date) AS latest_date
FROM ref.units AS u
LEFT JOIN marts.base_db_counts AS c ON c.unit_code = u.unit_code
WHERE list_contains($scope, u.unit_code)
GROUP BY u.unit_code, u.name_zh, u.name_en
ORDER BY starts_with(u.unit_code, 'Z'), u.unit_code
