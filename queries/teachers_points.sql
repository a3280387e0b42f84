-- The 30 micro-ability points over the units in $scope: schools that chose each (整校推进 plans),
-- teachers who submitted evidence, passed (优秀/合格), excellent and still failing.
-- is_confirmed = false: the name is an example (示例), not the official one.
SELECT
    point_code,
    any_value(environment) AS environment,
    any_value(environment_zh) AS environment_zh,
    any_value(environment_en) AS environment_en,
    any_value(dimension_zh) AS dimension_zh,
    any_value(dimension_en) AS dimension_en,
    any_value(name_zh) AS name_zh,
    any_value(name_en) AS name_en,
    bool_and(is_confirmed) AS is_confirmed,
    sum(chosen_school_count) AS chosen_school_count,
    sum(submitted_teacher_count) AS submitted_teacher_count,
    sum(passed_teacher_count) AS passed_teacher_count,
    sum(excellent_teacher_count) AS excellent_teacher_count,
    sum(failing_teacher_count) AS failing_teacher_count
FROM marts.teacher_points
WHERE list_contains($scope, unit_code)
GROUP BY point_code
ORDER BY environment, CAST(substr(point_code, 2) AS INTEGER)
