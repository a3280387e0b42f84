-- Online education services (work item 十三) per month and service for the units in scope:
-- applications, completed, and the sums behind the weighted average processing hours
-- (hours_x_completed / completed_with_hours) and satisfaction.
SELECT
    m.month,
    m.service_code,
    m.service_zh,
    m.service_en,
    m.service_category,
    any_value(m.platform) AS platform,
    any_value(m.promised_hours) AS promised_hours,
    sum(m.application_count) AS application_count,
    sum(m.completed_count) AS completed_count,
    sum(m.hours_x_completed) AS hours_x_completed,
    sum(m.completed_with_hours) AS completed_with_hours,
    sum(m.satisfaction_x_applications) AS satisfaction_x_applications,
    sum(m.applications_rated) AS applications_rated
FROM marts.items_services_monthly AS m
WHERE list_contains($scope, m.unit_code)
GROUP BY ALL
ORDER BY m.month, m.service_code
