"""Shared SQL of every measure: the query context, matching administrations and the index CTE.

*Index administration*: a patient's first administration (by instant, ties by id) in the period
that matches the drug, route and setting filters; sex and age band at that index then keep or drop
the patient. The index CTE has one row per treated patient and carries every patient-level stratum.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Connection,
    Select,
    Table,
    TableClause,
    and_,
    func,
    literal_column,
    select,
)

from app.exchange.query import MeasureQuery
from app.measures.calendar import AGE_BANDS, SECONDS_PER_DAY, band, day_number, year_of_day
from app.store.models import RecordBase

_TABLES = RecordBase.metadata.tables
PATIENT: Table = _TABLES["patient"]
ADMINISTRATION: Table = _TABLES["administration"]
DISPENSE: Table = _TABLES["dispense"]
OBSERVATION: Table = _TABLES["observation"]
ADVERSE_EVENT: Table = _TABLES["adverse_event"]
DISCONTINUATION: Table = _TABLES["discontinuation"]

ADMINISTRATION_FILTERS = ("drug", "route", "setting")
PATIENT_FILTERS = ("sex", "age-band")
SCAN_FRACTION = 0.1
"""Share of the administrations' date span a period must cover to read the table sequentially."""


def prefers_administration_scan(connection: Connection, query: MeasureQuery) -> bool:
    """Return True when SQLite should read the administrations in the period by a table scan.

    SQLite (without STAT4 statistics) always reads a ``day`` range through
    ``ix_administration_day``, one random table lookup per row: measured ~7x slower than a table
    scan when the period holds most administrations, and slower from about 4% of the date span.
    The share is estimated from the first and last day (two index seeks). PostgreSQL chooses
    by its own statistics, so it never gets the hint.
    """
    if connection.dialect.name != "sqlite":
        return False
    day = ADMINISTRATION.c.day
    low, high = connection.execute(
        select(select(func.min(day)).scalar_subquery(), select(func.max(day)).scalar_subquery())
    ).one()
    if low is None or high is None:
        return False
    start, end = day_number(query.period_start), day_number(query.period_end)
    covered = min(high, end) - max(low, start) + 1
    return covered >= SCAN_FRACTION * (high - low + 1)


class MeasureContext:
    """A validated query turned into SQL building blocks; CTEs are built once and shared."""

    def __init__(
        self,
        query: MeasureQuery,
        *,
        clip_records_per_patient: int | None,
        scan_administrations: bool = False,
        dialect: str = "sqlite",
        inline_index: bool = False,
        index_columns: frozenset[str] | None = None,
    ) -> None:
        self.query = query
        # The database's dialect name: a few steps have a PostgreSQL form (LATERAL lookups,
        # window functions) that its planner runs better than the portable SQL.
        self.dialect = dialect
        # Stores the index rows and returns the table holding them (``app.measures.materialise``).
        self.materialise_index: Callable[[Select[Any]], TableClause] | None = None
        self.start_day = day_number(query.period_start)
        self.end_day = day_number(query.period_end)
        self.clip_records_per_patient = clip_records_per_patient
        self.scan_administrations = scan_administrations
        # SQLite: the index CTE read in place rather than written to a temporary table first,
        # for a statement that reads it once (see ``app.measures.evaluate``).
        self.inline_index = inline_index
        # The index columns a measure reads (None: all); fewer make SQLite's temporary copy of
        # the index cheaper to write and read.
        self.index_columns = index_columns

    @property
    def has_patient_filter(self) -> bool:
        """Return True when a sex or age-band filter is given."""
        return any(key in self.query.filters for key in PATIENT_FILTERS)

    def in_period(self, day: ColumnElement[Any]) -> ColumnElement[bool]:
        """Return ``day`` within the inclusive period."""
        return day.between(self.start_day, self.end_day)

    def administration_in_period(self, source: Any = ADMINISTRATION) -> ColumnElement[bool]:
        """Return ``source``'s administration day within the period, hinted per the context.

        ``day + 0`` is the same value, but SQLite cannot read it through ``ix_administration_day``
        and scans the table instead (see ``prefers_administration_scan``).
        """
        day = source.c.day
        return self.in_period(day + 0 if self.scan_administrations else day)

    def year(self, day: ColumnElement[Any]) -> ColumnElement[int]:
        """Return the UTC year of an in-period day number."""
        return year_of_day(day, self.query.period_start, self.query.period_end)

    def matches_administration_filters(self, source: Any) -> list[ColumnElement[bool]]:
        """Return the drug/route/setting filter conditions on ``source``'s columns."""
        return [
            source.c[key].in_(self.query.filters[key])
            for key in ADMINISTRATION_FILTERS
            if key in self.query.filters
        ]

    def matching_administrations(self) -> Select[Any]:
        """Return administrations in the period that match the drug/route/setting filters."""
        adm = ADMINISTRATION
        return select(
            adm.c.id,
            adm.c.patient_id,
            adm.c.at_s,
            adm.c.day,
            adm.c.drug,
            adm.c.route,
            adm.c.setting,
            adm.c.dose_mg,
            adm.c.record_key,
            adm.c.member_hash,
        ).where(self.administration_in_period(), *self.matches_administration_filters(adm))

    @functools.cached_property
    def index(self) -> CTE | TableClause:
        """Return the index CTE (or its materialised table): one row per treated patient.

        Built on first use, so a measure that never reads the index never computes it.
        """
        if self.materialise_index is not None:
            return self.materialise_index(self.index_rows())
        index = self.index_rows().cte("index_adm")
        return index.prefix_with("NOT MATERIALIZED") if self.inline_index else index

    def index_rows(self) -> Select[Any]:
        """Return the index administrations: one row per treated patient with its index strata."""
        joined = self._indexed().subquery("indexed")
        age_band = band(joined.c.age, AGE_BANDS)
        conditions = []
        if "sex" in self.query.filters:
            conditions.append(joined.c.sex.in_(self.query.filters["sex"]))
        if "age-band" in self.query.filters:
            conditions.append(age_band.in_(self.query.filters["age-band"]))
        columns = [c for c in joined.c if c.name != "age"] + [age_band.label("age_band")]
        if self.index_columns is not None:
            columns = [c for c in columns if c.name in self.index_columns]
        return select(*columns).where(*conditions)

    def _indexed(self) -> Select[Any]:
        """Return each patient's index administration with the patient's columns and age."""
        if self.dialect == "sqlite" and self.scan_administrations:
            return self._indexed_by_patient_seeks()
        ranked, first_only = self._first_administrations()
        return (
            self._index_columns(ranked)
            .join(PATIENT, PATIENT.c.id == ranked.c.patient_id)
            .where(*first_only)
        )

    def _index_columns(self, source: Any) -> Select[Any]:
        year = self.year(source.c.day)
        return select(
            source.c.patient_id,
            source.c.id.label("adm_id"),
            source.c.at_s,
            source.c.day,
            source.c.drug,
            source.c.route,
            source.c.setting,
            year.label("year"),
            PATIENT.c.sex,
            (year - PATIENT.c.birth_year).label("age"),
            # The patient's secret keys, summed per cell by ``app.measures.members``.
            PATIENT.c.record_key,
            PATIENT.c.member_hash,
        )

    def _indexed_by_patient_seeks(self) -> Select[Any]:
        """Return the index rows by one seek per patient (SQLite, a period of many doses).

        Per patient, the first entry of ix_administration_patient_at (patient, instant, id) at or
        after the period's first instant is the index administration when it matches the filters
        and lies in the period (``LIMIT 1`` in index order: the least instant, then the least id,
        so ties need no second look); its rowid, which the index carries, finds the row. The
        period as a range of instants is the same administrations as the range of days (day =
        ⌊at_s / 86400⌋). A filter on drug, route or setting reads the table for each candidate
        until one matches. Measured ~3x faster at 1M than grouping every administration of the
        period by patient and joining back to break ties (~0.74 -> ~0.25 s unfiltered,
        ~0.8 -> ~0.3 s with a drug filter, on a loaded machine). Only with the table-scan hint:
        for a short period the day index reads far fewer rows than a seek per patient.
        """
        adm = ADMINISTRATION
        first = ADMINISTRATION.alias("first_adm")
        first_row = (
            select(literal_column(f"{first.name}.rowid"))
            .where(
                first.c.patient_id == PATIENT.c.id,
                first.c.at_s.between(
                    self.start_day * SECONDS_PER_DAY, (self.end_day + 1) * SECONDS_PER_DAY - 1
                ),
                *self.matches_administration_filters(first),
            )
            .order_by(first.c.at_s, first.c.id)
            .limit(1)
            .scalar_subquery()
        )
        return self._index_columns(adm).select_from(
            PATIENT.join(adm, literal_column(f"{adm.name}.rowid") == first_row)
        )

    def _first_administrations(self) -> tuple[Any, list[ColumnElement[bool]]]:
        """Return each patient's first matching administration in the period.

        A subquery and the conditions on it that keep only the first administrations.
        """
        adm = ADMINISTRATION
        columns = (adm.c.id, adm.c.patient_id, adm.c.at_s, adm.c.day, adm.c.drug, adm.c.route)
        if self.dialect == "postgresql":
            # One sort of the matching administrations, no join back: measured ~1.4x faster
            # than the portable form there (which SQLite runs ~2x faster than a sort).
            return (
                select(*columns, adm.c.setting)
                .where(self.administration_in_period(), *self.matches_administration_filters(adm))
                .distinct(adm.c.patient_id)
                .order_by(adm.c.patient_id, adm.c.at_s, adm.c.id)
                .subquery("ranked")
            ), []
        # First instant per patient by GROUP BY (one pass, small sort records), then the least id
        # of the matching administrations at that instant breaks ties: one seek on
        # ix_administration_patient_at (patient, instant, id) per patient. Measured ~2x faster on
        # SQLite than ROW_NUMBER over every administration in the period, and ~20% faster than
        # ROW_NUMBER over the rows at the first instant (a sort of every patient's row). Used for
        # short periods (through ix_administration_day); with the table-scan hint, SQLite seeks
        # per patient instead (``_indexed_by_patient_seeks``).
        in_period = self.administration_in_period()
        first = (
            select(adm.c.patient_id, func.min(adm.c.at_s).label("at_s"))
            .where(in_period, *self.matches_administration_filters(adm))
            .group_by(adm.c.patient_id)
            .subquery("first_instant")
        )
        tied = ADMINISTRATION.alias("tied")
        least_id = (
            select(func.min(tied.c.id))
            .where(
                tied.c.patient_id == first.c.patient_id,
                tied.c.at_s == first.c.at_s,
                *self.matches_administration_filters(tied),
            )
            .scalar_subquery()
        )
        ranked = (
            select(
                adm.c.id,
                adm.c.patient_id,
                adm.c.at_s,
                adm.c.day,
                adm.c.drug,
                adm.c.route,
                adm.c.setting,
            )
            .join(
                first,
                and_(
                    adm.c.patient_id == first.c.patient_id,
                    adm.c.at_s == first.c.at_s,
                    adm.c.id == least_id,
                ),
            )
            .subquery("ranked")
        )
        return ranked, []

    def treated_patient_ids(self) -> Select[Any]:
        """Return the ids of the treated patients (for ``IN`` conditions)."""
        return select(self.index.c.patient_id)

    def clipped(self, statement: Select[Any], *order_by: Any, name: str) -> Any:
        """Return ``statement`` as a subquery keeping at most the clip bound of rows per patient.

        ``statement`` must select a ``patient_id`` column; rows are kept in ``order_by`` order.
        Without a clip bound (no noise) the statement is returned unchanged, as a subquery.
        """
        bound = self.clip_records_per_patient
        if bound is None:
            return statement.subquery(name)
        inner = statement.subquery(name + "_all")
        numbered = select(
            inner,
            func.row_number()
            .over(partition_by=inner.c.patient_id, order_by=[inner.c[k] for k in order_by])
            .label("clip_rn"),
        ).subquery(name + "_numbered")
        kept = [c for c in numbered.c if c.name != "clip_rn"]
        return select(*kept).where(numbered.c.clip_rn <= bound).subquery(name)
