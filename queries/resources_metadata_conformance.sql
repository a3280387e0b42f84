-- Conformance to the resource-metadata standard (data/reference/resource_metadata_standard.csv)
-- per element, over every submitted resource of the units in scope to which the element applies.
SELECT
    field,
    any_value(element_zh) AS element_zh,
    any_value(element_en) AS element_en,
    bool_or(is_required) AS is_required,
    count(*) FILTER (WHERE is_applicable) AS applicable_count,
    count(*) FILTER (WHERE is_applicable AND is_ok) AS conforming_count,
    round(100.0 * count(*) FILTER (WHERE is_applicable AND is_ok)
        / nullif(count(*) FILTER (WHERE is_applicable), 0), 1) AS conforming_pct
FROM marts.resource_metadata_checks
WHERE list_contains($scope, unit_code)
GROUP BY field
ORDER BY is_required DESC, conforming_pct, field
