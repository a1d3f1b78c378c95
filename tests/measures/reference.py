"""An independent, centralised computation of the six measures with pandas (``docs/measures.md``).

Written from the contract, not from the SQL: years from Python dates, attribution and follow-ups
by merges and sorts. Ties at one instant use (instant, id), as the node does ("any fixed rule").
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from app.exchange.query import MeasureQuery
from app.profiles.prem import CONSENT_KINDS, PREM_ITEMS
from app.store.models import RecordBase
from tests.measures import reference_safety

DAY = 86_400
EPOCH = date(1970, 1, 1)
PATIENT_STRATA = ["drug", "route", "sex", "age-band", "year", "setting"]
AGE_BANDS = [(18, "<18"), (25, "18-24"), (35, "25-34"), (45, "35-44"), (55, "45-54"), (65, "55-64")]
DOSE_BANDS = [(25, "<25"), (50, "25-49"), (75, "50-74"), (100, "75-99"), (150, "100-149")]
WINDOWS = {
    "24h": (1 * DAY, DAY // 2, 2 * DAY),
    "day7": (7 * DAY, 5 * DAY, 10 * DAY),
    "day28": (28 * DAY, 21 * DAY, 35 * DAY),
    "month3": (90 * DAY, 76 * DAY, 104 * DAY),
    "month6": (180 * DAY, 150 * DAY, 210 * DAY),
    "month12": (365 * DAY, 300 * DAY, 430 * DAY),
}
THRESHOLD = {"MADRS": 10, "PHQ9": 4, "HAMD17": 7, "QIDSSR16": 5}
TABLES = (
    "patient",
    "administration",
    "adverse_event",
    "observation",
    "dispense",
    "discontinuation",
    "review",
    "experience",
    "consent",
)
Counts = dict[str, tuple[int, dict[str, dict[str, int]]]]


def _band(value: float, bands: list[tuple[int, str]], last: str) -> str:
    return next((label for upper, label in bands if value < upper), last)


class Reference:
    """Answers measure queries from data frames of the store tables."""

    def __init__(self, rows: dict[str, list[dict[str, Any]]]) -> None:
        self.frames = {name: pd.DataFrame(table) for name, table in rows.items()}

    @classmethod
    def from_engine(cls, engine: Engine) -> Reference:
        """Return a reference over every record of a store (read whole: this is the centre)."""
        with engine.connect() as connection:
            return cls(
                {
                    name: [dict(row._mapping) for row in connection.execute(select(table))]
                    for name, table in RecordBase.metadata.tables.items()
                    if name in TABLES
                }
            )

    def answer(self, query: MeasureQuery) -> Counts:
        """Return ``{population: (total, {stratifier: {value: count}})}`` without zero strata."""
        start = (query.period_start - EPOCH).days
        end = (query.period_end - EPOCH).days
        self.period = (start, end)
        self.query = query
        return getattr(self, query.measure.replace("-", "_"))()

    # --- shared -------------------------------------------------------------------------------
    def _in_period(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame[(frame["day"] >= self.period[0]) & (frame["day"] <= self.period[1])]

    def _matching_administrations(self) -> pd.DataFrame:
        adm = self._in_period(self.frames["administration"])
        for key in ("drug", "route", "setting"):
            if key in self.query.filters:
                adm = adm[adm[key].isin(self.query.filters[key])]
        return adm

    def _index(self) -> pd.DataFrame:
        first = self._matching_administrations().sort_values(["patient_id", "at_s", "id"])
        first = first.groupby("patient_id", as_index=False).head(1)
        patients = self.frames["patient"].rename(columns={"id": "patient_id"})
        index = first.merge(patients[["patient_id", "sex", "birth_year"]], on="patient_id")
        index["year"] = index["day"].map(lambda d: str((EPOCH + timedelta(days=int(d))).year))
        index["age-band"] = (index["year"].astype(int) - index["birth_year"]).map(
            lambda age: _band(age, AGE_BANDS, "65+")
        )
        for key in ("sex", "age-band"):
            if key in self.query.filters:
                index = index[index[key].isin(self.query.filters[key])]
        return index

    def _count(
        self, frame: pd.DataFrame, strata: list[str], *, patients: bool
    ) -> tuple[int, dict[str, dict[str, int]]]:
        def size(group: pd.DataFrame) -> int:
            return int(group["patient_id"].nunique() if patients else len(group))

        tables = {}
        for key in self.query.stratify:
            if key in strata:
                tables[key] = {str(v): size(g) for v, g in frame.groupby(key) if size(g)}
        return size(frame), tables

    def _with_index_strata(self, frame: pd.DataFrame, index: pd.DataFrame) -> pd.DataFrame:
        return frame.merge(
            index[["patient_id", "drug", "route"]], on="patient_id", suffixes=("_own", "")
        )

    # --- measures -----------------------------------------------------------------------------
    def treated_patients(self) -> Counts:
        return {"treated-patients": self._count(self._index(), PATIENT_STRATA, patients=True)}

    def cross_border_overlap(self) -> Counts:
        # A node's own part of the overlap measure is its treated patients, unstratified.
        return {"treated-patients": self._count(self._index(), [], patients=True)}

    def _administrations(self, index: pd.DataFrame) -> pd.DataFrame:
        adm = self._matching_administrations()
        adm = adm[adm["patient_id"].isin(index["patient_id"])].copy()
        adm["year"] = adm["day"].map(lambda d: str((EPOCH + timedelta(days=int(d))).year))
        adm["dose-band"] = adm["dose_mg"].map(lambda mg: _band(mg, DOSE_BANDS, "150+"))
        return adm

    def administrations(self) -> Counts:
        adm = self._administrations(self._index())
        strata = ["drug", "route", "setting", "year", "dose-band"]
        return {"administrations": self._count(adm, strata, patients=False)}

    def adverse_events(self) -> Counts:
        index = self._index()
        events = self._in_period(self.frames["adverse_event"])
        events = events[events["patient_id"].isin(index["patient_id"])].copy()
        events["serious"] = events["serious"].map(lambda s: "yes" if s else "no")
        adm = self.frames["administration"]
        linked = events.merge(
            adm[["id", "drug", "route", "setting"]],
            left_on="administration_id",
            right_on="id",
            suffixes=("", "_adm"),
        )
        pairs = events.merge(adm, on="patient_id", suffixes=("", "_adm"))
        pairs = pairs[
            (pairs["at_s_adm"] <= pairs["at_s"]) & (pairs["at_s"] <= pairs["at_s_adm"] + 30 * DAY)
        ]
        latest = pairs.sort_values(["at_s_adm", "id_adm"], ascending=False).groupby("id").head(1)
        attributed: dict[str, dict[str, str]] = {
            row["id"]: {k: row[k] for k in ("drug", "route", "setting")}
            for _, row in latest.iterrows()
        }
        attributed |= {
            row["id"]: {k: row[k] for k in ("drug", "route", "setting")}
            for _, row in linked.iterrows()
        }
        for key in ("drug", "route", "setting"):
            events[key] = events["id"].map(
                lambda e, k=key: attributed.get(e, {}).get(k, "unattributed")
            )
            if key in self.query.filters:
                events = events[events[key].isin(self.query.filters[key])]
        strata = ["event", "severity", "serious", "drug", "route"]
        return {
            "treated-patients": self._count(index, ["drug", "route"], patients=True),
            "administrations": self._count(
                self._administrations(index), ["drug", "route"], patients=False
            ),
            "events": self._count(events, strata, patients=False),
            "patients-with-event": self._count(events, strata, patients=True),
        }

    def efficacy(self) -> Counts:
        index = self._index()
        instrument = str(self.query.parameters["instrument"])
        target, low, high = WINDOWS[str(self.query.parameters["timepoint"])]
        threshold = THRESHOLD[instrument]
        obs = self.frames["observation"]
        obs = obs[obs["code"] == instrument]
        pairs = index[["patient_id", "at_s"]].merge(obs, on="patient_id", suffixes=("_index", ""))
        lag = pairs["at_s"] - pairs["at_s_index"]
        before = pairs[(lag <= 0) & (lag >= -14 * DAY)]
        baseline = before.sort_values(["at_s", "id"], ascending=False).groupby("patient_id").head(1)
        after = pairs[(lag >= low) & (lag <= high)].copy()
        after["distance"] = (after["at_s"] - after["at_s_index"] - target).abs()
        followup = after.sort_values(["distance", "at_s", "id"]).groupby("patient_id").head(1)
        scored = index.merge(
            baseline[["patient_id", "value"]].rename(columns={"value": "b"}), on="patient_id"
        )
        scored = scored.merge(
            followup[["patient_id", "value"]].rename(columns={"value": "f"}),
            on="patient_id",
            how="left",
        )
        denominator = scored[(scored["b"] > threshold) & scored["f"].notna()]
        strata = ["drug", "route", "sex", "age-band"]
        result = {
            "initial-population": self._count(scored, strata, patients=True),
            "denominator": self._count(denominator, strata, patients=True),
            "responders": self._count(
                denominator[denominator["f"] <= 0.5 * denominator["b"]], strata, patients=True
            ),
            "remitters": self._count(
                denominator[denominator["f"] <= threshold], strata, patients=True
            ),
        }
        if instrument == "MADRS":
            result["remitters-12"] = self._count(
                denominator[denominator["f"] <= 12], strata, patients=True
            )
        return result

    def discontinuations(self) -> Counts:
        index = self._index()
        stops = self._in_period(self.frames["discontinuation"])
        stops = self._with_index_strata(stops, index)
        return {
            "treated-patients": self._count(index, ["drug", "route"], patients=True),
            "discontinued": self._count(stops, ["reason", "drug", "route"], patients=True),
        }

    def guideline_adherence(self) -> Counts:
        index = self._index()
        adm = self._in_period(self.frames["administration"])
        adm = adm[adm["patient_id"].isin(index["patient_id"])].sort_values(
            ["patient_id", "at_s", "id"]
        )
        adm = adm.assign(gap=adm.groupby("patient_id")["day"].diff())
        short = self._with_index_strata(adm[adm["gap"] < 3], index)
        dispensed = self._with_index_strata(self._in_period(self.frames["dispense"]), index)
        limit = float(self.query.parameters.get("max-take-home-mg", 300))
        above = dispensed[dispensed["quantity_mg"] > limit]
        strata = ["drug", "route"]
        return {
            "treated-patients": self._count(index, strata, patients=True),
            "patients-short-interval": self._count(short, strata, patients=True),
            "short-intervals": self._count(short, strata, patients=False),
            "patients-take-home": self._count(dispensed, strata, patients=True),
            "dispenses-above-max": self._count(above, strata, patients=False),
        }

    def safety_signals(self) -> Counts:
        return reference_safety.safety_signals(self)

    def review_intervals(self) -> Counts:
        return reference_safety.review_intervals(self)

    def patient_experience(self) -> Counts:
        index = self._index()
        item = str(self.query.parameters["item"])
        answers = self._in_period(self.frames["experience"])
        answers = answers[
            (answers["item"] == item) & answers["patient_id"].isin(index["patient_id"])
        ]
        latest = answers.sort_values(["patient_id", "at_s", "id"]).groupby("patient_id").tail(1)
        respondents = latest[["patient_id", "answer"]].merge(
            index[["patient_id", "drug", "route", "sex", "age-band"]], on="patient_id"
        )
        strata = ["drug", "route", "sex", "age-band"]
        result = {"respondents": self._count(respondents, ["answer", *strata], patients=True)}
        if PREM_ITEMS[item].has_top_box:
            top = respondents[respondents["answer"].isin(["4", "5", "yes"])]
            result["top-box"] = self._count(top, strata, patients=True)
        return result

    def informed_consent(self) -> Counts:
        index = self._index()
        strata = ["drug", "route", "setting"]
        result = {"treated-patients": self._count(index, strata, patients=True)}
        consents = self.frames["consent"].merge(
            index[["patient_id", "at_s"]], on="patient_id", suffixes=("", "_index")
        )
        for kind in CONSENT_KINDS:
            recorded = consents[
                (consents["kind"] == kind) & (consents["at_s"] <= consents["at_s_index"])
            ]
            patients = index[index["patient_id"].isin(recorded["patient_id"])]
            result[kind] = self._count(patients, strata, patients=True)
        return result
