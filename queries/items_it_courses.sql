-- IT courses (work item 十五) per unit in scope and school year: schools reporting, offering IT
-- courses and IT practice courses, full-time and qualified IT teachers (小学 to 中职).
SELECT
    c.unit_code,
    u.name_zh,
    u.name_en,
    c.school_year,
    sum(c.school_count) AS school_count,
    sum(c.offering_count) AS offering_count,
    sum(c.practice_count) AS practice_count,
    sum(c.it_teacher_count) AS it_teacher_count,
    sum(c.qualified_it_teacher_count) AS qualified_it_teacher_count
FROM marts.items_it_courses AS c
JOIN marts.units AS u USING (unit_code)
WHERE list_contains($scope, c.unit_code)
GROUP BY ALL
ORDER BY c.school_year, c.unit_code
