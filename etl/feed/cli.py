"""``python -m etl feed {serve,simulate,drain,tokens,compact}``."""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import os
import sys
from pathlib import Path

from edusight import config


def _landing(a):
    from etl.feed.landing import Landing

    return Landing(Path(a.landing))


def _ingestor(a):
    from etl.feed.ingest import Ingestor, Limits
    from etl.feed.plan import PlanSource

    plan = PlanSource(a.db if a.db else None)
    if plan.get() is None:
        print(
            f"warning: no exam plan ({plan.error or 'no database'}): codes are not checked "
            "against the plan (build the database first: python -m etl build)",
            file=sys.stderr,
        )
    return Ingestor(_landing(a), plan, Limits.from_config())


def cmd_serve(a) -> int:
    import uvicorn

    from etl.feed import tokens
    from etl.feed.server import Maintenance, create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    ing = _ingestor(a)
    secret = tokens.feed_secret()
    maint = None
    if not a.no_background:
        maint = Maintenance(
            ing,
            secret,
            interval_s=a.drain_every,
            compact_min_files=int(config.get("feed_compact_files")),
        )
    app = create_app(ing, secret=secret, maintenance=maint)
    print(
        f"exam feed on http://{a.host}:{a.port}/v1/events → {ing.landing.root} "
        f"({len(ing.seen):,} events already landed)",
        file=sys.stderr,
    )
    uvicorn.run(app, host=a.host, port=a.port, log_level="warning", access_log=a.access_log)
    return 0


def cmd_drain(a) -> int:
    ing = _ingestor(a)
    summary = ing.drain_inbox()
    print(json.dumps(summary))
    if a.compact:
        print(json.dumps({"compacted": ing.compact(min_files=2)}))
    return 1 if summary["failed"] else 0


def cmd_compact(a) -> int:
    ing = _ingestor(a)
    print(
        json.dumps({"compacted": ing.compact(min_files=a.min_files, max_compacts=a.max_compacts)})
    )
    return 0


def cmd_tokens(a) -> int:
    import duckdb

    from etl.feed import tokens

    secret = tokens.feed_secret()
    rows: list[tuple[str, str, str, str]] = []
    if a.site:
        rows = [(s, "", "", "") for s in a.site]
    else:
        try:
            with duckdb.connect(str(a.db), read_only=True) as con:
                rows = con.execute(
                    "SELECT site_code, exam, unit_code, site_name FROM marts.exam_sites ORDER BY site_code"
                ).fetchall()
        except duckdb.Error as e:
            print(f"cannot read the exam plan from {a.db}: {e}", file=sys.stderr)
            return 2
    rows += [(p, "", "", "system") for p in tokens.SYSTEM_PRINCIPALS]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["principal", "exam", "unit_code", "name", "token"])
    for principal, exam, unit, name in rows:
        w.writerow([principal, exam, unit, name, tokens.token_for(principal, secret)])
    if a.out:
        out = Path(a.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(buf.getvalue())
        print(f"wrote {len(rows)} tokens to {out} (mode 600: keep it secret)", file=sys.stderr)
    else:
        sys.stdout.write(buf.getvalue())
    return 0


def cmd_clock(a) -> int:
    landing = _landing(a)
    if a.clear:
        landing.write_clock(None)
        print("clock cleared: screens and the server follow real time")
    print(landing.read_clock().to_json())
    return 0


def cmd_simulate(a) -> int:
    from etl.feed.simulate import run

    return run(a)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m etl feed", description="live exam-day feed")
    sub = p.add_subparsers(dest="cmd", required=True)

    def common(sp, db=True):
        sp.add_argument("--landing", default=str(config.path("landing_dir")), help="landing area")
        if db:
            sp.add_argument(
                "--db", default=str(config.db_path()), help="database with the exam plan"
            )

    s = sub.add_parser("serve", help="HTTP endpoint + drop-folder loop")
    common(s)
    s.add_argument("--host", default=config.get("feed_host"))
    s.add_argument("--port", type=int, default=int(config.get("feed_port")))
    s.add_argument(
        "--drain-every", type=float, default=2.0, help="seconds between drop-folder scans"
    )
    s.add_argument(
        "--no-background", action="store_true", help="no drop-folder loop, no compaction"
    )
    s.add_argument("--access-log", action="store_true")
    s.set_defaults(fn=cmd_serve)

    d = sub.add_parser("drain", help="process the drop folder (inbox/) once")
    common(d)
    d.add_argument("--compact", action="store_true", help="compact the landing files afterwards")
    d.set_defaults(fn=cmd_drain)

    c = sub.add_parser("compact", help="merge small landing files")
    common(c)
    c.add_argument("--min-files", type=int, default=2)
    c.add_argument("--max-compacts", type=int, default=8)
    c.set_defaults(fn=cmd_compact)

    t = sub.add_parser("tokens", help="print (or export) the token of every site")
    common(t)
    t.add_argument("--site", action="append", help="only this site (repeatable)")
    t.add_argument("--out", help="write CSV here (mode 600) instead of stdout")
    t.set_defaults(fn=cmd_tokens)

    k = sub.add_parser("clock", help="show (or --clear) the simulation clock")
    common(k, db=False)
    k.add_argument("--clear", action="store_true", help="back to real time after a demo")
    k.set_defaults(fn=cmd_clock)

    m = sub.add_parser("simulate", help="replay an exam day through the endpoint")
    common(m)
    m.add_argument("--exam", choices=("gaokao", "zhongkao"), default="gaokao")
    m.add_argument("--speed", type=float, default=60.0, help="exam minutes per wall minute")
    m.add_argument("--url", default=None, help="endpoint (default http://FEED_HOST:FEED_PORT)")
    m.add_argument("--day", type=int, default=1, help="first exam day to replay (1 = first)")
    m.add_argument("--days", type=int, default=0, help="days to replay (0 = to the last day)")
    m.add_argument("--start", default="07:00", help="exam-clock time the replay starts at")
    m.add_argument("--seed", type=int, default=7)
    m.add_argument("--tick", type=float, default=1.0, help="wall seconds between sends")
    m.add_argument("--heartbeat-every", type=float, default=30.0, help="wall seconds per device")
    m.add_argument("--no-outage", action="store_true", help="no site network outage")
    m.add_argument("--reset", action="store_true", help="demo: move old landed events to archive/")
    m.add_argument("--max-wall", type=float, default=0, help="stop after this many wall seconds")
    m.set_defaults(fn=cmd_simulate)
    return p


def main(argv: list[str] | None = None) -> int:
    a = build_parser().parse_args(argv)
    return a.fn(a)
