"""The synthetic data exercises every catalogue measure (docs/measures.md) and its edge cases."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from itertools import pairwise

from app.synth.records import PatientBundle

from .exports import instant, utc_day

DAY = timedelta(days=1)
DOSE_BANDS = ((25, "<25"), (50, "25-49"), (75, "50-74"), (100, "75-99"), (150, "100-149"))


def _dose_band(dose_mg: float) -> str:
    return next((label for limit, label in DOSE_BANDS if dose_mg < limit), "150+")


def _madrs_day28(bundle: PatientBundle) -> tuple[int, int] | None:
    """(baseline, follow-up) MADRS around the first dose, as the efficacy measure picks them."""
    index = instant(bundle.administrations[0].administered_at)
    scores = [
        (instant(o.observed_at), int(o.value)) for o in bundle.observations if o.code == "MADRS"
    ]
    baseline = [s for s in scores if index - 14 * DAY <= s[0] <= index]
    follow_up = [s for s in scores if index + 21 * DAY <= s[0] <= index + 35 * DAY]
    if not baseline or not follow_up:
        return None
    target = index + 28 * DAY
    closest = min(follow_up, key=lambda s: (abs(s[0] - target), s[0]))
    return max(baseline)[1], closest[1]


def test_efficacy_pairs_give_plausible_response_and_remission(norway: list[PatientBundle]) -> None:
    pairs = [p for p in map(_madrs_day28, norway) if p is not None and p[0] > 10]
    assert len(pairs) > 0.4 * len(norway)
    response = sum(after <= 0.5 * before for before, after in pairs) / len(pairs)
    remission = sum(after <= 10 for _, after in pairs) / len(pairs)
    # TRANSFORM-2 counts remission at MADRS <= 12, the measure at <= 10: both printed.
    remission_12 = sum(after <= 12 for _, after in pairs) / len(pairs)
    # Printed with -rP beside TRANSFORM-2's day-28 MADRS figures (docs/synthetic-data.md): a
    # registry of routine care across regimens sits below a trial of intranasal esketamine.
    print(f"MADRS day 28: response {response:.1%} (TRANSFORM-2 69.3%), "
          f"remission <= 10 {remission:.1%}, <= 12 {remission_12:.1%} (TRANSFORM-2, <= 12: "
          f"52.5%), {len(pairs)} patients")  # fmt: skip
    assert remission < remission_12 < response
    assert 0.40 <= response <= 0.58
    assert 0.24 <= remission <= 0.38
    assert any(p is not None and p[0] <= 10 for p in map(_madrs_day28, norway))  # excluded


def test_every_time_point_has_scores_inside_and_outside_its_window(
    norway: list[PatientBundle],
) -> None:
    windows = {"24h": (0.5, 2), "day7": (5, 10), "day28": (21, 35), "month3": (76, 104)}
    windows |= {"month6": (150, 210), "month12": (300, 430)}
    inside: Counter[str] = Counter()
    for b in norway:
        index = instant(b.administrations[0].administered_at)
        for o in b.observations:
            if o.code == "MADRS":
                days = (instant(o.observed_at) - index) / DAY
                for name, (low, high) in windows.items():
                    inside[name] += low <= days <= high
    assert all(inside[name] > 50 for name in windows), inside


def test_period_2024_has_index_doses_and_earlier_starters(norway: list[PatientBundle]) -> None:
    starts = Counter(utc_day(b.administrations[0].administered_at)[:4] for b in norway)
    assert 0.25 < starts["2024"] / len(norway) < 0.45
    assert starts["2023"] > 0 and starts["2025"] > 0
    carried_over = [
        b
        for b in norway
        if utc_day(b.administrations[0].administered_at) < "2024-01-01"
        and any(utc_day(a.administered_at).startswith("2024") for a in b.administrations)
    ]
    assert len(carried_over) > 0.05 * len(norway)


def test_dosing_intervals_include_short_and_same_day_ones(norway: list[PatientBundle]) -> None:
    gaps: Counter[int] = Counter()
    patients_short = 0
    for b in norway:
        days = sorted(
            (instant(a.administered_at), utc_day(a.administered_at)) for a in b.administrations
        )
        intervals = [
            (datetime.fromisoformat(y[1]) - datetime.fromisoformat(x[1])).days
            for x, y in pairwise(days)
        ]
        gaps.update(intervals)
        patients_short += any(i < 3 for i in intervals)
    assert gaps[0] > 0 and gaps[1] > 0 and gaps[2] > 0
    assert 0.05 * len(norway) < patients_short < 0.6 * len(norway)
    assert gaps[7] > gaps[1] and gaps[14] > 0


def test_some_doses_fall_on_another_utc_date_than_the_local_one(
    norway: list[PatientBundle],
) -> None:
    shifted = [
        a
        for b in norway
        for a in b.administrations
        if a.administered_at[:10] != utc_day(a.administered_at)
    ]
    assert len(shifted) > 20
    assert {a.setting for a in shifted} <= {"inpatient", "home-unsupervised"}


def test_doses_cover_every_band_route_setting_and_drug(norway: list[PatientBundle]) -> None:
    administrations = [a for b in norway for a in b.administrations]
    assert {_dose_band(a.dose_mg) for a in administrations} == {
        "<25", "25-49", "50-74", "75-99", "100-149", "150+"
    }  # fmt: skip
    assert {a.route for a in administrations} == {
        "iv",
        "im",
        "sc",
        "intranasal",
        "oral",
        "sublingual",
    }
    assert {a.setting for a in administrations} == {
        "clinic", "inpatient", "home-supervised", "home-unsupervised"
    }  # fmt: skip
    assert {a.drug for a in administrations} == {"ketamine", "esketamine", "arketamine"}


def test_take_home_dispenses_sometimes_exceed_300_mg(norway: list[PatientBundle]) -> None:
    dispenses = [d for b in norway for d in b.dispenses]
    assert len(dispenses) > 50
    assert all(100 <= d.quantity_mg <= 600 and 7 <= d.days_supply <= 28 for d in dispenses)
    assert all(d.route in {"oral", "sublingual"} for d in dispenses)
    above = sum(d.quantity_mg > 300 for d in dispenses)
    assert 0.1 * len(dispenses) < above < 0.9 * len(dispenses)
    assert any(d.quantity_mg == 300 for d in dispenses)  # the boundary is not above


def test_unlinked_events_need_30_day_attribution(norway: list[PatientBundle]) -> None:
    within = beyond = linked = 0
    for b in norway:
        doses = [instant(a.administered_at) for a in b.administrations]
        for e in b.adverse_events:
            if e.administration_id:
                linked += 1
                continue
            onset = instant(e.onset_at)
            if any(dose <= onset <= dose + 30 * DAY for dose in doses):
                within += 1
            else:
                beyond += 1
    assert linked > 4 * within > 0
    assert beyond > 0


def test_rare_events_occur_days_after_a_dose(norway: list[PatientBundle]) -> None:
    rare = Counter()
    for b in norway:
        for e in b.adverse_events:
            if e.event in {"suicidal-ideation", "cystitis", "misuse", "dependence", "other"}:
                rare[e.event] += 1
    assert rare["suicidal-ideation"] > 20 and len(rare) >= 4


def test_discontinuations_cover_many_reasons(norway: list[PatientBundle]) -> None:
    reasons = Counter(d.reason for b in norway for d in b.discontinuations)
    assert {"lack-of-efficacy", "adverse-event", "cost", "access", "patient-choice"} <= set(reasons)
    assert {"remission", "relapse", "lost-to-follow-up"} <= set(reasons)
    stopped = sum(bool(b.discontinuations) for b in norway)
    assert 0.3 * len(norway) < stopped < 0.9 * len(norway)
    for b in norway:
        for d in b.discontinuations:
            assert instant(d.stopped_at) >= instant(b.administrations[0].administered_at)


def test_record_ids_are_unique_and_links_resolve(norway: list[PatientBundle]) -> None:
    ids: Counter[str] = Counter()
    for b in norway:
        ids[b.patient.patient_id] += 1
        ids.update(a.administration_id for a in b.administrations)
        ids.update(d.dispense_id for d in b.dispenses)
        ids.update(o.observation_id for o in b.observations)
        ids.update(e.event_id for e in b.adverse_events)
        own = {a.administration_id for a in b.administrations}
        assert all(e.administration_id in own for e in b.adverse_events if e.administration_id)
        rows = [*b.administrations, *b.dispenses, *b.observations, *b.adverse_events]
        assert all(r.patient_id == b.patient.patient_id for r in rows)
    assert max(ids.values()) == 1


def test_administrations_are_listed_in_time_order(norway: list[PatientBundle]) -> None:
    for b in norway:
        doses = [instant(a.administered_at) for a in b.administrations]
        assert doses == sorted(doses) and len(set(doses)) == len(doses)


def test_nothing_is_recorded_after_the_data_cutoff(norway: list[PatientBundle]) -> None:
    for b in norway:
        texts = [a.administered_at for a in b.administrations]
        texts += [o.observed_at for o in b.observations] + [e.onset_at for e in b.adverse_events]
        texts += [d.dispensed_at for d in b.dispenses] + [d.stopped_at for d in b.discontinuations]
        assert max(texts) < "2026-04-01"
