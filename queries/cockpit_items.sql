-- The 18 work items with their indicators for the viewer's scope: city-wide viewers read
-- marts.work_item_status (including rows without a unit: the task list, 市级 systems, data
-- quality); a unit-scoped viewer gets the per-unit indicators of their unit(s), added up and
-- rated with the same rule (marts.work_item_status_of). Items without a per-unit indicator keep
-- one row with no indicator. Ordered by item, then indicator.
WITH citywide AS (
    SELECT count(*) FILTER (WHERE NOT list_contains($scope, unit_code)) = 0 AS is_citywide
    FROM ref.units
),

city AS (
    SELECT s.item_no, s.indicator, s.sort_order, s.indicator_zh, s.indicator_en, s.kind,
           s.uom_zh, s.uom_en, s.target, s.is_target_assumption, s.is_lower_better, s.deadline,
           s.period_zh, s.period_en, s.value_num, s.value_den, s.value, s.prev_value, s.status,
           s.as_of, s.prev_as_of
    FROM marts.work_item_status AS s, citywide
    WHERE citywide.is_citywide
),

unit_sums AS (
    SELECT b.item_no, b.indicator,
           any_value(b.sort_order) AS sort_order,
           any_value(b.indicator_zh) AS indicator_zh,
           any_value(b.indicator_en) AS indicator_en,
           any_value(b.kind) AS kind,
           any_value(b.uom_zh) AS uom_zh,
           any_value(b.uom_en) AS uom_en,
           round(sum(b.target * b.value_den) / nullif(sum(b.value_den), 0), 1) AS weighted_target,
           any_value(b.target) AS any_target,
           count(DISTINCT b.target) AS target_count,
           any_value(b.is_target_assumption) AS is_target_assumption,
           any_value(b.is_lower_better) AS is_lower_better,
           max(b.deadline) AS deadline,
           any_value(b.period_zh) AS period_zh,
           any_value(b.period_en) AS period_en,
           sum(b.value_num) AS value_num,
           sum(b.value_den) AS value_den,
           sum(b.prev_num) AS prev_num,
           sum(b.prev_den) AS prev_den,
           any_value(b.as_of) AS as_of,
           any_value(b.prev_as_of) AS prev_as_of
    FROM marts.work_item_status_by_unit AS b, citywide
    WHERE list_contains($scope, b.unit_code) AND NOT citywide.is_citywide
    GROUP BY b.item_no, b.indicator
),

unit_rated AS (
    SELECT u.*,
           CASE WHEN u.target_count <= 1 THEN u.any_target ELSE u.weighted_target END AS target,
           marts.work_item_value_of(u.kind, u.value_num, u.value_den) AS value,
           marts.work_item_value_of(u.kind, u.prev_num, u.prev_den) AS prev_value
    FROM unit_sums AS u
),

rows AS (
    SELECT * FROM city
    UNION ALL
    SELECT r.item_no, r.indicator, r.sort_order, r.indicator_zh, r.indicator_en, r.kind, r.uom_zh,
           r.uom_en, r.target, r.is_target_assumption, r.is_lower_better, r.deadline, r.period_zh,
           r.period_en, r.value_num, r.value_den, r.value, r.prev_value,
           marts.work_item_status_of(
               r.value, r.prev_value, r.target, r.is_lower_better,
               greatest(0, datediff('day', r.as_of, r.deadline) / 365.25)
           ),
           r.as_of, r.prev_as_of
    FROM unit_rated AS r
)

SELECT
    w.item_no,
    w.label_zh,
    w.section_no,
    w.section_zh,
    w.title_zh,
    w.title_en,
    w.lead_offices,
    w.co_offices,
    w.responsible_as_written,
    w.page,
    r.indicator,
    r.sort_order,
    r.indicator_zh,
    r.indicator_en,
    r.kind,
    r.uom_zh,
    r.uom_en,
    r.target,
    r.is_target_assumption,
    r.is_lower_better,
    r.deadline,
    r.period_zh,
    r.period_en,
    r.value_num,
    r.value_den,
    r.value,
    r.prev_value,
    r.status,
    r.as_of,
    r.prev_as_of
FROM ref.work_items AS w
LEFT JOIN rows AS r USING (item_no)
ORDER BY w.item_no, r.sort_order NULLS LAST
