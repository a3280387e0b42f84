-- Digital resources one school contributed (work item 十二), by review status (待审, 入库, 精品,
-- 退回), with the latest submission. Read from stg.resources; the page checks it exists first.
SELECT
    r.review_status,
    count(*) AS resource_count,
    count(*) FILTER (WHERE r.is_premium) AS premium_count,
    max(r.submitted_on) AS last_submitted_on
FROM stg.resources AS r
JOIN marts.schools AS s USING (school_id)
WHERE r.school_id = $school AND list_contains($scope, s.unit_code)
GROUP BY r.review_status
ORDER BY resource_count DESC, r.review_status
