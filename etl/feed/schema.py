"""The live event schema: kinds, fields, rules, and the validator every path goes through.

An event is a flat JSON object. Common fields: ``event_id`` (unique; the idempotence key),
``kind``, ``site_code``, ``ts`` (ISO 8601; without an offset it is China Standard Time) and an
optional ``note``; then the fields of its kind (``FIELDS``). Unknown fields are refused, so a
typo never passes silently. docs/exam-feed.md is the reference for site-system vendors.

``validate(raw, …)`` returns either a landed row (typed, ``ts`` normalized to naive CST) or the
reason it is refused, e.g. ``missing:room_code``, ``out_of_range:seat_no``,
``unknown_room``. Referential checks (site, room, device, route exist in the exam plan) run when
a plan is given (``etl.feed.plan.Plan``).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from etl.feed.clock import to_local

if TYPE_CHECKING:
    from etl.feed.plan import Plan

ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,79}$")
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,39}$")

#: Exam incident categories (the emergency plans' list, domain §6).
INCIDENT_CATEGORIES: dict[str, str] = {
    "paper_leak": "试卷丢失/泄密",
    "mass_cheating": "群体舞弊",
    "traffic_comm": "交通/通信",
    "utilities": "水电",
    "natural_disaster": "自然灾害",
    "safety_accident": "安全事故",
    "public_order": "治安",
    "public_health": "公共卫生",
}
#: Alert severity, most severe first (the four emergency levels, 红橙黄蓝).
SEVERITIES = ("critical", "high", "medium", "low")
#: Device types that send heartbeats (codes of marts.exam_devices.device_type_code).
DEVICE_TYPES = ("camera", "id_reader", "face_terminal", "jammer", "metal_detector")
#: Paper-vehicle states reported by the GPS system.
VEHICLE_STATES = ("moving", "short_stop", "long_stop", "delivered")


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # str | code | int | float | enum
    values: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    max_len: int = 80


F = Field
COMMON = (F("event_id", "id"), F("kind", "str"), F("site_code", "code"), F("ts", "ts"))
OPTIONAL_COMMON = (F("note", "str", max_len=500),)

#: kind → (required fields, optional fields) beyond the common ones.
FIELDS: dict[str, tuple[tuple[Field, ...], tuple[Field, ...]]] = {
    "checkin": (
        (
            F("session_code", "code"),
            F("room_code", "code"),
            F("seat_no", "int", min=1, max=30),
            F("method", "enum", ("id_card", "face", "manual")),
            F("result", "enum", ("pass", "mismatch")),
        ),
        (),
    ),
    "absent": (
        (F("session_code", "code"), F("room_code", "code"), F("seat_no", "int", min=1, max=30)),
        (),
    ),
    "heartbeat": (
        (
            F("device_id", "code"),
            F("device_type", "enum", DEVICE_TYPES),
            F("status", "enum", ("online", "fault", "offline")),
        ),
        (F("room_code", "code"),),
    ),
    "radio": (
        (
            F("alert_id", "id"),
            F("status", "enum", ("detected", "located", "disposed")),
            F("frequency_mhz", "float", min=0.1, max=6000),
        ),
        (
            F("lon", "float", min=102.9, max=105.0),
            F("lat", "float", min=30.0, max=31.5),
            F("severity", "enum", SEVERITIES),
            F("room_code", "code"),
        ),
    ),
    "incident": (
        (
            F("alert_id", "id"),
            F("category", "enum", tuple(INCIDENT_CATEGORIES)),
            F("severity", "enum", SEVERITIES),
            F("status", "enum", ("reported", "handling", "resolved")),
        ),
        (F("room_code", "code"),),
    ),
    "custody": (
        (
            F("room_code", "code"),
            F("action", "enum", ("door_open", "door_close")),
            F("persons", "int", min=0, max=20),
        ),
        (),
    ),
    "transport": (
        (
            F("route_id", "code"),
            F("vehicle_id", "str", max_len=16),
            F("lon", "float", min=102.9, max=105.0),
            F("lat", "float", min=30.0, max=31.5),
            F("state", "enum", VEHICLE_STATES),
        ),
        (F("speed_kmh", "float", min=0, max=200),),
    ),
    "ack": ((F("alert_id", "str", max_len=120), F("user_name", "str", max_len=64)), ()),
}
KINDS = tuple(FIELDS)

#: Kinds each principal may send: a site's own systems, the city GPS platform, the command
#: centre (acknowledgements). Screens write acks straight to the landing area (source "screen").
SITE_KINDS = frozenset({"checkin", "absent", "heartbeat", "radio", "incident", "custody"})
PRINCIPAL_KINDS = {"gps": frozenset({"transport"}), "command": frozenset({"ack"})}

#: The landed Parquet schema: one wide table, a column per field (null when not used).
SCHEMA = pa.schema(
    [
        ("event_id", pa.string()),
        ("kind", pa.string()),
        ("site_code", pa.string()),
        ("ts", pa.timestamp("us")),
        ("received_at", pa.timestamp("us")),
        ("principal", pa.string()),
        ("source", pa.string()),
        ("session_code", pa.string()),
        ("room_code", pa.string()),
        ("seat_no", pa.int32()),
        ("method", pa.string()),
        ("result", pa.string()),
        ("device_id", pa.string()),
        ("device_type", pa.string()),
        ("status", pa.string()),
        ("alert_id", pa.string()),
        ("category", pa.string()),
        ("severity", pa.string()),
        ("frequency_mhz", pa.float64()),
        ("lon", pa.float64()),
        ("lat", pa.float64()),
        ("action", pa.string()),
        ("persons", pa.int32()),
        ("route_id", pa.string()),
        ("vehicle_id", pa.string()),
        ("state", pa.string()),
        ("speed_kmh", pa.float64()),
        ("user_name", pa.string()),
        ("note", pa.string()),
    ]
)
COLUMNS = tuple(SCHEMA.names)
_SERVER_FIELDS = {"received_at", "principal", "source"}


class Invalid(ValueError):
    """An event is refused; ``reason`` is a short machine-readable code."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def allowed_kinds(principal: str) -> frozenset[str]:
    return PRINCIPAL_KINDS.get(principal, SITE_KINDS)


def _value(f: Field, v: Any) -> Any:
    if v is None:
        raise Invalid(f"missing:{f.name}")
    if f.type in ("str", "id", "code", "enum"):
        if not isinstance(v, str):
            raise Invalid(f"bad_type:{f.name}")
        v = v.strip()
        if not v:
            raise Invalid(f"missing:{f.name}")
        if len(v) > f.max_len:
            raise Invalid(f"too_long:{f.name}")
        if f.type == "id" and not ID_RE.match(v):
            raise Invalid(f"bad_format:{f.name}")
        if f.type == "code" and not CODE_RE.match(v):
            raise Invalid(f"bad_format:{f.name}")
        if f.type == "enum" and v not in f.values:
            raise Invalid(f"bad_value:{f.name}")
        return v
    if f.type in ("int", "float"):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise Invalid(f"bad_type:{f.name}")
        if f.type == "int":
            if isinstance(v, float):
                if not v.is_integer():
                    raise Invalid(f"bad_type:{f.name}")
                v = int(v)
        else:
            v = float(v)
            if not math.isfinite(v):
                raise Invalid(f"bad_type:{f.name}")
        if (f.min is not None and v < f.min) or (f.max is not None and v > f.max):
            raise Invalid(f"out_of_range:{f.name}")
        return v
    if f.type == "ts":
        if not isinstance(v, str) or len(v) > 40:
            raise Invalid("bad_timestamp")
        try:
            t = dt.datetime.fromisoformat(v.strip())
        except ValueError:
            raise Invalid("bad_timestamp") from None
        return to_local(t)
    raise AssertionError(f.type)


def validate(
    raw: Any,
    *,
    principal: str,
    exam_now: dt.datetime,
    plan: Plan | None = None,
    max_future: dt.timedelta = dt.timedelta(minutes=5),
    max_age: dt.timedelta = dt.timedelta(days=7),
) -> dict[str, Any]:
    """The landed row of one raw event (server fields not yet set); raises ``Invalid``.

    ``principal`` is who the token belongs to: a site code, ``gps`` or ``command``. A site may
    send events about itself only. ``exam_now`` is the exam clock: an event more than
    ``max_future`` ahead of it, or older than ``max_age``, is refused.
    """
    if not isinstance(raw, Mapping):
        raise Invalid("not_an_object")
    kind = raw.get("kind")
    if kind not in FIELDS:
        raise Invalid("bad_value:kind" if kind is not None else "missing:kind")
    required, optional = FIELDS[kind]
    known = {f.name for f in (*COMMON, *OPTIONAL_COMMON, *required, *optional)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise Invalid(f"unknown_field:{unknown[0][:40]}")
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    for f in (*COMMON, *required):
        row[f.name] = _value(f, raw.get(f.name))
    for f in (*OPTIONAL_COMMON, *optional):
        if raw.get(f.name) is not None:
            row[f.name] = _value(f, raw[f.name])

    if kind not in allowed_kinds(principal):
        raise Invalid("kind_not_permitted")
    if principal not in PRINCIPAL_KINDS and row["site_code"] != principal:
        raise Invalid("site_not_permitted")
    if row["ts"] > exam_now + max_future:
        raise Invalid("ts_in_future")
    if row["ts"] < exam_now - max_age:
        raise Invalid("ts_too_old")
    if kind == "radio" and row["status"] == "located" and row["lon"] is None:
        raise Invalid("missing:lon")
    if kind == "radio" and row["severity"] is None:
        row["severity"] = "high"
    if plan is not None:
        plan.check(row)
    return row


def as_table(rows: list[dict[str, Any]]) -> pa.Table:
    """Landed rows → an Arrow table of ``SCHEMA``."""
    return pa.Table.from_pylist(rows, schema=SCHEMA)


def server_fields() -> set[str]:
    return set(_SERVER_FIELDS)
