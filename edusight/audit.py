"""Audit log: who did what, when. Append-only JSON lines, one event per line.

Events: login, login_failed, logout, export, explorer_query (and what issue-specific pages add).
Details never carry personal data from the database; an explorer query's SQL text is kept.
Writes are a single `write()` of one line on a file opened in append mode, so concurrent
sessions do not interleave within a line.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from edusight import config


def log_path() -> Path:
    return config.path("audit_log")


def current_user() -> str:
    """The signed-in user's name, or 'demo' when the app runs in demo mode without login."""
    try:
        import streamlit as st
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        if get_script_run_ctx(suppress_warning=True) is not None:
            return str(st.session_state.get("auth_user") or "demo")
    except Exception:
        pass
    return "system"


def record(event: str, user: str | None = None, **details: Any) -> dict:
    entry = {
        "time": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "user": user or current_user(),
        "event": event,
        **{
            k: (v if isinstance(v, (str, int, float, bool)) or v is None else str(v))
            for k, v in details.items()
        },
    }
    p = log_path()
    p.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(entry, ensure_ascii=False) + "\n"
    fd = os.open(p, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)
    return entry


def read(limit: int | None = None) -> list[dict]:
    p = log_path()
    if not p.exists():
        return []
    lines = p.read_text(encoding="utf-8").splitlines()
    if limit:
        lines = lines[-limit:]
    out = []
    for line in lines:
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return out
