"""Dosing patterns and discontinuations of synthetic courses beside the published figures."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise
from statistics import median

from app.synth.calibration import COURSE_TARGETS, first_iv_dose_per_kg, measured_course_figures
from app.synth.generator import STOP_RECORDED_SHARE
from app.synth.records import PatientBundle
from app.synth.timeline import CUTOFF_DAY


def test_esketamine_courses_match_the_label_and_trials(
    cohorts: dict[str, list[PatientBundle]],
) -> None:
    # Printed with -rP. The three countries together: the stop shares rest on a few dozen stops.
    everyone = [bundle for bundles in cohorts.values() for bundle in bundles]
    figures, counts = measured_course_figures(
        everyone,
        recorded_share=STOP_RECORDED_SHARE,
        last_start=CUTOFF_DAY - timedelta(days=180),
    )
    print("intranasal esketamine, first course (6,000 patients, seed 5):")
    for target in COURSE_TARGETS:
        measured = figures[target.key]
        mark = " (approximate)" if target.approximate else ""
        print(f"  {target.label:44} synthetic {measured:6.1%} of {counts[target.key]:5}  "
              f"published {target.share:6.1%} ±{target.tolerance:.0%}{mark}")  # fmt: skip
        assert counts[target.key] >= 100, target.key
        assert abs(measured - target.share) <= target.tolerance, target.key


def test_intravenous_ketamine_mostly_starts_at_half_a_milligram_per_kilogram(
    cohorts: dict[str, list[PatientBundle]],
) -> None:
    for country, bundles in cohorts.items():
        doses = first_iv_dose_per_kg(bundles)
        share = doses.get(0.5, 0) / sum(doses.values())
        print(
            f"{country}: {sum(doses.values())} intravenous courses, {share:.1%} start at 0.5 mg/kg"
        )
        assert max(doses, key=doses.__getitem__) == 0.5
        assert 0.7 <= share < 1.0  # some clinics start higher; none below the research dose
        assert min(doses) == 0.5


def test_induction_is_twice_weekly_then_weekly_then_weekly_or_fortnightly(
    cohorts: dict[str, list[PatientBundle]],
) -> None:
    # Local-date gaps between sessions of German esketamine courses that reach maintenance
    # (the label: twice weekly in weeks 1-4, weekly in weeks 5-8, then weekly or every 2 weeks).
    induction: list[int] = []
    weeks_5_to_8: list[int] = []
    later: list[int] = []
    for bundle in cohorts["DE"]:
        course = [a for a in bundle.administrations if a.drug == "esketamine"]
        if len(course) < 13 or {a.route for a in course} != {"intranasal"}:
            continue
        ordinals = [_ordinal(a.administered_at) for a in course]
        gaps = [b - a for a, b in pairwise(ordinals)]
        induction += gaps[:7]
        weeks_5_to_8 += gaps[7:11]
        later += gaps[11:]
    print(f"gaps: induction {median(induction)} days, weeks 5-8 {median(weeks_5_to_8)}, "
          f"later {median(later)} ({len(later)} gaps)")  # fmt: skip
    assert median(induction) in (3, 3.5, 4)
    assert median(weeks_5_to_8) == 7
    assert sum(6 <= g <= 8 or 13 <= g <= 15 for g in later) > 0.8 * len(later)


def _ordinal(at: str) -> int:
    return date.fromisoformat(at[:10]).toordinal()
