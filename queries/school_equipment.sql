-- One school's equipment ledger by statistical year, oldest first (2022 = position at the data's
-- as-of date).
SELECT
    year,
    bandwidth_mbps,
    wifi_teaching_pct,
    classroom_count,
    multimedia_classroom_count,
    smart_classroom_count,
    teacher_terminal_count,
    student_terminal_count,
    maker_lab_count,
    vr_lab_count,
    steam_lab_count,
    has_ipv6,
    is_5g_demo,
    is_iot_pilot
FROM marts.coverage_equipment
WHERE school_id = $school AND list_contains($scope, unit_code)
ORDER BY year
