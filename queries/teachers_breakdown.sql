-- In-scope teachers, hours met and complete by breakdown (level, subject, age_band, title,
-- urban_rural, category) over the units in $scope.
SELECT
    breakdown,
    value,
    sum(teacher_count) AS teacher_count,
    sum(hours_met_count) AS hours_met_count,
    sum(complete_count) AS complete_count,
    round(100.0 * sum(complete_count) / nullif(sum(teacher_count), 0), 1) AS complete_pct,
    round(100.0 * sum(hours_met_count) / nullif(sum(teacher_count), 0), 1) AS hours_met_pct
FROM marts.teacher_breakdown
WHERE list_contains($scope, unit_code)
GROUP BY breakdown, value
ORDER BY
    breakdown,
    -- lists with an order of their own keep it (younger to older, senior to unranked …);
    -- subjects, and any value the lists do not know, follow by size
    CASE breakdown
        WHEN 'level' THEN list_position(['幼儿园', '小学', '初中', '高中', '中职', '特教'], value)
        WHEN 'age_band' THEN list_position(['30岁以下', '30–39岁', '40–49岁', '50–54岁', '55岁及以上'], value)
        WHEN 'title' THEN list_position(['正高级', '高级', '一级', '二级', '三级', '未定级'], value)
        WHEN 'urban_rural' THEN list_position(['城区', '镇区', '乡村'], value)
        WHEN 'category' THEN list_position(['中心城区', '郊区新城', '城市新区'], value)
    END NULLS LAST,
    teacher_count DESC,
    value
