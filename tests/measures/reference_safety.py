"""The centralised pandas computation of ``safety-signals`` and ``review-intervals``.

Written from docs/safety-signals.md, not from the SQL: pairs by merging SBP and DBP on (patient,
instant), windows by comparing instants, the next dose by a sort per patient.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from tests.measures.reference import Counts, Reference

TWO_HOURS = 2 * 3600
DAY = 86_400
STRATA = ["drug", "route", "sex", "age-band"]


def _frame(reference: Reference, name: str, columns: list[str]) -> pd.DataFrame:
    frame = reference.frames.get(name)
    if frame is None or frame.empty:
        return pd.DataFrame(columns=columns)
    return frame


def safety_signals(reference: Reference) -> Counts:
    """Return the seven populations of ``safety-signals`` for the reference's current query."""
    parameters = reference.query.parameters
    index = reference._index()
    adm = reference._administrations(index)
    everyone = reference.frames["administration"].sort_values(["patient_id", "at_s"])
    later = everyone[["patient_id", "at_s"]].rename(columns={"at_s": "next_at"})
    candidates = adm[["id", "patient_id", "at_s"]].merge(later, on="patient_id")
    candidates = candidates[candidates["next_at"] > candidates["at_s"]]
    next_at = candidates.groupby("id")["next_at"].min()
    adm = adm.merge(index[["patient_id", "sex", "age-band"]], on="patient_id")
    adm["next_at"] = adm["id"].map(next_at)
    obs = _frame(reference, "observation", ["patient_id", "at_s", "code", "value", "day"])
    sbp = obs[obs["code"] == "SBP"].groupby(["patient_id", "at_s"])["value"].max()
    dbp = obs[obs["code"] == "DBP"].groupby(["patient_id", "at_s"])["value"].max()
    pairs = pd.concat([sbp.rename("sbp"), dbp.rename("dbp")], axis=1, join="inner").reset_index()
    joined = adm[["id", "patient_id", "at_s", "next_at"]].merge(
        pairs, on="patient_id", suffixes=("", "_pair")
    )
    lag = joined["at_s_pair"] - joined["at_s"]
    pre = joined[(lag >= -TWO_HOURS) & (lag <= 0)]
    cut = joined["next_at"].isna() | (joined["at_s_pair"] < joined["next_at"])
    post = joined[(lag > 0) & (lag <= TWO_HOURS) & cut]
    latest = pre.sort_values("at_s_pair").groupby("id").tail(1).set_index("id")
    post = post[post["id"].isin(latest.index)].copy()
    post["pre_sbp"] = post["id"].map(latest["sbp"])
    post["pre_dbp"] = post["id"].map(latest["dbp"])
    rise = post[(post["sbp"] >= post["pre_sbp"] + 40) | (post["dbp"] >= post["pre_dbp"] + 25)]
    severe = post[(post["sbp"] >= 180) | (post["dbp"] >= 110)]
    checked = adm[adm["id"].isin(post["id"])]
    in_period = reference._in_period(obs)
    after_index = in_period.merge(
        index[["patient_id", "at_s"]], on="patient_id", suffixes=("", "_i")
    )
    after_index = after_index[after_index["at_s"] >= after_index["at_s_i"]]
    liver = after_index[after_index["code"].isin(["ALT", "AST"])]
    alt_limit = 3 * float(parameters.get("alt-uln", 40))
    ast_limit = 3 * float(parameters.get("ast-uln", 40))
    high = liver[
        ((liver["code"] == "ALT") & (liver["value"] > alt_limit))
        | ((liver["code"] == "AST") & (liver["value"] > ast_limit))
    ]
    bladder = after_index[after_index["code"] == "BPICSS"]
    positive = bladder[bladder["value"] >= float(parameters.get("bpic-threshold", 19))]

    def patients(frame: pd.DataFrame) -> pd.DataFrame:
        return index[index["patient_id"].isin(frame["patient_id"])]

    def count(frame: pd.DataFrame, *, patients: bool) -> tuple[int, dict[str, dict[str, int]]]:
        return reference._count(frame, STRATA, patients=patients)

    return {
        "administrations-bp-checked": count(checked, patients=False),
        "administrations-bp-rise": count(adm[adm["id"].isin(rise["id"])], patients=False),
        "administrations-severe-bp": count(adm[adm["id"].isin(severe["id"])], patients=False),
        "patients-lft-checked": count(patients(liver), patients=True),
        "patients-lft-3x-uln": count(patients(high), patients=True),
        "patients-bladder-screened": count(patients(bladder), patients=True),
        "patients-bladder-positive": count(patients(positive), patients=True),
    }


def review_intervals(reference: Reference) -> Counts:
    """Return the four populations of ``review-intervals`` for the reference's current query."""
    index = reference._index()
    window_s = round(float(reference.query.parameters.get("max-review-days", 28)) * DAY)
    dispensed = reference._with_index_strata(
        reference._in_period(reference.frames["dispense"]), index
    )
    reviews = _frame(reference, "review", ["patient_id", "at_s"])
    pairs = dispensed[["id", "patient_id", "at_s"]].merge(
        reviews[["patient_id", "at_s"]], on="patient_id", suffixes=("", "_review")
    )
    before = pairs["at_s"] - pairs["at_s_review"]
    reviewed = set(pairs[(before >= 0) & (before <= window_s)]["id"])
    unreviewed = dispensed[~dispensed["id"].isin(reviewed)]
    strata = ["drug", "route"]
    return {
        "patients-take-home": reference._count(dispensed, strata, patients=True),
        "dispenses": reference._count(dispensed, strata, patients=False),
        "dispenses-unreviewed": reference._count(unreviewed, strata, patients=False),
        "patients-unreviewed": reference._count(unreviewed, strata, patients=True),
    }
