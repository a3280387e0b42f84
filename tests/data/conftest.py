"""Data tests: a small dataset generated and built once by the real generator and ETL."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from etl.engine import build
from etl.generate import generate

TEST_KEY = b"edusight-data-test-key"


@dataclass
class Built:
    raw: Path
    db: Path
    manifest: dict
    report: list[dict]

    def con(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.db), read_only=True)


@pytest.fixture(scope="session")
def small(tmp_path_factory) -> Built:
    tmp = tmp_path_factory.mktemp("data")
    raw = tmp / "raw"
    generate(raw, scale=0.03, seed=11)
    res = build(raw, tmp / "edusight.duckdb", key=TEST_KEY)
    manifest = json.loads((raw / "manifest.json").read_text(encoding="utf-8"))
    return Built(raw, res.db_path, manifest, res.report)
