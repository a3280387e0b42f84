-- One school's pilot and demonstration projects (work items 六, 八), newest batch first.
SELECT project_id, kind_zh, kind_en, plan_item, tier, batch_year, status, accepted_on
FROM marts.coverage_demonstration
WHERE school_id = $school AND list_contains($scope, unit_code)
ORDER BY batch_year DESC, project_id
