-- marts.units: the 23 reporting units with their category and coverage target.
CREATE OR REPLACE TABLE marts.units AS
SELECT
    u.unit_code,
    u.name_zh,
    u.name_en,
    u.kind,
    u.category,
    c.name_en AS category_en,
    CAST(c.coverage_target_pct AS DOUBLE) AS coverage_target_pct,
    CAST(c.deadline AS DATE) AS deadline,
    c.is_assumption AS is_target_assumption,
    u.unit_code LIKE 'Z%' AS is_zone,
    nullif(CAST(u.host_division_code AS VARCHAR), '') AS host_division_code,
    u.seat_lon,
    u.seat_lat,
    u.land_area_km2,
    u.population_10k
FROM ref.units AS u
LEFT JOIN ref.categories AS c USING (category)
ORDER BY u.unit_code;
