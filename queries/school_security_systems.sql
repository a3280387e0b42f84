-- One school's information systems under 等保2.0 (work items 十六–十八): grade, stage, last test
-- and its result, next test due. Read from stg.info_systems; the page checks it exists first.
SELECT
    i.system_name,
    i.kind,
    i.level,
    i.stage,
    i.last_test_on,
    i.test_result,
    i.next_test_due,
    i.is_cii,
    i.has_personal_info
FROM stg.info_systems AS i
JOIN marts.schools AS s USING (school_id)
WHERE i.school_id = $school AND list_contains($scope, s.unit_code)
ORDER BY i.level DESC, i.system_name
