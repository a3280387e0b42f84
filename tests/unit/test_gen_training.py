"""Demo data of 能力提升工程2.0 (etl/generate/training.py) and its contract (etl/sources/training.py).

Core and training are generated at a small scale into a temporary folder and built with their
sources only, so these tests do not depend on the other domains.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections import Counter
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

import etl.engine
import etl.generate
from etl.generate import core, training
from etl.sources import core as core_sources
from etl.sources import training as training_sources

ROOT = Path(__file__).resolve().parents[2]
REF = ROOT / "data" / "reference"
KEY = b"edusight-training-test-key"
MINE = {s.name for s in training_sources.SOURCES}
ID_RE = r"[1-9][0-9]{5}(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9X]"


def _generate(out: Path, scale: float, seed: int):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(etl.generate, "MODULES", [core, training])
        return etl.generate.generate(out, scale=scale, seed=seed)


@pytest.fixture(scope="module")
def gen(tmp_path_factory):
    """(context, raw folder, database) at scale 0.02, built with core + training sources."""
    tmp = tmp_path_factory.mktemp("training")
    ctx = _generate(tmp / "raw", 0.02, 7)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(etl.engine, "SOURCES", core_sources.SOURCES + training_sources.SOURCES)
        mp.setattr(etl.engine, "mart_plan", lambda *a, **k: [])  # marts read other domains
        res = etl.engine.build(tmp / "raw", tmp / "t.duckdb", key=KEY)
    return ctx, tmp / "raw", res.db_path


@pytest.fixture(scope="module")
def built(gen):
    """The generator's clean frames (rebuilt from the same context: deterministic)."""
    return training.build(gen[0])


def _con(db: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(db), read_only=True)


# --------------------------------------------------------------------------- reference data


def test_micro_abilities_are_30_points_with_three_confirmed_names():
    p = pd.read_csv(REF / "micro_abilities.csv")
    assert len(p) == 30 and p.code.is_unique
    assert p.environment.value_counts().to_dict() == {"A": 13, "B": 10, "C": 7}
    expected = [f"A{i}" for i in range(1, 14)] + [f"B{i}" for i in range(1, 11)]
    assert p.code.tolist() == expected + [f"C{i}" for i in range(1, 8)]
    confirmed = p[p.is_confirmed]
    assert dict(zip(confirmed.code, confirmed.name_zh)) == {
        "A1": "技术支持的学情分析",
        "A3": "演示文稿设计与制作",
        "B6": "技术支持的展示交流",
    }
    assert set(p.dimension_zh) == {"学情分析", "教学设计", "学法指导", "学业评价"}
    for _, g in p.groupby("environment"):
        assert g.dimension_zh.nunique() == 4  # every environment covers every dimension
    assert p[["environment_en", "dimension_en", "name_en"]].notna().all().all()
    assert (p[~p.is_confirmed].note.str.contains("示例")).all()


def test_training_rules_hold_the_completion_rule_and_flag_thresholds():
    r = training.load_rules()
    assert (r["min_total_hours"], r["min_online_hours"], r["min_practice_hours"]) == (
        "50",
        "20",
        "30",
    )
    assert (r["min_points_passed"], r["min_dimensions"]) == ("3", "3")
    quotas = [float(r[f"quota_{y}"]) for y in (2020, 2021, 2022)]
    assert quotas == [0.3, 0.5, 0.2]
    assert r["deadline"] == "2022-12-31"
    assert (r["flag_night_window_start"], r["flag_night_window_end"]) == ("00:00", "05:00")
    for k in ("flag_credit_wallclock_ratio", "flag_unattended_video_seconds",
              "flag_identical_min_sessions", "flag_identical_min_teachers",
              "flag_all_online_min_hours", "flag_night_min_hours"):  # fmt: skip
        assert float(r[k]) > 0


# --------------------------------------------------------------------------- generator


def test_same_seed_same_files_other_seed_other_data(tmp_path):
    names = ("school_plans.xlsx", "micro_assessments.csv", "training_sessions_2021.csv")
    a = _generate(tmp_path / "a", 0.01, 3)
    b = _generate(tmp_path / "b", 0.01, 3)
    c = _generate(tmp_path / "c", 0.01, 4)
    for n in names[1:]:
        assert (a.out / n).read_bytes() == (b.out / n).read_bytes(), n
        assert (a.out / n).read_bytes() != (c.out / n).read_bytes(), n
    assert a.manifest["planted"] == b.manifest["planted"]
    assert a.manifest["files"]["school_plans.xlsx"] == b.manifest["files"]["school_plans.xlsx"]


def test_sessions_look_like_real_study(built):
    s = training.analysis_sessions(built["sessions"])
    on = (s.session_type == "网络研修").to_numpy()
    planted = np.isin(s.teacher, built["planted"]["_used"]) | built["sessions"].unattended
    legit = s[on & ~planted.to_numpy()]
    assert legit.credited_hours.between(1, 3).all()
    assert s[~on].credited_hours.between(2, 6).all()
    assert s.start_time.min() >= pd.Timestamp(training.load_rules()["project_start"])
    assert s.end_time.max() < pd.Timestamp("2022-07-01")
    # evenings on school days, daytime at weekends; practice on school-day afternoons/mornings
    hour = legit.start_time.dt.hour
    weekend = legit.start_time.dt.day_of_week >= 5
    school_day = ~training.free_days(legit.start_time.to_numpy())
    assert (hour[school_day].between(19, 23)).mean() > 0.95
    assert weekend.mean() > 0.35
    practice = s[~on]
    assert (practice.start_time.dt.day_of_week < 5).all()
    assert not training.free_days(practice.start_time.to_numpy()).any()
    # credited hours never exceed wall-clock time, video never exceeds it, for honest rows
    wall = (legit.end_time - legit.start_time).dt.total_seconds()
    assert (legit.credited_hours * 3600 <= wall).all()
    assert (legit.video_seconds <= wall).all()


def test_completion_follows_the_phasing_and_rules(gen, built):
    ctx = gen[0]
    rules = built["rules"]
    s = training.analysis_sessions(built["sessions"])
    a = training.analysis_assessments(built["assessments"], built["points"])
    done = training.completion_dates(s, a, built["points"], rules)
    n = len(built["teachers"])
    by_2020 = (done <= pd.Timestamp("2020-12-31")).sum() / n
    by_2021 = (done <= pd.Timestamp("2021-12-31")).sum() / n
    by_asof = len(done) / n
    assert 0.25 < by_2020 < 0.37 and 0.77 < by_2021 < 0.90 and by_2021 < by_asof < 0.95
    truth = ctx.manifest["truth"]["training"]
    assert truth["complete_share_by"]["2021-12-31"] == pytest.approx(by_2021, abs=1e-3)
    units = set(ctx.frames["units"].unit_code)
    assert set(truth["units_below_2021_quota"]) < units  # some units lag, not all
    # every completer meets the rule, counted independently here
    hours = s.groupby(["teacher", "session_type"], observed=True).credited_hours.sum().unstack()
    h = hours.reindex(done.index).fillna(0)
    assert (h["网络研修"] >= 20).all() and (h["校本实践"] >= 30).all()
    assert (h.sum(axis=1) >= 50).all()
    passed = a[a.grade.isin(["优秀", "合格"])].drop_duplicates(["teacher", "point_code"])
    dims = passed.point_code.map(built["points"].set_index("code").dimension_zh)
    per = passed.assign(dim=dims).groupby("teacher").agg(pts=("point_code", "size"),
                                                          dims=("dim", "nunique"))  # fmt: skip
    per = per.reindex(done.index)
    assert (per.pts >= 3).all() and (per.dims >= 3).all()
    # schools without a plan lag badly
    plans = built["plans"].set_index("school_id")
    filed = plans.plan_filed.reindex(built["teachers"].school_id).to_numpy()
    complete = np.isin(np.arange(n), done.index)
    assert complete[~filed].mean() < complete[filed].mean() - 0.3


def test_planted_integrity_cases_are_found_at_the_recorded_counts(gen, built):
    ctx = gen[0]
    rec = ctx.manifest["planted"]["training"]
    p = built["planted"]
    s = training.analysis_sessions(built["sessions"])
    flags = training.integrity_flags(
        s, pd.Series(built["teachers"].school_id.to_numpy()), built["rules"]
    )
    for kind in ("night_teachers", "all_online_teachers", "credited_faster_teachers"):
        assert flags[kind] == set(p[kind].tolist()), kind  # all planted found, nothing else
        assert rec[kind] == len(p[kind]) > 0, kind
    members = {int(t) for g in p["identical_groups"] for t in g}
    assert flags["identical_teachers"] == members and rec["identical_teachers"] == len(members)
    assert rec["identical_groups"] == len(p["identical_groups"]) >= 1
    unattended = set(np.flatnonzero(built["sessions"].unattended.to_numpy()).tolist())
    assert flags["unattended_video_sessions"] == unattended
    assert rec["unattended_video_sessions"] == len(unattended) > 0
    assert rec["credited_faster_sessions"] >= rec["credited_faster_teachers"]
    # rates stay small
    n = len(built["teachers"])
    assert rec["all_online_teachers"] / n < 0.01 and rec["night_teachers"] / n < 0.01
    assert rec["unattended_video_sessions"] / len(s) < 0.002


def test_chosen_points_follow_the_school_environment(built):
    plans = built["plans"]
    filed = plans[plans.plan_filed]
    has_c = filed._smart > 0
    picks_c = filed.chosen_points.str.contains("C")
    assert picks_c[has_c].mean() > 0.5
    mismatch = (picks_c & ~has_c).sum()
    assert mismatch == plans._mismatch.sum() and mismatch < 0.2 * (~has_c).sum() + 1
    codes = pd.read_csv(REF / "micro_abilities.csv").set_index("code")
    for chosen in filed.chosen_points[filed.chosen_points != ""]:
        dims = codes.loc[chosen.split("|"), "dimension_zh"]
        assert dims.nunique() >= 3
    # teachers submit points of their school's choice
    a = training.analysis_assessments(built["assessments"], built["points"])
    school = built["teachers"].school_id.to_numpy()[a.teacher.to_numpy()]
    chosen = plans.set_index("school_id").chosen_points.reindex(school).to_numpy()
    inside = [c == "" or p in c.split("|") for p, c in zip(a.point_code, chosen)]
    assert all(inside)


# --------------------------------------------------------------------------- built database


def test_quarantine_matches_the_manifest(gen):
    _, raw, db = gen
    manifest = json.loads((raw / "manifest.json").read_text(encoding="utf-8"))
    mine = {f: i for f, i in manifest["files"].items() if i["source"] in MINE}
    assert {i["source"] for i in mine.values()} == MINE
    with _con(db) as con:
        got = Counter()
        for f, rule, k in con.execute(
            "SELECT file, rule, count(DISTINCT line) FROM meta.quarantine "
            "WHERE source IN (SELECT unnest($s)) GROUP BY ALL",
            {"s": sorted(MINE)},
        ).fetchall():
            got[(f, rule)] = k
        for f, info in mine.items():
            exp = info["expected_quarantine"]
            assert "foreign_key" not in exp
            for rule, k in exp.items():
                assert got[(f, rule)] == k, (f, rule)
            extra = {r for (ff, r) in got if ff == f} - set(exp) - {"foreign_key"}
            assert not extra, (f, extra)
        assert any(r in ("end_after_start", "hours_per_session") for _, r in got)
        for src in MINE:
            read, loaded = con.execute(
                "SELECT sum(rows_read), sum(rows_loaded) FROM meta.load_report WHERE source = $s",
                {"s": src},
            ).fetchone()
            assert loaded == con.execute(f'SELECT count(*) FROM stg."{src}"').fetchone()[0]
            assert loaded > 0.97 * read


def test_foreign_key_failures_are_explained(gen):
    """A broken 身份证件号 in the row itself, or a teacher/school rejected upstream."""
    ctx, _, db = gen
    clean = {
        hmac.new(KEY, i.encode(), hashlib.sha256).hexdigest()[:16]
        for i in ctx.frames["teachers"].id_number
    }
    with _con(db) as con:
        for src in ("training_sessions", "micro_assessments"):
            rows = con.execute(
                f"""
                SELECT r.teacher_key,
                       (SELECT count(*) FROM meta.quarantine q2 WHERE q2.source = q.source
                         AND q2.file = q.file AND q2.line = q.line AND q2.rule = 'id_number') > 0,
                       r.teacher_key IN (SELECT teacher_key FROM stg.teachers),
                       r.school_id IN (SELECT school_id FROM stg.schools)
                FROM meta.quarantine q JOIN raw."{src}" r ON r._file = q.file AND r._line = q.line
                WHERE q.source = $s AND q.rule = 'foreign_key'
                """,
                {"s": src},
            ).fetchall()
            assert rows, src
            for key, bad_id, teacher_ok, school_ok in rows:
                if bad_id:
                    continue
                assert key in clean  # a real teacher, rejected upstream (or their school was)
                assert not teacher_ok or not school_ok


def test_no_clear_id_numbers_in_training_tables(gen):
    _, _, db = gen
    with _con(db) as con:
        cols = con.execute(
            "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
            "WHERE data_type = 'VARCHAR' AND table_name IN (SELECT unnest($t)) "
            "AND schema_name IN ('raw', 'stg')",
            {"t": sorted(MINE)},
        ).fetchall()
        assert len(cols) > 15
        for schema, table, column in cols:
            assert column != "id_number"
            hit = con.execute(
                f'SELECT count(*) FROM "{schema}"."{table}" WHERE regexp_matches("{column}", $re)',
                {"re": ID_RE},
            ).fetchone()[0]
            assert hit == 0, f"{schema}.{table}.{column}"
        values = con.execute(
            "SELECT value FROM meta.quarantine WHERE source IN (SELECT unnest($s)) "
            "AND column_name = '身份证件号'",
            {"s": sorted(MINE)},
        ).fetchall()
        assert values and all(re.fullmatch(r"\d{4}\*+[0-9X]", v) for (v,) in values)


def test_database_supports_the_integrity_flags(gen):
    """The flags, in SQL over stg, find about what was planted (dirt may hide a few)."""
    ctx, _, db = gen
    rec = ctx.manifest["planted"]["training"]
    with _con(db) as con:
        fast = con.execute(
            "SELECT count(*) FROM stg.training_sessions WHERE session_type = '网络研修' "
            "AND credited_hours * 3600 > epoch(end_time - start_time)"
        ).fetchone()[0]
        unattended = con.execute(
            "SELECT count(*) FROM stg.training_sessions WHERE video_seconds >= 28800"
        ).fetchone()[0]
        all_online = con.execute(
            """SELECT count(*) FROM (SELECT teacher_key FROM stg.training_sessions GROUP BY 1
               HAVING sum(credited_hours) FILTER (WHERE session_type = '网络研修') >= 50
               AND count(*) FILTER (WHERE session_type = '校本实践') = 0)"""
        ).fetchone()[0]
        smart = con.execute(
            """SELECT count(*) FROM stg.school_plans p JOIN stg.equipment e USING (school_id)
               WHERE e.year = 2022 AND e.smart_classroom_count = 0
               AND p.chosen_points LIKE '%C%'"""
        ).fetchone()[0]
    assert 0.85 * rec["credited_faster_sessions"] <= fast <= rec["credited_faster_sessions"]
    assert 0.85 * rec["unattended_video_sessions"] <= unattended <= rec["unattended_video_sessions"]
    assert 0.85 * rec["all_online_teachers"] <= all_online <= rec["all_online_teachers"]
    assert smart <= rec["c_points_without_smart_schools"]
