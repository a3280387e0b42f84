-- Every reporting unit (20 divisions + 3 functional zones), in display order, with a flag for the
-- units the viewer may see. Unit names are public reference data, so the whole catalogue is
-- returned: it is what the scope itself is built from (edusight.queries.all_units).
SELECT
    unit_code,
    name_zh,
    name_en,
    kind,
    category,
    host_division_code,
    list_contains($scope, unit_code) AS is_in_scope
FROM ref.units
ORDER BY starts_with(unit_code, 'Z'), unit_code
