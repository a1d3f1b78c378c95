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

    __slots__ = ("_cutoff_s", "_hours", "_tz")

    def __init__(self, time_zone: ZoneInfo) -> None:
        self._tz = time_zone
        self._cutoff_s = self.instant(CUTOFF_DAY + timedelta(days=1), 0)
        # UTC hour -> (local text up to the hour, offset text): an export formats millions of
        # instants, several times faster from these parts than with datetime.isoformat; valid
        # where offsets are whole hours (others fall back), which changes happen on anyway
        self._hours: dict[int, tuple[str, str]] = {}

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
        hour, second = divmod(at_s, 3600)
        parts = self._hours.get(hour)
        if parts is None:
            local = datetime.fromtimestamp(hour * 3600, self._tz)
            if local.minute:  # an offset that is not a whole hour: format in full
                return datetime.fromtimestamp(at_s, self._tz).isoformat()
            text = local.isoformat()
            parts = self._hours[hour] = (text[:14], text[19:])
        minute, second = divmod(second, 60)
        return f"{parts[0]}{minute:02d}:{second:02d}{parts[1]}"

    def local_day(self, at_s: int) -> date:
        """Return the local calendar date of an instant."""
        return datetime.fromtimestamp(at_s, self._tz).date()
