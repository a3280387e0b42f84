"""What the page tests share: opening a page the way a viewer does, through app.py."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def open_app_page(path: str, timeout_s: int = 90, **query: str) -> AppTest:
    """Run app.py with ``query`` in the URL (``lang="en"`` …), then switch to the page at
    ``path``; fails on an exception in either run."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout_s)
    at.query_params.update(query)
    at.run()
    at.switch_page(path).run()
    assert not at.exception, [e.value for e in at.exception]
    return at
