-- Education-app user filings per unit in scope and state at export: 已备案 (filed, in use),
-- 待清理 (to be removed), 已清理 (removed).
SELECT
    u.unit_code,
    u.name_zh,
    u.name_en,
    count(a.filing_id) FILTER (WHERE a.status = '已备案') AS filed_count,
    count(a.filing_id) FILTER (WHERE a.status = '待清理') AS to_clean_count,
    count(a.filing_id) FILTER (WHERE a.status = '已清理') AS cleaned_count,
    count(a.filing_id) AS app_filing_count
FROM ref.units AS u
LEFT JOIN marts.edu_apps AS a ON a.unit_code = u.unit_code
WHERE list_contains($scope, u.unit_code)
GROUP BY u.unit_code, u.name_zh, u.name_en
ORDER BY to_clean_count DESC, starts_with(u.unit_code, 'Z'), u.unit_code
