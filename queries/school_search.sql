-- Schools of the units in scope whose name contains $text or whose 学校标识码 starts with it
-- (case-insensitive), at most $limit, exact identifier first, then by name.
SELECT
    school_id,
    school_name,
    unit_code,
    unit_name_zh,
    unit_name_en,
    school_type,
    school_type_en
FROM marts.schools
WHERE list_contains($scope, unit_code)
  AND (contains(lower(school_name), lower(trim($text))) OR starts_with(school_id, trim($text)))
ORDER BY school_id = trim($text) DESC, length(school_name), school_name, school_id
LIMIT $limit
