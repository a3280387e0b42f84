-- Incident notices (通报) to the units in scope, overdue ones first: rectification deadline,
-- status at export, and whether the deadline has passed unrectified at the as-of date.
WITH as_of AS (
    SELECT CAST(max(value) FILTER (WHERE key = 'as_of') AS DATE) AS as_of FROM meta.build_info
)

SELECT
    i.incident_id,
    i.found_on,
    i.notified_on,
    i.unit_code,
    u.name_zh AS unit_name_zh,
    u.name_en AS unit_name_en,
    i.school_id,
    i.system_id,
    i.category,
    i.severity,
    i.channel,
    i.deadline,
    i.rectified_on,
    i.status,
    i.status = '逾期' OR (i.status <> '已整改' AND i.deadline < a.as_of) AS is_overdue,
    CASE WHEN i.status <> '已整改' AND i.deadline < a.as_of THEN a.as_of - i.deadline END
        AS overdue_days
FROM marts.security_incidents AS i
CROSS JOIN as_of AS a
JOIN ref.units AS u ON u.unit_code = i.unit_code
WHERE list_contains($scope, i.unit_code)
ORDER BY is_overdue DESC, i.status = '已整改', i.deadline, i.incident_id
