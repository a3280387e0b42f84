"""Real-browser fixtures: a served app on a free port and Debian's Chromium through Playwright.

Never run `playwright install` (no browser downloads here): the system Chromium is used,
`/usr/bin/chromium` or EDUSIGHT_CHROMIUM. Without it the tests are skipped with a warning,
except under CI (env CI set), where that is a failure.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = os.environ.get("EDUSIGHT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SERVER_START_TIMEOUT_S = 60
EXPECT_TIMEOUT_MS = 30_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as r:
            return r.status == 200 and r.read().strip() == b"ok"
    except OSError:
        return False


@pytest.fixture(scope="session")
def chromium() -> str:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    reason = (
        f"Chromium not found at {CHROMIUM}: browser tests NOT RUN. "
        "Install it with `apt-get install -y chromium fonts-noto-cjk` (never `playwright install`)."
    )
    if os.environ.get("CI"):
        pytest.fail(reason, pytrace=False)
    print(f"\n*** WARNING: {reason}\n", file=sys.stderr)
    warnings.warn(reason, stacklevel=1)
    pytest.skip(reason)


@contextmanager
def serve(db: Path, log: Path) -> Iterator[str]:
    """Run `streamlit run app.py` on a free port against ``db``; yield its base URL."""
    port = _free_port()
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
    ]
    env = {**os.environ, "EDUSIGHT_DB": str(db)}
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(SERVER_START_TIMEOUT_S * 5):
            if _healthy(f"{base}/_stcore/health"):
                break
            try:  # waits 0.2 s, and notices a server that died
                proc.wait(timeout=0.2)
                pytest.fail(f"streamlit exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
            except subprocess.TimeoutExpired:
                pass
        else:
            pytest.fail(
                f"streamlit not healthy after {SERVER_START_TIMEOUT_S}s:\n{log.read_text()}"
            )
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def server(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a served app (session-wide) reading the built database."""
    with serve(built_db, tmp_path_factory.mktemp("server") / "streamlit.log") as base:
        yield base


@pytest.fixture
def fresh_server(built_db: Path, tmp_path: Path) -> Iterator[str]:
    """A server of its own (fresh process state: nothing requested yet) for one test."""
    with serve(built_db, tmp_path / "streamlit.log") as base:
        yield base


@pytest.fixture(scope="session")
def browser(chromium: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """A failed browser test says what its pages went through and leaves a screenshot of each."""
    report = yield
    pages = getattr(item, "_es_pages", None)
    if report.when == "call" and report.failed and pages:
        lines = []
        for i, (pg, events) in enumerate(pages):
            shot = SCREENSHOTS / "failures" / f"{item.name}-{i}.png"
            try:
                shot.parent.mkdir(parents=True, exist_ok=True)
                pg.screenshot(path=shot, full_page=True)
                where = f"{pg.url} (screenshot {shot.relative_to(ROOT)})"
            except Exception as e:  # a crashed or closed page cannot be shot: say so
                where = f"{pg.url} (no screenshot: {type(e).__name__}: {str(e)[:200]})"
            lines += [f"page {i}: {where}", *(f"  {e}" for e in events[-40:])]
        report.sections.append(("browser events", "\n".join(lines)))
    return report


@pytest.fixture
def new_page(browser, request):
    """A factory of fresh browser pages (own context each), closed after the test. Each page's
    navigations, crashes, script errors and console errors are kept for the failure report."""
    from playwright.sync_api import expect

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    contexts = []
    request.node._es_pages = []

    def make():
        context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
        contexts.append(context)
        pg = context.new_page()
        events: list[str] = []

        def note(what: str) -> None:
            events.append(f"{time.strftime('%H:%M:%S')} {what}")

        pg.on("framenavigated", lambda f: f.parent_frame is None and note(f"navigated {f.url}"))
        pg.on("crash", lambda _: note("CRASHED"))
        pg.on("pageerror", lambda e: note(f"page error {e}"))
        pg.on("console", lambda m: m.type == "error" and note(f"console error {m.text[:300]}"))
        pg.on("response", lambda r: r.status >= 400 and note(f"HTTP {r.status} {r.url}"))
        request.node._es_pages.append((pg, events))
        return pg

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page, server):
    return new_page()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
