-- One school's cybersecurity incidents notified (通报) and emergency drills (work items 十六–十八):
-- counts, open incidents and latest dates. One row. Read from stg.security_incidents and
-- stg.security_drills; the page checks both exist first.
WITH school AS (
    SELECT school_id FROM marts.schools
    WHERE school_id = $school AND list_contains($scope, unit_code)
)

SELECT
    (SELECT count(*) FROM stg.security_incidents JOIN school USING (school_id)) AS incident_count,
    (SELECT count(*) FROM stg.security_incidents JOIN school USING (school_id)
        WHERE status <> '已整改') AS open_incident_count,
    (SELECT max(found_on) FROM stg.security_incidents JOIN school USING (school_id))
        AS last_incident_on,
    (SELECT count(*) FROM stg.security_drills JOIN school USING (school_id)) AS drill_count,
    (SELECT max(drill_on) FROM stg.security_drills JOIN school USING (school_id)) AS last_drill_on
FROM school
