-- The completion rule, quotas and integrity thresholds in force (ref.training_rules, typed), with
-- the as-of date. Public reference data: the same for every viewer ($scope is not used to filter).
SELECT * FROM marts.teacher_rules WHERE len($scope) >= 0
