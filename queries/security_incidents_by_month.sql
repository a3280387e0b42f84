-- Incident notices to the units in scope per month notified and severity.
SELECT
    strftime(notified_on, '%Y-%m') AS month,
    severity,
    count(*) AS incident_count
FROM marts.security_incidents
WHERE list_contains($scope, unit_code)
GROUP BY ALL
ORDER BY month, severity
