"""Calendar of the synthetic registry: when courses may start, the data cut-off, local clock times."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

FIRST_START_DAY = date(2023, 1, 1)
LAST_START_DAY = date(2025, 12, 31)
CUTOFF_DAY = date(2026, 3, 31)
"""The export's data cut-off: nothing after this local date exists yet."""

START_SPAN_DAYS = (LAST_START_DAY - FIRST_START_DAY).days


class LocalClock:
    """Turns local calendar times into UTC epoch seconds and epoch seconds into ISO 8601 text."""

    __slots__ = ("_cutoff_s", "_tz")

    def __init__(self, time_zone: ZoneInfo) -> None:
        self._tz = time_zone
        self._cutoff_s = self.instant(CUTOFF_DAY + timedelta(days=1), 0)

    @property
    def cutoff_s(self) -> int:
        """Return the first instant after the data cut-off."""
        return self._cutoff_s

    def instant(self, day: date, minute_of_day: int) -> int:
        """Return the epoch seconds of a local wall-clock time (minutes after local midnight)."""
        hour, minute = divmod(minute_of_day, 60)
        return int(
            datetime(day.year, day.month, day.day, hour, minute, tzinfo=self._tz).timestamp()
        )

    def iso(self, at_s: int) -> str:
        """Return an instant as ISO 8601 with the local UTC offset, e.g. 2024-03-05T09:30:00+01:00."""
        return datetime.fromtimestamp(at_s, self._tz).isoformat()

    def local_day(self, at_s: int) -> date:
        """Return the local calendar date of an instant."""
        return datetime.fromtimestamp(at_s, self._tz).date()
