"""Shared fixtures.

- ``built_db`` (session): a small database built by the REAL ETL from seeded demo data:
  ``python -m etl generate --scale 0.02 --seed 7 --out <tmp>/raw`` then
  ``python -m etl build --raw <tmp>/raw --db <tmp>/edusight.duckdb``; ``EDUSIGHT_DB`` points at
  it for the rest of the session. Set ``EDUSIGHT_TEST_DB=<file>`` to reuse a database you built
  already (faster local runs); CI builds it.
- ``fixture_db`` (session): the tiny hand-made database of ``tests/fixture_db.py`` for unit tests
  of the query layer (known edge cases, milliseconds to build). It does not touch EDUSIGHT_DB.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def pytest_configure(config: pytest.Config) -> None:
    """Keep the developer's own accounts, login state and audit log out of the test run: the
    tests see demo mode (no users file) unless a test points these somewhere itself."""
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix="edusight-test-"))
    os.environ["EDUSIGHT_USERS_FILE"] = str(tmp / "no-users.toml")
    os.environ["EDUSIGHT_LOGIN_STATE"] = str(tmp / "login-state.json")
    os.environ["EDUSIGHT_AUDIT_LOG"] = str(tmp / "audit.jsonl")


TEST_SCALE = "0.02"
TEST_SEED = "7"
ETL_TIMEOUT_S = 900


def _etl(args: list[str], env: dict[str, str]) -> None:
    cmd = [sys.executable, "-m", "etl", *args]
    proc = subprocess.run(
        cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=ETL_TIMEOUT_S
    )
    if proc.returncode != 0:
        pytest.fail(
            f"`{' '.join(cmd[1:])}` failed with exit code {proc.returncode}\n"
            f"--- stdout ---\n{proc.stdout[-4000:]}\n--- stderr ---\n{proc.stderr[-4000:]}",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def built_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Path of a database built by the real ETL; EDUSIGHT_DB is set to it for the session."""
    reuse = os.environ.get("EDUSIGHT_TEST_DB")
    if reuse:
        db = Path(reuse).resolve()
        if not db.is_file():
            pytest.fail(f"EDUSIGHT_TEST_DB={reuse} does not exist", pytrace=False)
    else:
        tmp = tmp_path_factory.mktemp("etl")
        raw, db = tmp / "raw", tmp / "edusight.duckdb"
        # a fixed key: the build must not create .secrets/ in the working tree
        env = {**os.environ, "EDUSIGHT_PSEUDO_KEY": "edusight-test-key"}
        _etl(["generate", "--scale", TEST_SCALE, "--seed", TEST_SEED, "--out", str(raw)], env)
        _etl(["build", "--raw", str(raw), "--db", str(db)], env)
    old = os.environ.get("EDUSIGHT_DB")
    os.environ["EDUSIGHT_DB"] = str(db)
    yield db
    if old is None:
        os.environ.pop("EDUSIGHT_DB", None)
    else:
        os.environ["EDUSIGHT_DB"] = old


@pytest.fixture(scope="session")
def fixture_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny deterministic database of tests/fixture_db.py (for query-layer unit tests)."""
    from tests.fixture_db import make_fixture_db

    return make_fixture_db(tmp_path_factory.mktemp("fixture") / "fixture.duckdb")
