"""The teacher-2.0 marts (etl/sql/marts/50_teacher_*.sql) on a tiny DuckDB of inline rows: the
completion rule and the integrity rules, with their edge cases. Thresholds are the real ones of
data/reference/training_rules.csv (≥50 h, ≥20 online, ≥30 practice, ≥3 points over ≥3
dimensions; night 00:00–05:00, ≥10 h and ≥30 %; video ≥ 28,800 s; ≥5 sessions × ≥3 teachers)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
MARTS = sorted((ROOT / "etl" / "sql" / "marts").glob("50_teacher_*.sql"))
REF = ROOT / "data" / "reference"
D0 = dt.datetime(2021, 3, 1, 19, 0)
ON, PR = "网络研修", "校本实践"


class Rows:
    """Inline source rows: teachers, sessions, assessments."""

    def __init__(self) -> None:
        self.teachers: list[tuple] = []
        self.sessions: list[tuple] = []
        self.assess: list[tuple] = []

    def teacher(self, key, school="S1", level="小学", post="专任教师", birth=1980):
        self.teachers.append((key, "女", birth, school, level, "语文", post, "一级"))

    def session(self, key, kind, start, hours, *, wall=None, video=None, school="S1", device=None):
        end = start + dt.timedelta(hours=hours if wall is None else wall)
        rid = f"R{len(self.sessions):05d}"
        vid = (video if video is not None else int(hours * 3600)) if kind == ON else None
        self.sessions.append((rid, key, school, kind, start, end, hours, vid, device or f"D-{key}"))

    def hours(self, key, online, practice, *, start=D0, school="S1", step_days=3):
        """online/practice hours in sessions of 2 h (online) and 5 h (practice), evenings."""
        t = start
        for kind, total, size in ((ON, online, 2.0), (PR, practice, 5.0)):
            left = total
            while left > 1e-9:
                h = min(size, left)
                self.session(key, kind, t, h, school=school)
                left -= h
                t += dt.timedelta(days=step_days)

    def grade(self, key, point, grade, on=dt.date(2021, 6, 1), school="S1"):
        self.assess.append((key, school, point, on, grade))

    def passes(self, key, points=("A1", "A3", "A5"), on=dt.date(2021, 6, 1)):
        for p in points:
            self.grade(key, p, "合格", on)


def build(rows: Rows, *, plans=None, equipment=None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for s in ("ref", "stg", "marts"):
        con.execute(f"CREATE SCHEMA {s}")
    con.execute(
        f"CREATE TABLE ref.training_rules AS SELECT * FROM read_csv('{REF / 'training_rules.csv'}',"
        " all_varchar = true)"
    )
    con.execute(
        f"CREATE TABLE ref.micro_abilities AS SELECT * FROM read_csv('{REF / 'micro_abilities.csv'}')"
    )
    con.execute("CREATE TABLE marts.periods AS SELECT DATE '2022-06-30' AS period_end")
    con.execute(
        "CREATE TABLE marts.schools (school_id VARCHAR, school_name VARCHAR, unit_code VARCHAR, "
        "unit_name_zh VARCHAR, unit_name_en VARCHAR, category VARCHAR, school_type VARCHAR, "
        "school_type_en VARCHAR, urban_rural VARCHAR, ownership VARCHAR, student_count BIGINT)"
    )
    con.execute(
        "INSERT INTO marts.schools VALUES "
        "('S1', '一小', '510104', '锦江区', 'Jinjiang', '中心城区', '小学', 'Primary', '城区', '公办', 1000),"
        "('S2', '二小', '510121', '金堂县', 'Jintang', '郊区新城', '小学', 'Primary', '乡村', '公办', 100)"
    )
    con.execute(
        "CREATE TABLE stg.teachers (teacher_key VARCHAR, gender VARCHAR, birth_year INTEGER, "
        "school_id VARCHAR, teaching_level VARCHAR, subject VARCHAR, post VARCHAR, title VARCHAR)"
    )
    con.execute(
        "CREATE TABLE stg.training_sessions (record_id VARCHAR, teacher_key VARCHAR, "
        "school_id VARCHAR, session_type VARCHAR, start_time TIMESTAMP, end_time TIMESTAMP, "
        "credited_hours DOUBLE, video_seconds BIGINT, device_id VARCHAR)"
    )
    con.execute(
        "CREATE TABLE stg.micro_assessments (teacher_key VARCHAR, school_id VARCHAR, "
        "point_code VARCHAR, assessed_on DATE, grade VARCHAR)"
    )
    con.execute(
        "CREATE TABLE stg.school_plans (school_id VARCHAR, plan_filed BOOLEAN, plan_date DATE, "
        "team_formed BOOLEAN, team_leader_post VARCHAR, team_size BIGINT, chosen_points VARCHAR, "
        "teachers_in_scope BIGINT)"
    )
    con.execute(
        "CREATE TABLE stg.equipment (school_id VARCHAR, year BIGINT, smart_classroom_count BIGINT, "
        "student_terminal_count BIGINT, wifi_teaching_pct DOUBLE)"
    )
    if rows.teachers:
        con.executemany("INSERT INTO stg.teachers VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows.teachers)
    if rows.sessions:
        con.executemany(
            "INSERT INTO stg.training_sessions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows.sessions
        )
    if rows.assess:
        con.executemany("INSERT INTO stg.micro_assessments VALUES (?, ?, ?, ?, ?)", rows.assess)
    for p in plans or []:
        con.execute("INSERT INTO stg.school_plans VALUES (?, ?, ?, ?, ?, ?, ?, ?)", p)
    for e in equipment or []:
        con.execute("INSERT INTO stg.equipment VALUES (?, ?, ?, ?, ?)", e)
    for f in MARTS:
        con.execute(f.read_text(encoding="utf-8"))
    return con


def status(con, key: str) -> dict:
    cur = con.execute("SELECT * FROM marts.teacher_status WHERE teacher_key = ?", [key])
    row = cur.fetchone()
    assert row is not None, f"{key} not in marts.teacher_status"
    return dict(zip([d[0] for d in cur.description], row, strict=True))


# --- completion rule ------------------------------------------------------------------------------


def test_hours_and_three_points_over_three_dimensions_complete_on_the_last_day():
    r = Rows()
    r.teacher("T1")
    r.hours("T1", 20, 30)
    r.passes("T1", ("A1", "A3"), on=dt.date(2021, 6, 1))
    r.grade("T1", "A5", "优秀", on=dt.date(2021, 9, 1))  # 优秀 passes too; the last condition
    s = status(build(r), "T1")
    assert (s["online_hours"], s["practice_hours"], s["total_hours"]) == (20, 30, 50)
    assert s["is_hours_met"] and s["is_points_passed"] and s["is_complete"]
    assert s["passed_dimension_count"] == 3
    assert s["completed_on"] == dt.date(2021, 9, 1)
    assert s["completed_on"] == max(s["hours_met_on"], s["points_met_on"])


def test_fifty_hours_with_too_few_online_hours_are_not_met():
    r = Rows()
    r.teacher("T2")
    r.hours("T2", 19.5, 30.5)  # 50 in all, online one half-hour short
    r.passes("T2")
    s = status(build(r), "T2")
    assert s["total_hours"] == 50 and not s["is_hours_met"] and not s["is_complete"]
    assert s["online_met_on"] is None and s["practice_met_on"] is not None


def test_three_points_in_two_dimensions_pass_points_but_do_not_complete():
    r = Rows()
    r.teacher("T3")
    r.hours("T3", 20, 30)
    r.passes("T3", ("A1", "A2", "A3"))  # 学情分析, 教学设计, 教学设计
    s = status(build(r), "T3")
    assert s["passed_point_count"] == 3 and s["passed_dimension_count"] == 2
    assert s["is_points_passed"] and not s["is_complete"] and s["completed_on"] is None


def test_failed_then_passed_counts_once_and_failing_or_pending_points_are_told_apart():
    r = Rows()
    r.teacher("T4")
    r.hours("T4", 20, 30)
    r.grade("T4", "A1", "不合格", dt.date(2021, 5, 1))
    r.grade("T4", "A1", "合格", dt.date(2021, 6, 1))  # resubmitted and passed
    r.grade("T4", "A3", "合格")
    r.grade("T4", "A5", "不合格")  # still failing
    r.grade("T4", "A10", None)  # pending
    s = status(build(r), "T4")
    assert s["submitted_point_count"] == 4 and s["passed_point_count"] == 2
    assert s["failing_point_count"] == 1 and s["pending_point_count"] == 1
    assert not s["is_complete"]


def test_scope_is_full_time_teachers_of_the_levels_in_scope_only():
    r = Rows()
    r.teacher("IN")
    r.teacher("ADMIN", post="行政人员")
    r.teacher("SPECIAL", level="特教")
    con = build(r)
    keys = {k for (k,) in con.execute("SELECT teacher_key FROM marts.teacher_status").fetchall()}
    assert keys == {"IN"}
    assert not status(con, "IN")["is_enrolled"]


def test_credited_hours_are_capped_per_session():
    r = Rows()
    r.teacher("CAP")
    r.session("CAP", ON, D0, 6.0, wall=7.0)  # cap 4 h per online session
    r.session("CAP", PR, D0 + dt.timedelta(days=1), 9.0, wall=9.5)  # cap 8 h per practice entry
    s = status(build(r), "CAP")
    assert (s["online_hours"], s["practice_hours"]) == (4.0, 8.0)


# --- integrity rules --------------------------------------------------------------------------------


def test_faster_than_real_time_is_strict():
    r = Rows()
    r.teacher("FAST")
    r.teacher("EVEN")
    r.session("FAST", ON, D0, 2.0, wall=1.0)
    r.session("EVEN", ON, D0, 2.0, wall=2.0)  # credited = wall clock: not flagged
    con = build(r)
    assert (
        status(con, "FAST")["is_flag_faster"] and status(con, "FAST")["faster_session_count"] == 1
    )
    assert not status(con, "EVEN")["is_flag_faster"]


def test_unattended_video_from_eight_hours():
    r = Rows()
    r.teacher("UA")
    r.teacher("OK")
    r.session("UA", ON, D0, 3.0, wall=9.0, video=28_800)
    r.session("OK", ON, D0, 3.0, wall=9.0, video=28_799)
    con = build(r)
    assert status(con, "UA")["is_flag_unattended"]
    assert not status(con, "OK")["is_flag_unattended"]


def test_night_logging_needs_enough_hours_and_share_and_the_window_end_is_exclusive():
    r = Rows()
    r.teacher("NIGHT")  # 10 h at 01:00 of 20 h online: flagged
    r.teacher("FIVE")  # 10 h starting 05:00: outside the window
    r.teacher("SHARE")  # 10 h at night of 40 h online: below 30 %
    for i in range(5):
        day = dt.datetime(2021, 4, 1 + i)
        r.session("NIGHT", ON, day + dt.timedelta(hours=1), 2.0)
        r.session("NIGHT", ON, day + dt.timedelta(hours=20), 2.0)
        r.session("FIVE", ON, day + dt.timedelta(hours=5), 2.0)
        r.session("SHARE", ON, day + dt.timedelta(hours=1), 2.0)
    for i in range(15):
        r.session("SHARE", ON, dt.datetime(2021, 5, 1 + i, 20), 2.0)
    con = build(r)
    assert status(con, "NIGHT")["night_hours"] == 10 and status(con, "NIGHT")["is_flag_night"]
    assert status(con, "FIVE")["night_hours"] == 0 and not status(con, "FIVE")["is_flag_night"]
    assert status(con, "SHARE")["night_hours"] == 10 and not status(con, "SHARE")["is_flag_night"]


def test_all_online_needs_fifty_online_hours_and_no_practice_at_all():
    r = Rows()
    for key, online, practice in (("AO", 50, 0), ("AO49", 49, 0), ("MIX", 60, 2)):
        r.teacher(key)
        r.hours(key, online, practice)
    con = build(r)
    assert status(con, "AO")["is_flag_all_online"]
    assert not status(con, "AO49")["is_flag_all_online"]
    assert not status(con, "MIX")["is_flag_all_online"]


def test_identical_patterns_need_three_teachers_of_one_school_and_five_sessions():
    r = Rows()
    for key in ("G1", "G2", "G3"):  # a scripted group: 5 identical sessions on one device
        r.teacher(key)
        for i in range(5):
            r.session(key, ON, D0 + dt.timedelta(days=i), 2.0, device="DEV")
    for key in ("P1", "P2"):  # only two teachers share the pattern
        r.teacher(key)
        for i in range(6):
            r.session(key, ON, D0 + dt.timedelta(days=10 + i), 2.0)
    r.teacher("X", school="S2")  # same times as the group, but another school
    for i in range(5):
        r.session("X", ON, D0 + dt.timedelta(days=i), 2.0, school="S2")
    con = build(r)
    g1 = status(con, "G1")
    assert g1["is_flag_identical"] and g1["identical_session_count"] == 5
    assert g1["identical_min_devices"] == 1
    assert not any(status(con, k)["is_flag_identical"] for k in ("P1", "P2", "X"))
    n = con.execute(
        "SELECT count(*) FROM marts.teacher_flag_sessions WHERE reasons LIKE '%identical%'"
    ).fetchone()[0]
    assert n == 15


# --- schools -------------------------------------------------------------------------------------


def test_school_points_against_environment_and_hold_back():
    r = Rows()
    r.teacher("A", school="S1")
    r.hours("A", 10, 0, school="S1")
    r.teacher("B", school="S2")
    plans = [
        ("S1", True, dt.date(2020, 3, 1), True, "校长", 5, "A1|A3|C2", 1),
        ("S2", False, None, False, None, None, "A1|B3", 1),
    ]
    equipment = [("S1", 2022, 0, 500, 95.0), ("S2", 2022, 0, 5, 40.0)]  # S2: 0.05 per pupil
    con = build(r, plans=plans, equipment=equipment)
    cur = con.execute(
        "SELECT school_id, is_c_without_smart, is_b_without_terminals, hold_back, quota_pct, "
        "quota_gap_pct FROM marts.teacher_schools ORDER BY school_id"
    )
    assert cur.fetchall() == [
        ("S1", True, False, "hours_short", 100.0, 100.0),
        ("S2", False, True, "no_plan", 100.0, 100.0),
    ]


def test_empty_sources_build_empty_marts():
    con = build(Rows())
    for table in ("teacher_status", "teacher_flags", "teacher_schools", "teacher_points"):
        assert con.execute(f"SELECT count(*) FROM marts.{table}").fetchone()[0] == 0


@pytest.mark.parametrize("path", MARTS, ids=lambda p: p.name)
def test_marts_read_thresholds_from_the_rules_table(path):
    sql = path.read_text(encoding="utf-8")
    for literal in ("'2022-12-31'", ">= 50", ">= 20", ">= 30", "28800", "'05:00'"):
        assert literal not in sql, f"{path.name} hard-codes {literal!r}"
