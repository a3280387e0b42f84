-- Pupils' IT competitions (work item 十五), city stage, per unit in scope, year and event:
-- schools taking part, entries and prizes.
SELECT
    c.unit_code,
    u.name_zh,
    u.name_en,
    c.year,
    c.event_zh,
    c.event_en,
    c.school_count,
    c.entry_count,
    c.first_prize_count,
    c.second_prize_count,
    c.third_prize_count,
    c.award_count
FROM marts.items_competitions AS c
JOIN marts.units AS u USING (unit_code)
WHERE list_contains($scope, c.unit_code)
ORDER BY c.year, c.unit_code, c.event_zh
