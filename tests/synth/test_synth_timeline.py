"""The local clock: cached conversions agree exactly with zoneinfo, daylight-saving days included."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.synth.timeline import CUTOFF_DAY, LocalClock

ZONES = ["Europe/Oslo", "Europe/Lisbon", "UTC", "America/St_Johns", "America/Santiago"]
# spring-forward and fall-back days of 2024 in Europe, Newfoundland and Chile
DAYS = [date(2024, 3, 31), date(2024, 10, 27), date(2024, 3, 10), date(2024, 11, 3)]
DAYS += [date(2024, 4, 6), date(2024, 4, 7), date(2024, 9, 7), date(2024, 9, 8), date(2024, 6, 1)]


@pytest.mark.parametrize("zone", ZONES)
def test_instant_matches_zoneinfo_on_every_minute_of_dst_days(zone: str) -> None:
    tz = ZoneInfo(zone)
    clock = LocalClock(tz)
    for day in DAYS:
        for minute in range(0, 1440, 5):
            hour, rest = divmod(minute, 60)
            expected = datetime(day.year, day.month, day.day, hour, rest, tzinfo=tz).timestamp()
            assert clock.instant(day, minute) == int(expected), (day, minute)


@pytest.mark.parametrize("zone", ZONES)
def test_iso_matches_datetime_isoformat(zone: str) -> None:
    tz = ZoneInfo(zone)
    clock = LocalClock(tz)
    rng = random.Random(zone)
    start = int(datetime(2022, 6, 1, tzinfo=tz).timestamp())
    instants = [start + rng.randrange(4 * 365 * 86400) for _ in range(20000)]
    for day in DAYS:  # around every transition
        base = int(datetime(day.year, day.month, day.day, tzinfo=tz).timestamp())
        instants += range(base - 3600, base + 2 * 86400, 601)
    for at_s in instants:
        assert clock.iso(at_s) == datetime.fromtimestamp(at_s, tz).isoformat()
        assert clock.local_day(at_s) == datetime.fromtimestamp(at_s, tz).date()


def test_cutoff_is_the_local_midnight_after_the_last_day() -> None:
    tz = ZoneInfo("Europe/Oslo")
    clock = LocalClock(tz)
    after = datetime.combine(CUTOFF_DAY + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    assert clock.cutoff_s == int(after.timestamp())
    assert clock.iso(clock.cutoff_s - 1) == "2026-03-31T23:59:59+02:00"
