-- The task list of the 18 work items (督办台账): city offices' tasks, no unit, so visible to
-- city-wide viewers only. Overdue tasks first (longest overdue on top), then by item and due date.
WITH citywide AS (
    SELECT count(*) FILTER (WHERE NOT list_contains($scope, unit_code)) = 0 AS is_citywide
    FROM ref.units
)
SELECT d.*
FROM marts.items_plan_deliverables AS d, citywide
WHERE citywide.is_citywide
ORDER BY d.is_overdue DESC, d.overdue_days DESC NULLS LAST, d.item_no, d.due_on, d.task_id
