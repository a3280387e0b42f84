"""Demo data: realistic Chengdu exports, deterministic per seed (`python -m etl generate`).

Modules run in the order listed in MODULES; each gets the shared Context (units, reference data,
frames of earlier modules) and writes its sources through `ctx.write`, which adds realistic dirt
and records the rows that must be quarantined in manifest.json.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd

from edusight import config
from etl.generate import core, exams, indicators, resources, security, training
from etl.generate.common import Context, Dirt, write_manifest

MODULES = [core, training, resources, indicators, exams, security]
DEFAULT_AS_OF = dt.date(2022, 6, 30)


def generate(
    out: Path,
    scale: float = 1.0,
    seed: int = 2021,
    as_of: dt.date = DEFAULT_AS_OF,
    *,
    dirt: Dirt | None = None,
    progress=None,
) -> Context:
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    ctx = Context(out=out, scale=scale, seed=seed, as_of=as_of, dirt=dirt or Dirt())
    ref = config.reference_dir()
    for name in ("units", "bulletin_2021", "school_types", "campus_criteria", "categories"):
        df = pd.read_csv(ref / f"{name}.csv", dtype={"unit_code": str, "host_division_code": str})
        ctx.frames[name.replace("_2021", "")] = df
    say = progress or (lambda step: None)
    for m in MODULES:
        m.generate(ctx, say)
    write_manifest(ctx)
    (out / ".complete").write_text("ok\n")
    return ctx
