"""The exam clock: real time on an exam day, or a simulation's clock mapped onto now.

All times in the feed are China Standard Time (UTC+8, no daylight saving) stored as naive
timestamps, like the exam plan's (``2022-06-07 09:00``). Event times (``ts``) are on the *exam
clock*; ``received_at`` is on the wall clock.

On a real exam day there is no clock file: the exam clock is the wall clock. The simulator
(``python -m etl feed simulate``) replays an exam day *today* at ``speed``×: it stores its clock
in the landing area (``clock.json``) as an anchor pair (wall time, exam time), the speed and
the day shift (days added to the plan's dates so that the replayed day is today). The server
and every screen read the same file, so a demo shows a live exam day whatever the plan's year.

    exam_now = anchor_exam + (wall_now - anchor_wall) × speed
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from typing import Any

EXAM_TZ = dt.timezone(dt.timedelta(hours=8), "CST")


def wall_now() -> dt.datetime:
    """The wall clock in China Standard Time, naive (microseconds)."""
    return dt.datetime.now(EXAM_TZ).replace(tzinfo=None)


def to_local(value: dt.datetime) -> dt.datetime:
    """An aware datetime → naive China Standard Time; a naive one is taken as CST already."""
    if value.tzinfo is not None:
        value = value.astimezone(EXAM_TZ).replace(tzinfo=None)
    return value


@dataclass(frozen=True)
class Clock:
    """The exam clock. ``Clock()`` is real time (speed 1, no shift)."""

    speed: float = 1.0
    anchor_wall: dt.datetime | None = None  # naive CST
    anchor_exam: dt.datetime | None = None  # naive CST, on the exam clock
    day_shift_days: int = 0  # plan date + shift = the exam clock's date
    exam: str | None = None  # 高考 / 中考: the exam being simulated
    run_id: str | None = None
    ended_wall: dt.datetime | None = None  # the simulator stopped at this wall time

    @property
    def is_simulated(self) -> bool:
        return self.anchor_wall is not None and self.anchor_exam is not None

    @property
    def has_ended(self) -> bool:
        return self.ended_wall is not None

    def now(self, wall: dt.datetime | None = None) -> dt.datetime:
        """Exam-clock time at wall time ``wall`` (default: now). A simulation that has ended
        stays at its last moment (its screens keep showing the end of the replayed day)."""
        wall = wall_now() if wall is None else wall
        if not self.is_simulated:
            return wall
        if self.ended_wall is not None and wall > self.ended_wall:
            wall = self.ended_wall
        return self.anchor_exam + (wall - self.anchor_wall) * self.speed

    def wall_of(self, exam_time: dt.datetime) -> dt.datetime:
        """The wall time at which the exam clock shows ``exam_time``."""
        if not self.is_simulated:
            return exam_time
        return self.anchor_wall + (exam_time - self.anchor_exam) / self.speed

    def exam_seconds(self, wall_seconds: float) -> float:
        """A wall-clock duration expressed on the exam clock (× speed)."""
        return wall_seconds * (self.speed if self.is_simulated else 1.0)

    def shift(self, plan_time: dt.datetime) -> dt.datetime:
        """A plan time (e.g. a session start in 2022) on the exam clock's calendar."""
        return plan_time + dt.timedelta(days=self.day_shift_days)

    # --- storage ----------------------------------------------------------------------------

    def to_json(self) -> str:
        d: dict[str, Any] = asdict(self)
        for k in ("anchor_wall", "anchor_exam", "ended_wall"):
            if d[k] is not None:
                d[k] = d[k].isoformat()
        return json.dumps(d, ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> Clock:
        d = json.loads(text)
        if not isinstance(d, dict):
            raise ValueError("clock file is not a JSON object")
        kw: dict[str, Any] = {}
        for k in ("anchor_wall", "anchor_exam", "ended_wall"):
            v = d.get(k)
            kw[k] = to_local(dt.datetime.fromisoformat(v)) if v else None
        speed = float(d.get("speed", 1.0))
        if not 0 < speed <= 10_000:
            raise ValueError(f"clock speed {speed} out of range")
        return cls(
            speed=speed,
            day_shift_days=int(d.get("day_shift_days", 0)),
            exam=d.get("exam") or None,
            run_id=d.get("run_id") or None,
            **kw,
        )


REAL = Clock()


def simulation(
    *,
    exam: str,
    plan_day: dt.date,
    start: dt.time,
    speed: float,
    run_id: str,
    wall: dt.datetime | None = None,
    today: dt.date | None = None,
) -> Clock:
    """A simulation clock: the plan's exam day ``plan_day`` replayed today from ``start``."""
    wall = wall_now() if wall is None else wall
    today = wall.date() if today is None else today
    return Clock(
        speed=speed,
        anchor_wall=wall,
        anchor_exam=dt.datetime.combine(today, start),
        day_shift_days=(today - plan_day).days,
        exam=exam,
        run_id=run_id,
    )
