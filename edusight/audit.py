"""Audit log: who did what, when. Append-only JSON lines, one event per line.

Events (``EVENTS``): sign-ins (``login``, ``login_failed``, ``login_locked``), ``logout``,
``session_expired``, ``account_changed``, ``access_denied``, ``export``, ``explorer_query``,
and the account changes made on the command line. Each line has ``time`` (ISO 8601 with the
UTC offset), ``user`` and ``event`` plus event details. Details never carry personal data from the
database; an explorer query's SQL text is kept (truncated to ``MAX_TEXT`` characters).
Writes are a single ``write()`` of one line on a file opened in append mode, so concurrent
sessions do not interleave within a line. Administrators read it on the audit-log page.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import deque
from pathlib import Path
from typing import Any

import pandas as pd

from edusight import config
from edusight.i18n import N_

MAX_TEXT = 4000  # characters kept of a text detail (an explorer query)
READ_LIMIT = 50_000  # lines the audit-log page reads (the newest)

EVENTS: dict[str, str] = {
    "login": N_("audit.event.login"),
    "login_failed": N_("audit.event.login_failed"),
    "login_locked": N_("audit.event.login_locked"),
    "logout": N_("audit.event.logout"),
    "session_expired": N_("audit.event.session_expired"),
    "account_changed": N_("audit.event.account_changed"),
    "access_denied": N_("audit.event.access_denied"),
    "export": N_("audit.event.export"),
    "explorer_query": N_("audit.event.explorer_query"),
    "account_added": N_("audit.event.account_added"),
    "account_removed": N_("audit.event.account_removed"),
    "account_password_set": N_("audit.event.account_password_set"),
}
BASE_FIELDS = ("time", "user", "event")


def log_path() -> Path:
    return config.path("audit_log")


def current_user() -> str:
    """The signed-in user's name ("demo" in demo mode, "system" outside a Streamlit run)."""
    try:
        from edusight import auth

        return auth.current_user_name()
    except Exception:
        return "system"


def _plain(v: Any) -> Any:
    if v is None or isinstance(v, (bool, int, float)):
        return v
    text = str(v)
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"


def record(event: str, user: str | None = None, **details: Any) -> dict:
    entry = {
        "time": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "user": user or current_user(),
        "event": event,
        **{k: _plain(v) for k, v in details.items() if k not in BASE_FIELDS},
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
    """The log's events, oldest first (the newest ``limit`` when given)."""
    p = log_path()
    if not p.exists():
        return []
    with open(p, encoding="utf-8", errors="replace") as f:
        lines = deque(f, maxlen=limit) if limit else f.readlines()
    out = []
    for line in lines:
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(entry, dict):
            out.append(entry)
    return out


def to_frame(events: list[dict]) -> pd.DataFrame:
    """time (timestamp), user, event, details (the other fields as ``key=value; …`` text)."""
    rows = []
    for e in events:
        extra = {k: v for k, v in e.items() if k not in BASE_FIELDS}
        rows.append(
            {
                "time": e.get("time"),
                "user": str(e.get("user", "")),
                "event": str(e.get("event", "")),
                "details": "; ".join(f"{k}={v}" for k, v in extra.items()),
            }
        )
    df = pd.DataFrame(rows, columns=["time", "user", "event", "details"])
    df["time"] = pd.to_datetime(df["time"], errors="coerce", utc=True, format="ISO8601")
    return df


def filter_frame(
    df: pd.DataFrame,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    events: list[str] | None = None,
    user: str | None = None,
    text: str = "",
    tz: dt.tzinfo | None = None,
) -> pd.DataFrame:
    """Rows between two dates (inclusive, in ``tz``, default local time), of the given events
    and user, whose details contain ``text`` (case-insensitive); newest first."""
    out = df
    if start or end:
        local = out["time"].dt.tz_convert(tz or dt.datetime.now().astimezone().tzinfo)
        day = local.dt.date
        keep = pd.Series(True, index=out.index)
        if start:
            keep &= day >= start
        if end:
            keep &= day <= end
        out = out[keep]
    if events:
        out = out[out["event"].isin(events)]
    if user:
        out = out[out["user"] == user]
    if text:
        out = out[out["details"].str.contains(text, case=False, regex=False)]
    return out.iloc[::-1].sort_values("time", ascending=False, kind="stable")  # ties: newest first
