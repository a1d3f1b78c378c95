"""Distrust a node's signed MeasureReport: is it consistent with the query, the catalogue and itself?

A signature proves who sent a report, not that it makes sense. Before the hub believes (and
stores) an answer it checks, in this order, and the first failure makes the node
``invalid-report`` with a precise ``detail``:

1. **Size** (``report_size_problem``, before parsing): at most ``MAX_REPORT_BYTES`` bytes;
   an oversized body is not kept at all.
2. **Shape against the query** (``report_problem``): the period asked for; only populations the
   measure defines (and that apply to the query's parameters); only stratifiers the query asked
   for and the population has; only stratum values the catalogue lists (or, for the year
   stratifier, the years of the period); at most ``MAX_STRATA`` strata in all.
3. **Its own declared policy**: no exact count ``1 ≤ n < min-cell``.
4. **Arithmetic**: for a stratifier whose strata are disjoint, the strata's lower bounds (each
   cell's published count less its declared rounding, perturbation or noise) sum to at most the
   total's upper bound; a nested population's total is at most its parent's.

Every value that passes is a known code, a year or a number, so nothing a node sends is ever
stored or shown as markup.
"""

from __future__ import annotations

import functools

import orjson

from app.catalogue import MeasureDefinition, PopulationSpec, load_catalogue
from app.disclosure.bounds import Bounded, total_bounds
from app.errors import InputError
from app.exchange.answer import Cell, DisclosurePolicy, MeasureAnswer
from app.exchange.query import MeasureQuery, parse_parameters

MAX_REPORT_BYTES = 2_000_000
"""Largest MeasureReport the hub reads (a full answer of every stratifier is well under 200 kB)."""
MAX_STRATA = 10_000
"""Most strata (over all populations and stratifiers) one report may hold."""
NOISE_MARGIN = 3.0
"""Noise widths are 95% intervals per cell: sums are compared with this many of them, so that an
honest noised report is refused with vanishing probability."""


def report_size_problem(body: bytes) -> str | None:
    """Return why a report body is too large to read, or None."""
    if len(body) > MAX_REPORT_BYTES:
        return f"report of more than {MAX_REPORT_BYTES} bytes: over the limit"
    return None


@functools.lru_cache(maxsize=64)
def query_of_request(body: bytes) -> MeasureQuery | None:
    """Return the query a signed request body asked for, or None when it is no measure query.

    Cached by body (callers only read the result): every node of a fan-out is sent the same body, and
    its answer is checked against it.
    """
    try:
        return parse_parameters(orjson.loads(body))
    except (InputError, ValueError):
        return None


def report_problem(answer: MeasureAnswer, query: MeasureQuery | None) -> str | None:
    """Return the first reason ``answer`` cannot be believed for ``query``, or None when it holds."""
    strata_count = sum(len(t) for r in answer.populations for t in r.strata.values())
    if strata_count > MAX_STRATA:
        return f"report holds {strata_count} strata, more than the limit of {MAX_STRATA}"
    if query is None:
        return _arithmetic_problem(answer, None)
    if (answer.period_start, answer.period_end) != (query.period_start, query.period_end):
        return "report period differs from the query's"
    definition = load_catalogue().get(query.measure)
    if definition is None or answer.measure != query.measure:
        return f"report measure {_shown(answer.measure)} is not the measure asked for"
    problem = _shape_problem(answer, query, definition)
    if problem is None:
        problem = _policy_problem(answer)
    if problem is None:
        problem = _arithmetic_problem(answer, definition)
    return problem


def _shape_problem(
    answer: MeasureAnswer, query: MeasureQuery, definition: MeasureDefinition
) -> str | None:
    populations = {
        p.id: p for p in definition.counted_populations if p.applies(dict(query.parameters))
    }
    years = tuple(str(y) for y in range(query.period_start.year, query.period_end.year + 1))
    for result in answer.populations:
        spec = populations.get(result.population)
        if spec is None:
            return f"unknown population {_shown(result.population)} for {definition.id}"
        for key, table in result.strata.items():
            problem = _strata_problem(spec, key, table, query, years)
            if problem is not None:
                return problem
    return None


def _strata_problem(
    spec: PopulationSpec,
    key: str,
    table: dict[str, Cell],
    query: MeasureQuery,
    years: tuple[str, ...],
) -> str | None:
    stratifier = spec.stratifiers.get(key)
    if stratifier is None or key not in query.stratify:
        return f"population {spec.id}: stratifier {_shown(key)} was not asked for"
    allowed = years if stratifier.values is None else stratifier.values
    unknown = [value for value in table if value not in allowed]
    if unknown:
        return f"population {spec.id}, stratifier {key}: unknown stratum {_shown(unknown[0])}"
    return None


def _policy_problem(answer: MeasureAnswer) -> str | None:
    min_cell = answer.policy.min_cell
    for result in answer.populations:
        cells = [("total", result.total)] + [
            (f"{key}={value}", cell)
            for key, table in result.strata.items()
            for value, cell in table.items()
        ]
        for where, cell in cells:
            if cell.status == "exact" and cell.count is not None and 0 < cell.count < min_cell:
                return (
                    f"population {result.population}, {where}: exact count below the "
                    f"report's own min-cell {min_cell}"
                )
    return None


def _arithmetic_problem(answer: MeasureAnswer, definition: MeasureDefinition | None) -> str | None:
    policy = answer.policy
    specs = {p.id: p for p in definition.populations} if definition is not None else {}
    totals: dict[str, Bounded] = {}
    for result in answer.populations:
        half_width = NOISE_MARGIN * answer.noise_scale.get(result.population, 0.0)
        try:
            totals[result.population] = total = total_bounds(
                result.total, policy, half_width, parent=_unbounded()
            )
        except ValueError:
            return f"population {result.population}: total cannot be bounded"
        spec = specs.get(result.population)
        for key, table in result.strata.items():
            stratifier = spec.stratifiers.get(key) if spec is not None else None
            overlapping = key in result.overlapping or (
                stratifier is not None and stratifier.overlap
            )
            if overlapping:
                continue
            lowest = sum(_lower(cell, policy, half_width) for cell in table.values())
            if lowest > total.upper:
                return (
                    f"population {result.population}, stratifier {key}: strata sum to at least "
                    f"{lowest}, above the total's {total.upper}"
                )
    for result in answer.populations:
        spec = specs.get(result.population)
        parent = totals.get(spec.subset_of) if spec is not None and spec.subset_of else None
        child = totals[result.population]
        if parent is not None and child.lower > parent.upper:
            return (
                f"population {result.population}: total of at least {child.lower} above its "
                f"parent {spec.subset_of if spec else ''}'s {parent.upper}"
            )
    return None


def _lower(cell: Cell, policy: DisclosurePolicy, half_width: float) -> int:
    """Return the least true count a published cell can stand for (0 for a masked complement)."""
    if cell.count is None:
        return 0
    return total_bounds(cell, policy, half_width).lower


def _unbounded() -> Bounded:
    return Bounded("bounded", None, 0, 2**62)


def _shown(value: str) -> str:
    """Return a node-supplied name for a detail: clipped, quoted, anything but a plain code
    character escaped as ``\\uXXXX`` (a detail never carries markup or control characters)."""
    safe = "".join(
        char if char.isascii() and (char.isalnum() or char in "-_.+ ") else f"\\u{ord(char):04x}"
        for char in value[:40]
    )
    return f"'{safe}'"
