-- 能力提升工程2.0 per school (units in $scope): 整校推进 plan and team, chosen points against the
-- school's environments, the nested funnel, completion against the as-of year's cumulative
-- quota, and the main hold-back of its unfinished teachers (no_plan / hours_short /
-- not_submitted / failing). Furthest behind first.
SELECT *
FROM marts.teacher_schools
WHERE list_contains($scope, unit_code) AND teacher_count > 0
ORDER BY quota_gap_pct DESC NULLS LAST, teacher_count DESC, school_id
