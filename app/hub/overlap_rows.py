"""The rows the cross-border overlap adds to a query document, and its caveat for other queries.

- one ``overlap`` row per pair: ``country`` ``ALL``, ``stratifier`` ``pair``, ``stratum`` ``DE+NO``,
  bounded like any published total of the first node (no group-total row for ``overlap``);
- one ``distinct-patients`` row for ``ALL`` over the countries that answered, with bounds
  ``[Σ n − Σ pairs, Σ n − max pair]``. Inclusion–exclusion gives ``|A ∪ B ∪ …| = Σ n − Σ pairs +
  (patients in three or more) ≥ Σ n − Σ pairs``, and the union is at most ``Σ n − |largest
  pair|``. Each end uses the inputs' bounds (lower: lowest counts minus highest pair counts, never
  below the largest country's lower bound; upper: highest counts minus the largest lower bound of
  a pair). With two nodes and exact inputs both ends meet: the row is exact. A pair without a count
  may share anything from 0 to the smaller country's upper bound.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.disclosure.bounds import Bounded, total_bounds
from app.exchange.answer import MeasureAnswer
from app.hub.document import CountRow, PooledDocument

ALL = "ALL"
DOUBLE_COUNT_CAVEAT = (
    "Patients treated in several countries are counted by each in the per-country and ALL "
    "treated-patients rows; the distinct-patients row removes the measured overlap."
)
OVERLAP_CAVEAT = (
    "Overlap counts pairs of patients with the same linkage token (normalised name, birth date, "
    "sex): patients without a family name or full birth date, or whose names are spelled with "
    "different letters, count as distinct, so each pair count is a lower bound."
)


@dataclass(frozen=True)
class PairFigure:
    """One pair's published count as an interval (None: the pair has no count)."""

    pair: str
    countries: tuple[str, str]
    bound: Bounded | None
    detail: str | None = None


def pair_bound(answer: MeasureAnswer) -> Bounded:
    """Return the interval of the count a pair's first node published."""
    result = answer.population("overlap")
    return total_bounds(result.total, answer.policy, answer.noise_scale.get("overlap", 0.0))


def distinct_patients(countries: Mapping[str, Bounded], pairs: Sequence[PairFigure]) -> Bounded:
    """Return the interval of the number of distinct patients of ``countries`` (see above)."""
    if not countries:
        return Bounded("exact", 0, 0, 0)
    pair_bounds = []
    for pair in pairs:
        if pair.bound is not None:
            pair_bounds.append(pair.bound)
        else:
            smaller = min(countries[c].upper for c in pair.countries)
            pair_bounds.append(Bounded("bounded", None, 0, smaller))
    total_low = sum(b.lower for b in countries.values())
    total_high = sum(b.upper for b in countries.values())
    lower = max(
        total_low - sum(b.upper for b in pair_bounds), max(b.lower for b in countries.values())
    )
    upper = total_high - max((b.lower for b in pair_bounds), default=0)
    exact = (
        lower == upper
        and all(b.exact for b in countries.values())
        and all(b.exact for b in pair_bounds)
    )
    return (
        Bounded("exact", lower, lower, upper) if exact else Bounded("bounded", None, lower, upper)
    )


def overlap_rows(countries: Mapping[str, Bounded], pairs: Sequence[PairFigure]) -> list[CountRow]:
    """Return the pair rows (pairs with a count) and the ``distinct-patients`` row."""
    rows = [
        _row("pair", pair.pair, "overlap", pair.bound)
        for pair in sorted(pairs, key=lambda p: p.pair)
        if pair.bound is not None
    ]
    rows.append(_row(None, None, "distinct-patients", distinct_patients(countries, pairs)))
    return rows


def measured_overlap_caveat(
    query_id: str, pair_rows: Sequence[CountRow], distinct: CountRow | None
) -> str:
    """Return the double-counting caveat naming an overlap measured for the same question."""
    shown = ", ".join(f"{row.stratum} {_interval(row)}" for row in pair_rows) or "none shown"
    text = (
        "Patients treated in several countries are counted by each; the cross-border overlap "
        f"measured for this period and filters (query {query_id}) is: {shown}"
    )
    if distinct is not None:
        text += f"; distinct treated patients {_interval(distinct)}"
    return text + "."


def _interval(row: CountRow) -> str:
    if row.count is not None:
        return str(row.count)
    return f"[{row.lower}, {row.upper}]"


def _row(stratifier: str | None, stratum: str | None, population: str, bound: Bounded) -> CountRow:
    return CountRow(
        country=ALL, stratifier=stratifier, stratum=stratum, population=population,
        count=bound.count, status=bound.status, lower=bound.lower, upper=bound.upper,
    )  # fmt: skip


def with_overlap(
    document: PooledDocument, pairs: Sequence[PairFigure], *, replaces: str
) -> PooledDocument:
    """Return ``document`` with the overlap rows and caveats added (``replaces``: the plain
    double-counting caveat, which the measured overlap replaces)."""
    countries = {
        row.country: Bounded(row.status, row.count, row.lower, row.upper)
        for row in document.rows
        if row.population == "treated-patients" and row.stratifier is None and row.country != ALL
    }
    caveats = [DOUBLE_COUNT_CAVEAT if c == replaces else c for c in document.caveats]
    caveats.append(OVERLAP_CAVEAT)
    caveats += [
        f"No count for pair {pair.pair}: {pair.detail or 'not measured'}; distinct-patients "
        "takes its overlap as anything from 0 to the smaller country's count."
        for pair in pairs
        if pair.bound is None
    ]
    if len(countries) > 2:
        caveats.append(
            "With three or more countries distinct-patients is bounded: its lower end ignores "
            "patients treated in three or more countries, its upper end uses the largest pair."
        )
    return document.model_copy(
        update={"rows": [*document.rows, *overlap_rows(countries, pairs)], "caveats": caveats}
    )
