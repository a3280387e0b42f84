"""The exam plan the validator checks events against: sites, rooms, devices, routes, sessions.

Loaded once from the analytics database's marts (``marts.exam_*``, built by the ETL) into
plain dictionaries, then the connection is closed (a held read-only connection would not block
the ETL's build-and-swap, but there is no need to hold one). ``PlanSource`` reloads it when the
database file is swapped.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from etl.feed.schema import Invalid


@dataclass
class Plan:
    sites: dict[str, str] = field(default_factory=dict)  # site_code → exam (高考/中考)
    rooms: dict[str, tuple[str, str, int]] = field(default_factory=dict)  # → site, type, seats
    devices: dict[str, tuple[str, str]] = field(default_factory=dict)  # → site, type code
    routes: dict[str, tuple[str, str]] = field(default_factory=dict)  # → site, vehicle
    sessions: dict[str, str] = field(default_factory=dict)  # session_code → exam

    def check(self, row: dict[str, Any]) -> None:
        """Referential checks of a validated row; raises ``Invalid``."""
        site = row["site_code"]
        if site not in self.sites:
            raise Invalid("unknown_site")
        kind = row["kind"]
        session = row.get("session_code")
        if session is not None and self.sessions.get(session) != self.sites[site]:
            raise Invalid("unknown_session")
        room = row.get("room_code")
        if room is not None:
            r = self.rooms.get(room)
            if r is None:
                raise Invalid("unknown_room")
            if r[0] != site:
                raise Invalid("room_not_in_site")
            if kind in ("checkin", "absent"):
                if r[1] != "考场":
                    raise Invalid("not_an_exam_room")
                if row["seat_no"] > r[2]:
                    raise Invalid("out_of_range:seat_no")
            if kind == "custody" and r[1] != "保密室":
                raise Invalid("not_a_secure_room")
        if kind == "heartbeat":
            d = self.devices.get(row["device_id"])
            if d is None:
                raise Invalid("unknown_device")
            if d[0] != site:
                raise Invalid("device_not_in_site")
            if d[1] != row["device_type"]:
                raise Invalid("device_type_mismatch")
        if kind == "transport":
            rt = self.routes.get(row["route_id"])
            if rt is None:
                raise Invalid("unknown_route")
            if rt[0] != site:
                raise Invalid("route_not_in_site")
            if rt[1] != row["vehicle_id"]:
                raise Invalid("vehicle_mismatch")


def load_plan(db_path: Path | str) -> Plan:
    """The plan from ``marts.exam_*`` of a built database (read-only, closed afterwards)."""
    import duckdb

    with duckdb.connect(str(db_path), read_only=True) as con:
        p = Plan()
        p.sites = dict(con.execute("SELECT site_code, exam FROM marts.exam_sites").fetchall())
        p.rooms = {
            r[0]: (r[1], r[2], int(r[3]))
            for r in con.execute(
                "SELECT room_code, site_code, room_type, candidates FROM marts.exam_rooms"
            ).fetchall()
        }
        p.devices = {
            r[0]: (r[1], r[2])
            for r in con.execute(
                "SELECT device_id, site_code, device_type_code FROM marts.exam_devices"
            ).fetchall()
        }
        p.routes = {
            r[0]: (r[1], r[2])
            for r in con.execute(
                "SELECT route_id, site_code, vehicle_id FROM marts.exam_routes"
            ).fetchall()
        }
        p.sessions = dict(
            con.execute("SELECT DISTINCT session_code, exam FROM marts.exam_sessions").fetchall()
        )
    return p


class PlanSource:
    """The plan of a database file, reloaded when the file is swapped (checked on ``get``)."""

    def __init__(self, db_path: Path | str | None) -> None:
        self.db_path = Path(db_path) if db_path else None
        self._key: tuple[int, int] | None = None
        self._plan: Plan | None = None
        self.error: str | None = None

    def get(self) -> Plan | None:
        if self.db_path is None:
            return None
        try:
            st = os.stat(self.db_path)
        except OSError as e:
            self.error = f"{self.db_path}: {e.strerror}"
            return self._plan
        key = (st.st_ino, st.st_mtime_ns)
        if key != self._key:
            try:
                self._plan = load_plan(self.db_path)
                self._key = key
                self.error = None
            except Exception as e:  # a database being swapped or built by an older ETL
                self.error = f"{self.db_path}: {e}"
        return self._plan
