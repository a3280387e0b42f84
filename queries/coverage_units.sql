-- Digital-campus coverage per unit in scope at $period against its category's target: counts
-- (in-scope 中小学/中职 schools), coverage, gap, change since the previous quarter, and a linear
-- projection to the category's deadline fitted on the last 4 quarters up to $period
-- (marts.coverage_units, etl/sql/marts/32_coverage_units.sql).
-- Every unit in scope is listed; a unit without in-scope schools has NULL counts.
SELECT *
FROM marts.coverage_units
WHERE period = $period AND list_contains($scope, unit_code)
ORDER BY is_zone, unit_code
