"""Calendar of the synthetic registry: when courses start, the data cut-off, local clock time."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

FIRST_START_DAY = date(2023, 1, 1)
LAST_START_DAY = date(2025, 12, 31)
CUTOFF_DAY = date(2026, 3, 31)
"""The export's data cut-off: nothing after this local date exists yet."""

START_SPAN_DAYS = (LAST_START_DAY - FIRST_START_DAY).days
_EPOCH_DAY = date(1970, 1, 1)


class LocalClock:
    """Turns local calendar times into UTC epoch seconds and epoch seconds into ISO 8601 text."""

    __slots__ = ("_cutoff_s", "_hours", "_midnights", "_tz")

    def __init__(self, time_zone: ZoneInfo) -> None:
        self._tz = time_zone
        # An export converts millions of instants; these caches make that several times faster
        # than datetime arithmetic. UTC hour -> (UTC offset in seconds, local text up to the hour,
        # offset text); local day -> (epoch seconds of its midnight, UTC offset then).
        self._hours: dict[int, tuple[int | None, str, str]] = {}
        self._midnights: dict[date, tuple[int, int]] = {}
        self._cutoff_s = self.instant(CUTOFF_DAY + timedelta(days=1), 0)

    @property
    def cutoff_s(self) -> int:
        """Return the first instant after the data cut-off."""
        return self._cutoff_s

    def instant(self, day: date, minute_of_day: int) -> int:
        """Return the epoch seconds of a local wall-clock time (minutes after local midnight)."""
        midnight = self._midnights.get(day)
        if midnight is None:
            midnight_s = self._slow_instant(day, 0)
            wall_s = (day - _EPOCH_DAY).days * 86400
            midnight = self._midnights[day] = (midnight_s, wall_s - midnight_s)
        guess_s = midnight[0] + 60 * minute_of_day
        if self._hour(guess_s // 3600)[0] == midnight[1]:
            return guess_s  # the day's offset still holds: the usual case
        return self._slow_instant(day, minute_of_day)  # a daylight-saving change that day

    def iso(self, at_s: int) -> str:
        """Return an instant as ISO 8601 with its local UTC offset (2024-03-05T09:30:00+01:00)."""
        hour, second = divmod(at_s, 3600)
        parts = self._hours.get(hour) or self._hour(hour)
        if not parts[1]:
            return datetime.fromtimestamp(at_s, self._tz).isoformat()
        minute, second = divmod(second, 60)
        return f"{parts[1]}{minute:02d}:{second:02d}{parts[2]}"

    def _slow_instant(self, day: date, minute_of_day: int) -> int:
        """The exact conversion through zoneinfo (fold=0 for ambiguous and skipped times)."""
        hour, minute = divmod(minute_of_day, 60)
        local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=self._tz)
        return int(local.timestamp())

    def _hour(self, hour: int) -> tuple[int | None, str, str]:
        """(offset s or None if it changes in the hour, local text to the hour or "", offset text)."""
        parts = self._hours.get(hour)
        if parts is None:
            local = datetime.fromtimestamp(hour * 3600, self._tz)
            offset = local.utcoffset()
            offset_s = int(offset.total_seconds()) if offset is not None else 0
            if datetime.fromtimestamp(hour * 3600 + 3599, self._tz).utcoffset() != offset:
                parts = (None, "", "")
            else:
                text = local.isoformat()
                parts = (offset_s, text[:14] if offset_s % 3600 == 0 else "", text[19:])
            self._hours[hour] = parts
        return parts

    def local_day(self, at_s: int) -> date:
        """Return the local calendar date of an instant."""
        return datetime.fromtimestamp(at_s, self._tz).date()
