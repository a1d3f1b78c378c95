"""The tidy query-output document (``docs/hub-api.md``, "Query output") as pydantic models.

``pool_answers`` builds a ``PooledDocument``; the hub serves it with who asked, when and the
query's status as a ``QueryDocument`` (``GET /api/queries/{id}``, ``ketanet query --format json``),
at every moment: the rows are those of the nodes that answered so far.
Field order is the contract's key order, so ``model_dump()`` is the contract's JSON as it is; the
models also give the hub's OpenAPI its schemas.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from app.disclosure.bounds import BoundStatus
from app.hub.replies import NodeStatus

StatisticMethod = Literal["wilson", "garwood", "dersimonian-laird-logit"]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


class Period(_Part):
    """The query's inclusive period (ISO dates)."""

    start: str
    end: str


class NodePolicy(_Part):
    """The disclosure settings a node applied to its answer."""

    min_cell: int
    mask_zero: bool
    rounding: int
    epsilon: float
    perturbation: str = "none"
    ckm_max: int = 0


class NodeSummary(_Part):
    """One configured node: its status and, when it answered, its policy and data time."""

    id: str
    country: str
    status: NodeStatus
    detail: str | None
    """The node's reason (refused) or what went wrong; null when ok."""
    policy: NodePolicy | None
    data_as_of: str | None
    """When the node last ingested data (ISO 8601)."""


class CountRow(_Part):
    """One count: a country's (or ``ALL``) group total or stratum, with an interval on its truth."""

    country: str
    stratifier: str | None
    stratum: str | None
    population: str
    count: int | None
    """Null when masked or when a pooled sum has an inexact part."""
    status: BoundStatus
    lower: int
    upper: int


class StatisticRow(_Part):
    """A proportion (Wilson) or rate (Garwood) of one country or ``ALL``, with its interval."""

    country: str
    stratifier: str | None
    stratum: str | None
    statistic: str
    numerator: str
    denominator: str
    estimate: float | None
    """Null when an input is not exact (then the bounds say where the figure lies)."""
    ci_low: float | None
    ci_high: float | None
    method: StatisticMethod
    lower_bound: float | None
    upper_bound: float | None
    """Null when the count intervals leave the figure unbounded above."""
    note: str | None


class StudyRow(_Part):
    """One country's study in a meta-analysis (a forest-plot line)."""

    country: str
    events: int
    n: int
    estimate: float
    ci_low: float
    ci_high: float
    weight: float
    continuity_corrected: bool


class MetaAnalysisRow(StatisticRow):
    """A DerSimonian–Laird random-effects proportion across the countries with exact counts."""

    tau2: float | None
    i2: float | None
    q: float | None
    countries: list[str]
    """The countries pooled."""
    excluded: list[str]
    """The countries left out (inputs not exact, not reported, zero denominator)."""
    studies: list[StudyRow]


class PooledDocument(_Part):
    """The pooled answers of every configured node to one query."""

    query_id: str
    measure: str
    version: str | None
    period: Period
    filters: dict[str, list[str]]
    stratify: list[str]
    parameters: dict[str, str | int | float]
    nodes: list[NodeSummary]
    rows: list[CountRow]
    statistics: list[MetaAnalysisRow | StatisticRow]
    caveats: list[str]


QueryStatus = Literal["running", "complete", "failed"]


class QueryDocument(PooledDocument):
    """A query as the hub records and serves it at every moment: the pooled document, when, who
    asked, and whether nodes are still pending."""

    created_at: str
    asked_by: str
    status: QueryStatus = "complete"
    """``running`` while a node is pending; then ``complete`` (a node answered ok) or ``failed``."""
