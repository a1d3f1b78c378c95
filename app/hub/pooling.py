"""From per-node replies to the tidy query-output document (``docs/hub-api.md``, the contract).

``pool_answers`` takes the query and one ``NodeReply`` per configured node and returns a
``PooledDocument``: ``query_id, measure, version, period, filters, stratify, parameters, nodes,
rows, statistics, caveats``. Only nodes with status ``ok`` contribute. An ``ok`` answer that does
not fit the query (another measure or period, or a version other than the query's — or, unpinned,
the first ok answer's) or whose disclosure labels cannot be bounded is listed as
``invalid-report`` with the reason in ``detail`` and contributes nothing. A population that some ok
node does not report gets per-country rows but no ``ALL`` row (and a caveat), so the ``ALL`` rows
are never silently smaller than the truth.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from app.disclosure.bounds import Bounded, disclosure_problem
from app.errors import InputError
from app.exchange.answer import MeasureAnswer
from app.hub.document import CountRow, NodePolicy, NodeSummary, Period, PooledDocument
from app.hub.estimates import statistics_rows
from app.hub.experience_stats import experience_statistics
from app.hub.figures import (
    CountryFigures,
    Figures,
    PooledFigures,
    country_figures,
    nested_parents,
)
from app.hub.replies import NODE_STATUSES, NodeReply

ROW_COLUMNS = tuple(CountRow.model_fields)
CROSS_BORDER_CAVEAT = "Patients treated in two countries are counted by both."
NOISE_CAVEAT = (
    "Bounds of noised counts are the noise mechanism's 95% intervals: they hold with 95% "
    "probability per cell, not with certainty."
)


@dataclass(frozen=True)
class PooledQuery:
    """The federated query being pooled, as echoed in the output document."""

    query_id: str
    measure: str
    period_start: date
    period_end: date
    version: str | None = None
    """None: take the version of the first ok answer."""
    filters: Mapping[str, Sequence[str]] = field(default_factory=dict)
    stratify: Sequence[str] = ()
    parameters: Mapping[str, str | int | float] = field(default_factory=dict)


def _measure_id(measure: str) -> str:
    """Return the bare measure id of an id or canonical URL (``…/Measure/efficacy|1``)."""
    return measure.split("|", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def _answer_problem(query: PooledQuery, answer: MeasureAnswer, version: str | None) -> str | None:
    """Return why an ok answer cannot be pooled with this query, or None when it fits."""
    if _measure_id(answer.measure) != _measure_id(query.measure):
        return f"answer is for measure {answer.measure!r}, not {query.measure!r}"
    if version is not None and answer.version != version:
        return f"answer is for version {answer.version!r}, not {version!r}"
    if (answer.period_start, answer.period_end) != (query.period_start, query.period_end):
        return "answer is for another period"
    return disclosure_problem(answer, nested_parents(answer))


def checked_replies(query: PooledQuery, replies: Sequence[NodeReply]) -> list[NodeReply]:
    """Return the replies with unusable ok answers turned into ``invalid-report``.

    Raises ``InputError`` on an unknown status, an ok reply without answer, or a node id or
    country given twice.
    """
    for key in ("node_id", "country"):
        values = [getattr(reply, key) for reply in replies]
        if len(set(values)) != len(values):
            raise InputError(f"node replies: each {key} must appear once")
    checked: list[NodeReply] = []
    # Without a pinned version, the first ok answer's version is the one pooled: never two.
    version = query.version or next(
        (r.answer.version for r in replies if r.status == "ok" and r.answer is not None), None
    )
    for reply in replies:
        if reply.status not in NODE_STATUSES:
            raise InputError(f"node {reply.node_id}: unknown status {reply.status!r}")
        if reply.status != "ok":
            checked.append(replace(reply, answer=None))
            continue
        if reply.answer is None:
            raise InputError(f"node {reply.node_id}: status ok without an answer")
        problem = _answer_problem(query, reply.answer, version)
        checked.append(replace(reply, status="invalid-report", detail=problem, answer=None)
                       if problem else replace(reply, detail=None))  # fmt: skip
    return checked


def _node_summary(reply: NodeReply) -> NodeSummary:
    """Return the ``nodes`` entry of one reply."""
    answer = reply.answer
    policy = None
    if answer is not None:
        policy = NodePolicy(
            min_cell=answer.policy.min_cell, mask_zero=answer.policy.mask_zero,
            rounding=answer.policy.rounding, epsilon=answer.policy.epsilon,
            perturbation=answer.policy.perturbation, ckm_max=answer.policy.ckm_max,
        )  # fmt: skip
    return NodeSummary(
        id=reply.node_id, country=reply.country, status=reply.status, detail=reply.detail,
        policy=policy, data_as_of=answer.data_as_of if answer is not None else None,
    )  # fmt: skip


def _row(
    country: str, stratifier: str | None, stratum: str | None, population: str, bound: Bounded
) -> CountRow:
    """Return one tidy count row."""
    return CountRow(
        country=country, stratifier=stratifier, stratum=stratum, population=population,
        count=bound.count, status=bound.status, lower=bound.lower, upper=bound.upper,
    )  # fmt: skip


def _ordered_stratifiers(query: PooledQuery, stratifiers: list[str]) -> list[str]:
    """Return ``stratifiers`` in the query's order, any others after them."""
    asked = [s for s in query.stratify if s in stratifiers]
    return asked + [s for s in stratifiers if s not in asked]


def count_rows(
    query: PooledQuery, countries: Sequence[CountryFigures], pooled: PooledFigures
) -> list[CountRow]:
    """Return the ``rows``: each country's group totals and strata, then the ``ALL`` sums."""
    rows: list[CountRow] = []
    everyone: list[Figures] = [*countries, pooled]
    populations = pooled.populations()
    for figures in everyone:
        for population in populations:
            total = figures.figure(population)
            if total is None:
                continue
            rows.append(_row(figures.country, None, None, population, total))
            for stratifier in _ordered_stratifiers(query, figures.stratifiers(population)):
                for value in figures.strata_values(population, stratifier):
                    bound = figures.figure(population, stratifier, value)
                    if bound is not None:
                        rows.append(_row(figures.country, stratifier, value, population, bound))
    return rows


def _caveats(replies: Sequence[NodeReply], cross_border: str) -> list[str]:
    """Return the document's caveats: always the cross-border one, others when they apply."""
    caveats = [cross_border]
    answers = [(r.country, r.answer) for r in replies if r.answer is not None]
    reported = [{r.population for r in answer.populations} for _, answer in answers]
    for population in dict.fromkeys(p for pops in reported for p in sorted(pops)):
        lacking = [
            c for (c, _), pops in zip(answers, reported, strict=True) if population not in pops
        ]
        if lacking:
            caveats.append(f"No ALL row for population {population}: not reported by "
                           f"{', '.join(lacking)}.")  # fmt: skip
    missing = [f"{r.country} ({r.status})" for r in replies if r.status != "ok"]
    if missing:
        caveats.append(f"ALL rows and statistics cover only nodes with status ok; left out: "
                       f"{', '.join(missing)}.")  # fmt: skip
    if any(r.answer is not None and r.answer.noise_scale for r in replies):
        caveats.append(NOISE_CAVEAT)
    return caveats


def pool_answers(
    query: PooledQuery, replies: Sequence[NodeReply], *, cross_border: str = CROSS_BORDER_CAVEAT
) -> PooledDocument:
    """Return the query-output document of ``replies``; raises ``InputError`` (see above).

    ``cross_border`` is the double-counting caveat (the measured overlap, once there is one).
    """
    checked = checked_replies(query, replies)
    countries = [country_figures(r.answer, r.country) for r in checked if r.answer is not None]
    pooled = PooledFigures(tuple(countries))
    version = query.version
    if version is None:
        version = next((r.answer.version for r in checked if r.answer is not None), None)
    return PooledDocument(
        query_id=query.query_id,
        measure=query.measure,
        version=version,
        period=Period(start=query.period_start.isoformat(), end=query.period_end.isoformat()),
        filters={
            key: [values] if isinstance(values, str) else list(values)
            for key, values in query.filters.items()
        },
        stratify=list(query.stratify),
        parameters=dict(query.parameters),
        nodes=[_node_summary(reply) for reply in checked],
        rows=count_rows(query, countries, pooled),
        statistics=statistics_rows(_measure_id(query.measure), countries, pooled)
        + experience_statistics(_measure_id(query.measure), query.parameters, countries, pooled),
        caveats=_caveats(checked, cross_border),
    )


def rows_to_csv(document: PooledDocument) -> str:
    """Return the document's ``rows`` as CSV with a header (nulls as empty fields)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ROW_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in document.rows:
        writer.writerow({column: "" if value is None else value
                         for column, value in row.model_dump().items()})  # fmt: skip
    return buffer.getvalue()
