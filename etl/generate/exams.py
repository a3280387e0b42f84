"""Demo data for 智慧招考: exam plans 2019–, and the current year's sites, rooms, devices, routes.

Calendar and candidate counts come from data/reference/exam_calendar.csv (assumptions, scaled
by ctx.scale), timetables from exam_sessions.csv, device rules from exam_device_types.csv and the
units' 保密室 from exam_secure_rooms.csv. Sites are hosted by public secondary schools, spread
over units by population; a few sites are planted short of cameras (manifest: planted.exams).
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from edusight import config
from edusight.geo import division_of
from etl.generate import core
from etl.generate.common import Context
from etl.sources import exams as S

CAP = S.ROOM_CAPACITY
ROOMS_PER_SITE = (35, 60)  # 考场 per site (national average ≈ 49)
HOST_TYPES = {
    "高考": {"高级中学": 1.0, "完全中学": 1.0, "中等职业学校": 0.25},
    "中考": {"初级中学": 1.0, "九年一贯制学校": 0.7, "完全中学": 1.0, "高级中学": 0.6},
}
CODE = {"高考": "GK", "中考": "ZK"}
SUPPORT_ROOMS = ("保密室", "考务室", "医疗室", "保卫室", "监控室")
PLATE_CHARS = np.array(list("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"))
PLANTED_SHARE = 0.03  # share of sites planted short of cameras (at least one per exam)


def read_reference(name: str) -> pd.DataFrame:
    return pd.read_csv(config.reference_dir() / f"{name}.csv", dtype={"unit_code": str})


def plan_year(cal: pd.DataFrame, as_of: dt.date) -> int:
    """The year whose sites are exported: the latest calendar year up to the as-of date's."""
    years = cal.year[cal.year <= as_of.year]
    return int(years.max())


def make_plans(ctx: Context, cal: pd.DataFrame, sessions: pd.DataFrame) -> pd.DataFrame:
    rng = ctx.rng("exam_plans")
    cal = cal[cal.year <= ctx.as_of.year].copy()
    span = sessions.groupby("exam_zh").day_offset.max()
    first = pd.to_datetime(cal.first_day)
    cand = np.array([ctx.n(c) for c in cal.candidates])
    sites = np.maximum(1, np.round(cand / CAP / 47 * rng.normal(1, 0.04, len(cal)))).astype(int)
    rooms = np.ceil(cand / CAP).astype(int) + sites // 2
    return pd.DataFrame({
        "exam": cal.exam_zh.to_numpy(), "year": cal.year.to_numpy(), "first_day": first,
        "last_day": first + pd.to_timedelta(cal.exam_zh.map(span).to_numpy(), unit="D"),
        "candidates": cand, "site_count": sites, "exam_room_count": rooms,
    }).reset_index(drop=True)  # fmt: skip


def _split(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers summing to `total`, proportional to `weights` (largest remainder)."""
    raw = total * weights / weights.sum()
    out = np.floor(raw).astype(int)
    out[np.argsort(raw - out)[::-1][: total - out.sum()]] += 1
    return out


def _pick_hosts(rng, host: pd.DataFrame, w: np.ndarray, n_sites: int, pop: pd.Series) -> np.ndarray:
    """Host rows: every unit (考区) with a possible host gets a site when there are enough sites,
    the rest go by population; within a unit, hosts are drawn by weight."""
    avail = host.unit_code.value_counts()
    share = pop.reindex(avail.index).to_numpy(dtype=float)
    if n_sites >= len(avail):
        count = np.ones(len(avail), dtype=int) + _split(n_sites - len(avail), share)
    else:
        chosen = rng.choice(len(avail), n_sites, replace=False, p=share / share.sum())
        count = np.bincount(chosen, minlength=len(avail))
    count = np.minimum(count, avail.to_numpy())
    spare = n_sites - count.sum()
    while spare > 0:  # units without enough hosts pass their sites on
        room = np.flatnonzero(count < avail.to_numpy())
        count[room[np.argmax(share[room] / (count[room] + 1))]] += 1
        spare -= 1
    out = []
    for u, k in zip(avail.index, count):
        idx = np.flatnonzero((host.unit_code == u).to_numpy())
        p = w[idx] / w[idx].sum()
        out.append(rng.choice(idx, k, replace=False, p=p))
    return np.sort(np.concatenate(out))


def make_sites(ctx: Context, plans: pd.DataFrame, year: int) -> pd.DataFrame:
    rng = ctx.rng("exam_sites")
    schools = ctx.frames["schools"]
    units = ctx.frames["units"].set_index("unit_code")
    effort = core.unit_effort(ctx)
    out = []
    for exam in ("高考", "中考"):
        plan = plans[(plans.exam == exam) & (plans.year == year)].iloc[0]
        total = int(plan.candidates)
        kinds = HOST_TYPES[exam]
        host = schools[schools.school_type.isin(kinds)].reset_index(drop=True)
        n_sites = int(min(len(host), max(1, round(total / CAP / np.mean(ROOMS_PER_SITE)))))
        # sites spread over units by population; public, urban schools host most sites
        w = host.school_type.map(kinds).to_numpy()
        w = w * np.where(host.ownership == "公办", 1.0, 0.15)
        w = w * np.where(host.urban_rural == "乡村", 0.4, 1.0)
        pick = _pick_hosts(rng, host, w, n_sites, units.population_10k)
        h = host.iloc[pick].sort_values(["unit_code", "school_id"]).reset_index(drop=True)
        cand = _split(total, rng.uniform(*ROOMS_PER_SITE, n_sites))
        seq = h.groupby("unit_code").cumcount() + 1
        eff = h.unit_code.map(effort).to_numpy()
        if exam == "高考":
            std = np.ones(n_sites, dtype=bool)  # every 高考 site is standardized
        else:
            std = rng.random(n_sites) < np.clip(0.8 + 0.4 * eff, 0.45, 0.98)
        secure = std | (rng.random(n_sites) < 0.8)
        r = rng.random(n_sites)
        link = np.where(std, np.where(r < 0.97, "在线", "离线"),
                        np.where(r < 0.6, "在线", np.where(r < 0.7, "离线", "未接入")))  # fmt: skip
        r2 = rng.random(n_sites)
        joint = np.where(link == "未接入", "未测试", np.where(r2 < 0.96, "通过", "未通过"))
        out.append(pd.DataFrame({
            "site_code": [f"{CODE[exam]}{year % 100:02d}-{u}-{s:02d}" for u, s in zip(h.unit_code, seq)],
            "exam": exam, "year": year, "site_name": h.school_name + "考点",
            "unit_code": h.unit_code, "school_id": h.school_id, "lon": h.lon, "lat": h.lat,
            "candidates": cand, "exam_room_count": -(-cand // CAP),
            "is_standardized": std, "has_secure_room": secure, "command_link": link,
            "joint_test": joint,
        }))  # fmt: skip
    return pd.concat(out, ignore_index=True)


def make_rooms(ctx: Context, sites: pd.DataFrame) -> pd.DataFrame:
    rng = ctx.rng("exam_rooms")
    n = sites.exam_room_count.to_numpy()
    site_of = np.repeat(sites.site_code.to_numpy(), n)
    no = np.concatenate([np.arange(1, k + 1) for k in n])
    cand = np.full(len(no), CAP)
    last = np.cumsum(n) - 1
    cand[last] = sites.candidates.to_numpy() - CAP * (n - 1)
    blocks = np.array(list("ABCDE"))
    exam_rooms = pd.DataFrame({
        "room_code": [f"{s}-{k:03d}" for s, k in zip(site_of, no)], "site_code": site_of,
        "room_type": "考场", "room_name": [f"第{k:03d}考场" for k in no],
        "building": [f"教学楼{blocks[(k - 1) // 20 % 5]}栋{(k - 1) % 20 // 5 + 1}楼" for k in no],
        "candidates": cand,
    })  # fmt: skip
    support = []
    for s in sites.itertuples():
        for j, kind in enumerate(SUPPORT_ROOMS):
            if kind == "保密室" and not s.has_secure_room:
                continue
            if kind == "监控室" and not s.is_standardized and rng.random() < 0.5:
                continue
            support.append((f"{s.site_code}-{901 + j}", s.site_code, kind, kind,
                            f"行政楼{int(rng.integers(1, 4))}楼", 0))  # fmt: skip
    support = pd.DataFrame(support, columns=exam_rooms.columns)
    rooms = pd.concat([exam_rooms, support], ignore_index=True)
    return rooms.sort_values("room_code", kind="stable").reset_index(drop=True)


def _devices_at(site, room, place: str, dtype: str, count) -> pd.DataFrame:
    """`count` devices of one type at each (site, room) pair."""
    site = np.repeat(np.asarray(site, dtype=object), count)
    room = np.repeat(np.asarray(room, dtype=object), count)
    return pd.DataFrame({"site_code": site, "room_code": room, "location": place,
                         "device_type": dtype})  # fmt: skip


def make_devices(
    ctx: Context, sites: pd.DataFrame, rooms: pd.DataFrame
) -> tuple[pd.DataFrame, list]:
    """Devices meeting the rules of exam_device_types.csv, then a few sites planted short."""
    rng = ctx.rng("exam_devices")
    rules = read_reference("exam_device_types").set_index("device_type")
    per_room = rules.min_per_exam_room.fillna(0).astype(int)
    cam = "高清摄像头"
    er = rooms[rooms.room_type == "考场"]
    parts = []
    for dtype, k in per_room.items():
        if k == 0:
            continue
        extra = (rng.random(len(er)) < 0.15).astype(int) if dtype == cam else 0
        parts.append(_devices_at(er.site_code, er.room_code, "考场", dtype, k + extra))
    sec = rooms[rooms.room_type == "保密室"]
    n_sec = int(rules.loc[cam, "min_secure_room"]) + rng.integers(0, 2, len(sec))
    parts.append(_devices_at(sec.site_code, sec.room_code, "保密室", cam, n_sec))
    for kind in ("考务室", "监控室"):
        r = rooms[rooms.room_type == kind]
        parts.append(_devices_at(r.site_code, r.room_code, kind, cam, 1))
    ns = len(sites)
    none = np.full(ns, None, dtype=object)
    gate_cams = int(rules.loc[cam, "min_gate"]) + rng.integers(0, 3, ns)
    parts.append(_devices_at(sites.site_code, none, "考点大门", cam, gate_cams))
    parts.append(_devices_at(sites.site_code, none, "通道", cam, rng.integers(2, 7, ns)))
    per_reader = int(rules.loc["身份证阅读器", "candidates_per_device"])
    readers = -(-sites.candidates.to_numpy() // per_reader) + rng.integers(0, 2, ns)
    parts.append(_devices_at(sites.site_code, none, "考点大门", "身份证阅读器", readers))
    faces = np.where(sites.is_standardized, -(-sites.candidates.to_numpy() // 600), 0)
    parts.append(_devices_at(sites.site_code, none, "考点大门", "人脸识别终端", faces))
    dev = pd.concat(parts, ignore_index=True)

    # plant shortfalls: a few sites per exam lack cameras in rooms, the 保密室 or at the gate
    planted = []
    drop = np.zeros(len(dev), dtype=bool)
    is_cam = (dev.device_type == cam).to_numpy()
    for exam in ("高考", "中考"):
        cand = sites[sites.exam == exam]
        k = max(1, round(len(cand) * PLANTED_SHARE))
        for s in cand.iloc[np.sort(rng.choice(len(cand), k, replace=False))].itertuples():
            kind = rng.choice(
                ["rooms", "secure_room", "gate"] if s.has_secure_room else ["rooms", "gate"]
            )
            here = is_cam & (dev.site_code == s.site_code).to_numpy()
            short = {"site_code": s.site_code, "exam": exam, "kind": str(kind)}
            if kind == "rooms":
                ers = er.room_code[er.site_code == s.site_code].to_numpy()
                bare = np.sort(
                    rng.choice(ers, min(len(ers), int(rng.integers(2, 6))), replace=False)
                )
                drop |= here & dev.room_code.isin(bare).to_numpy()
                short["rooms_without_camera"] = [str(x) for x in bare]
            else:
                place = "保密室" if kind == "secure_room" else "考点大门"
                idx = np.flatnonzero(here & (dev.location == place).to_numpy())
                drop[idx[1:]] = True  # one camera left where two are required
                short["cameras_left"] = 1
            planted.append(short)
    dev = dev[~drop].reset_index(drop=True)
    n = len(dev)
    seq = dev.groupby("site_code").cumcount() + 1
    dev["device_id"] = dev.site_code + "-D" + seq.map("{:04d}".format)
    watched = dev.device_type.isin(["高清摄像头", "身份证阅读器", "人脸识别终端"]).to_numpy()
    dev["is_networked"] = watched & (rng.random(n) < 0.985)
    r = rng.random(n)
    dev["status"] = np.where(r < 0.972, "正常", np.where(r < 0.986, "故障", "离线"))
    dev["installed_year"] = rng.integers(2015, min(ctx.as_of.year, 2030) + 1, n)
    return dev, planted


def _path(a: tuple[float, float], b: tuple[float, float], rng) -> np.ndarray:
    """A plausible road-like path a → b: a staircase of 2–3 turns with points along each leg."""
    (x0, y0), (x1, y1) = a, b
    turns = int(rng.integers(2, 4))
    fx = np.sort(rng.uniform(0.15, 0.85, turns - 1))
    xs, ys = [x0], [y0]
    cy = y0
    for i in range(turns):
        nx = x0 + (x1 - x0) * (fx[i] if i < turns - 1 else 1.0)
        ny = y0 + (y1 - y0) * ((i + 1) / turns)
        xs += [nx, nx]
        ys += [cy, ny]
        cy = ny
    pts = np.column_stack([xs, ys])
    # split long legs so each point is at most ~1.5 km from the next
    out = [pts[0]]
    for p, q in zip(pts[:-1], pts[1:]):
        k = max(1, math.ceil(np.hypot(*(q - p)) / 0.015))
        for t in np.arange(1, k + 1) / k:
            out.append(p + (q - p) * t)
    path = np.array(out)
    path[1:-1] += rng.normal(0, 0.0008, (len(path) - 2, 2))  # roads are not straight
    keep = np.r_[True, np.hypot(*np.diff(path, axis=0).T) > 1e-5]
    return path[keep]


def _polyline(path: np.ndarray) -> str:
    return ";".join(f"{x:.5f},{y:.5f}" for x, y in path)


def make_routes(ctx: Context, sites: pd.DataFrame, plans: pd.DataFrame, sessions: pd.DataFrame,
                year: int) -> pd.DataFrame:  # fmt: skip
    rng = ctx.rng("transport_routes")
    rooms = read_reference("exam_secure_rooms").set_index("unit_code")
    cat = ctx.frames["units"].set_index("unit_code").category
    first = plans[plans.year == year].set_index("exam").first_day
    rows = []
    for s in sites.itertuples():
        origin = rooms.loc[s.unit_code]
        path = _path((origin.lon, origin.lat), (s.lon, s.lat), rng)
        # points that would leave the city fall back onto the straight line
        outside = division_of(path[:, 0], path[:, 1]) == ""
        if outside.any():
            t = np.linspace(0, 1, len(path))[outside, None]
            path[outside] = (
                np.array([origin.lon, origin.lat]) * (1 - t) + np.array([s.lon, s.lat]) * t
            )
        km = float(np.hypot(*(np.diff(path, axis=0) * [96.0, 110.9]).T).sum())
        speed = 28.0 if cat[s.unit_code] == "中心城区" else 40.0
        travel = int(math.ceil((km / speed * 60 + 10) / 5) * 5)
        plate = "川A" + "".join(rng.choice(PLATE_CHARS, 5))
        stop = 5 if km < 15 else 10
        out_line, back_line = _polyline(path), _polyline(path[::-1])
        for ses in sessions[sessions.exam_zh == s.exam].itertuples():
            day = pd.Timestamp(first[s.exam]) + pd.Timedelta(days=int(ses.day_offset))
            start = day + pd.Timedelta(ses.start_time + ":00")
            end = day + pd.Timedelta(ses.end_time + ":00")
            arrive = start - pd.Timedelta(minutes=5 * int(rng.integers(9, 15)))
            depart = end + pd.Timedelta(minutes=5 * int(rng.integers(4, 9)))
            rows.append((s.exam, ses.session_code, "送卷", origin.room_code, s.site_code, plate,
                         arrive - pd.Timedelta(minutes=travel), arrive, out_line, stop))  # fmt: skip
            rows.append((s.exam, ses.session_code, "回收", origin.room_code, s.site_code, plate,
                         depart, depart + pd.Timedelta(minutes=travel), back_line, stop + 5))  # fmt: skip
    df = pd.DataFrame(rows, columns=["exam", "session_code", "leg", "secure_room_code", "site_code",
                                     "vehicle_id", "planned_depart", "planned_arrive", "waypoints",
                                     "max_stop_minutes"])  # fmt: skip
    df = df.sort_values(["planned_depart", "site_code"], kind="stable").reset_index(drop=True)
    df.insert(0, "route_id", [f"YS{year % 100:02d}{i + 1:05d}" for i in range(len(df))])
    return df


def generate(ctx: Context, progress) -> None:
    cal = read_reference("exam_calendar")
    sessions = read_reference("exam_sessions")
    plans = make_plans(ctx, cal, sessions)
    year = plan_year(cal, ctx.as_of)
    sites = make_sites(ctx, plans, year)
    # the exported year's plan counts what its sites hold
    for exam, g in sites.groupby("exam"):
        m = (plans.exam == exam) & (plans.year == year)
        plans.loc[m, "site_count"] = len(g)
        plans.loc[m, "exam_room_count"] = int(g.exam_room_count.sum())
    rooms = make_rooms(ctx, sites)
    devices, planted = make_devices(ctx, sites, rooms)
    routes = make_routes(ctx, sites, plans, sessions, year)
    ctx.frames["exam_sites"] = sites
    ctx.manifest.setdefault("planted", {})["exams"] = {
        "camera_short_sites": planted,
        "rule": "≥1 camera per 考场, ≥2 in the 保密室, ≥2 at the gate (exam_device_types.csv)",
    }
    progress("exams")
    ctx.write(S.EXAM_PLANS, plans, fmt="xlsx")
    ctx.write(S.EXAM_SITES, sites, encoding="utf-8-sig")
    ctx.write(S.EXAM_ROOMS, rooms, fmt="xlsx" if len(rooms) < 3_000 else "csv")
    ctx.write(S.EXAM_DEVICES, devices, encoding="gb18030")
    ctx.write(S.TRANSPORT_ROUTES, routes, encoding="utf-8")
