-- The rule catalogue (data/reference/rule_standards.csv): each rule id the ETL can report, the
-- standard of plan item (十) it belongs to, and its label and explanation in both languages.
-- Reference data, not unit data: any viewer with a non-empty scope sees it.
SELECT
    rule,
    standard,
    label_zh,
    label_en,
    explanation_zh,
    explanation_en
FROM ref.rule_standards
WHERE len($scope) > 0
ORDER BY standard, rule
