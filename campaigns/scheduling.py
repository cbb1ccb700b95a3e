"""When a step is due: delays and send windows, as pure functions of step, time and zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class SendWindow:
    """The local hours and weekdays in which a step may go out."""

    start_hour: int = 9  # inclusive
    end_hour: int = 17  # exclusive; 24 means until midnight
    weekdays: int = 0b1111111  # bit 0 is Monday

    def allows(self, local: datetime) -> bool:
        """Tell whether the local time `local` is inside the window."""
        return bool(self.weekdays >> local.weekday() & 1) and (self.start_hour <= local.hour < self.end_hour)

    def describe(self) -> str:
        """Say the window in words, for the admin ("Mon-Fri 09:00-17:00", "Mon, Wed 08:00-12:00")."""
        runs: list[list[str]] = []  # consecutive days, named
        for day in range(7):
            if self.weekdays >> day & 1:
                if runs and self.weekdays >> (day - 1) & 1:  # runs is empty on Monday
                    runs[-1].append(WEEKDAY_NAMES[day])
                else:
                    runs.append([WEEKDAY_NAMES[day]])
        spans = [f"{run[0]}-{run[-1]}" if len(run) > 2 else ", ".join(run) for run in runs]
        days = "every day" if spans == ["Mon-Sun"] else ", ".join(spans) or "never"
        return f"{days} {self.start_hour:02d}:00-{self.end_hour:02d}:00"


def next_allowed_moment(due: datetime, window: SendWindow, zone: ZoneInfo) -> datetime:
    """Return `due` if the window allows it, else the window's next opening, in UTC.

    Works in local wall-clock time, so a window of 9-17 stays 9-17 across daylight-saving
    changes; an opening that falls in a DST gap moves to the first real instant after it.
    """
    if not window.weekdays or window.start_hour >= window.end_hour:
        raise ValueError("the send window allows no time at all")
    local = due.astimezone(zone)
    if window.allows(local):
        return due.astimezone(UTC)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    for offset in range(8):
        candidate_day = day + timedelta(days=offset)
        opening = candidate_day.replace(hour=window.start_hour).replace(tzinfo=zone)
        if not window.weekdays >> candidate_day.weekday() & 1:
            continue
        opening = _resolve_wall_time(opening)
        if opening > local:
            return opening.astimezone(UTC)
    raise AssertionError("a window with at least one weekday opens within eight days")


def _resolve_wall_time(local: datetime) -> datetime:
    """Map a wall-clock time that does not exist (a DST gap) to the first instant after it."""
    round_trip = local.astimezone(UTC).astimezone(local.tzinfo)
    if round_trip.replace(tzinfo=None) == local.replace(tzinfo=None):
        return local
    return round_trip if round_trip > local else local + timedelta(hours=1)


def due_time(after: datetime, delay_minutes: int, window: SendWindow, zone: ZoneInfo) -> datetime:
    """Return when a step is due: `delay_minutes` after `after`, moved into the window."""
    return next_allowed_moment(after + timedelta(minutes=delay_minutes), window, zone)
