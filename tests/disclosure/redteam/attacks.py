"""The attacks (``docs/privacy.md``): each asks through an ``Attacker`` and returns its score.

- ``filter_differencing``: a filter listing every value minus the same filter without one value
  recovers that value's masked stratum; ``determined`` adds every other decomposition the attacker
  can find (excluding sex and age-band values the target is seen not to have) and averages them.
- ``period_differencing``: periods ending one day apart isolate the patients first treated on a
  day; ``profiling`` then reads the sex and age band of each single patient so isolated.
- ``milp_reconstruction``: random sex × age-band filter rectangles, stratified both ways, as
  constraints of an integer programme (``scipy.optimize.milp``) over the 28 grid cells; the
  attacker takes the solution closest to every published value within its known bounds.
- ``averaging``: the differencing pair asked again and again (repetition) or phrased anew each
  time (rephrasing: a period start moved before any data, filters listing every value).
- ``nested_complements``: parent minus child of nested populations within one answer.
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from app.exchange.answer import Cell, MeasureAnswer
from app.exchange.query import MeasureQuery
from app.measures import load_catalogue
from tests.disclosure.redteam.attacker import (
    Attacker,
    AttackResult,
    OutOfQueries,
    blind_value,
    combine,
    score,
)
from tests.disclosure.redteam.policies import catalogue_nesting

CKM_MAX = 3
"""The perturbation bound is public (it is in the published policy)."""
STRATIFIERS = ("drug", "route", "setting", "sex", "age-band")
PATIENT_LEVEL = ("sex", "age-band")
"""Filters that only keep or drop patients (drug, route and setting also choose the index)."""


def base_query(start: date, end: date, **changes: object) -> MeasureQuery:
    """Return a ``treated-patients`` query over ``start..end``."""
    query = MeasureQuery("treated-patients", None, start, end, {}, (), {})
    return replace(query, **changes)  # type: ignore[arg-type]


def domain(stratifier: str) -> tuple[str, ...]:
    """Return every value a filter may take."""
    return load_catalogue()["treated-patients"].filters[stratifier]


@dataclass(frozen=True)
class Target:
    """A small stratum of the base table: stratifier, value, true count."""

    stratifier: str
    value: str
    count: int


def small_strata(attacker: Attacker, base: MeasureQuery, min_cell: int) -> list[Target]:
    """Return the strata of ``base`` with ``1 ≤ n < min_cell`` (from the truth, at no cost)."""
    exact = attacker.truth.counts(replace(base, stratify=STRATIFIERS))[0]
    return [
        Target(stratifier, value, cell.count or 0)
        for stratifier, table in exact.strata.items()
        for value, cell in table.items()
        if 1 <= (cell.count or 0) < min_cell
    ]


def _labels(answer: MeasureAnswer) -> set[str]:
    cells = [c for r in answer.populations for c in _cells(r.total, r.strata)]
    return {reason for cell in cells for reason in cell.reasons}


def _cells(total: Cell, strata: dict[str, dict[str, Cell]]) -> list[Cell]:
    return [total, *(cell for table in strata.values() for cell in table.values())]


def filter_differencing(
    attacker: Attacker,
    *,
    policy: str,
    bases: Sequence[MeasureQuery],
    min_cell: int,
    determined: bool,
) -> AttackResult:
    """Recover small strata as (filter: every value) − (filter: every value but one).

    When a node refuses a filter listing some values, the attacker asks every single value
    instead and subtracts the others from the total. ``determined`` then spends the rest of the
    budget on further decompositions of each target and averages them.
    """
    targets = [
        (number, t)
        for number, base in enumerate(bases)
        for t in small_strata(attacker, base, min_cell)
    ]
    estimates: dict[tuple[int, Target], list[int]] = defaultdict(list)
    every: dict[tuple[int, str], int | None] = {}
    singles: dict[tuple[int, str], dict[str, int | None]] = {}
    try:
        for number, target in targets:
            base = bases[number]
            whole = (number, target.stratifier)
            if whole not in every:
                every[whole] = attacker.total(
                    replace(base, filters={target.stratifier: domain(target.stratifier)})
                )
            without = attacker.total(replace(base, filters=_without(target)))
            if without is None and whole not in singles:
                singles[whole] = {
                    value: attacker.total(replace(base, filters={target.stratifier: (value,)}))
                    for value in domain(target.stratifier)
                }
            if without is None:
                others = [c for v, c in singles[whole].items() if v != target.value]
                without = None if None in others else sum(others)  # type: ignore[arg-type]
            if every[whole] is not None and without is not None:
                estimates[(number, target)].append(every[whole] - without)  # type: ignore[operator]
        if determined:
            for number, base in enumerate(bases):
                chosen = [t for n, t in targets if n == number]
                flat: dict[Target, list[int]] = defaultdict(list)
                wholes = {s: every.get((number, s)) for s in STRATIFIERS}
                _decompositions(attacker, base, chosen, flat, wholes)
                for target, values in flat.items():
                    estimates[(number, target)].extend(values)
    except OutOfQueries:
        pass
    high = min_cell - 1 + CKM_MAX
    guesses = [combine(estimates[key], low=1, high=high) for key in targets]
    name = "filter differencing" + (" (all)" if determined else "")
    return score(name, policy, attacker, [t.count for _, t in targets], guesses)


def _without(target: Target, **others: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    values = tuple(v for v in domain(target.stratifier) if v != target.value)
    return {target.stratifier: values, **others}


def _decompositions(
    attacker: Attacker,
    base: MeasureQuery,
    targets: Sequence[Target],
    estimates: dict[Target, list[int]],
    every: dict[str, int | None],
) -> None:
    """Average every further decomposition the attacker can find, round robin over targets.

    Pairs first (both sides keep only sex and age-band values the target is seen not to need);
    then three-way splits, which no two-answer comparison reveals: (every value) − (every value
    but the target's, in part Y of sex or age band) − (the same, in the rest of that attribute).
    """
    plans = {target: _plans(attacker, base, target) for target in targets}
    while plans:
        for target in list(plans):
            try:
                others = next(plans[target])
            except StopIteration:
                del plans[target]
                continue
            with_all = attacker.total(
                replace(base, filters={target.stratifier: domain(target.stratifier), **others})
            )
            without = attacker.total(replace(base, filters=_without(target, **others)))
            if with_all is not None and without is not None:
                estimates[target].append(with_all - without)
    splits = {target: _splits(target) for target in targets}
    while splits:
        for target in list(splits):
            try:
                part, rest = next(splits[target])
            except StopIteration:
                del splits[target]
                continue
            whole = every.get(target.stratifier)
            first = attacker.total(replace(base, filters=_without(target, **part)))
            second = attacker.total(replace(base, filters=_without(target, **rest)))
            if None not in (whole, first, second):
                estimates[target].append(whole - first - second)  # type: ignore[operator]


def _splits(target: Target) -> Iterator[tuple[dict[str, tuple[str, ...]], ...]]:
    """Yield (part, rest) splits of sex or age band into two non-empty value lists."""
    rng = random.Random(f"{target.stratifier}={target.value}")
    options = []
    for attribute in PATIENT_LEVEL:
        if attribute == target.stratifier:
            continue
        values = domain(attribute)
        for size in range(1, len(values)):
            for part in itertools.combinations(values, size):
                if values[0] in part:  # each split once
                    rest = tuple(v for v in values if v not in part)
                    options.append(({attribute: part}, {attribute: rest}))
    rng.shuffle(options)
    yield from options


def _plans(
    attacker: Attacker, base: MeasureQuery, target: Target
) -> Iterator[dict[str, tuple[str, ...]]]:
    """Yield filters on sex and age band that keep every member of ``target`` (seen as zeros)."""
    probe_stratifiers = tuple(s for s in PATIENT_LEVEL if s != target.stratifier)
    probe = attacker.ask(
        replace(base, filters={target.stratifier: (target.value,)}, stratify=probe_stratifiers)
    )
    if probe is None:
        return
    strata = probe.populations[0].strata
    absent = [
        (stratifier, value)
        for stratifier in probe_stratifiers
        for value in domain(stratifier)
        if strata.get(stratifier, {}).get(value, Cell(0)).count == 0
    ]
    for size in range(1, len(absent) + 1):
        for chosen in itertools.combinations(absent, size):
            excluded: dict[str, set[str]] = defaultdict(set)
            for stratifier, value in chosen:
                excluded[stratifier].add(value)
            filters = {
                s: tuple(v for v in domain(s) if v not in values) for s, values in excluded.items()
            }
            if all(filters.values()):
                yield filters


def period_differencing(
    attacker: Attacker, *, policy: str, start: date, first_end: date, days: int, min_cell: int
) -> tuple[AttackResult, AttackResult, AttackResult]:
    """Difference periods ending one day apart; profile every patient so isolated alone.

    Returns the differencing result and the profiling results for sex and for age band.
    """
    stratify = ("sex", "age-band")
    ends = [first_end + timedelta(days=d) for d in range(days + 1)]
    published: list[tuple[int | None, dict[str, dict[str, int | None]]] | None] = []
    exact = []
    try:
        for end in ends:
            query = base_query(start, end, stratify=stratify)
            answer = attacker.ask(query)
            published.append(None if answer is None else _flat(answer))
            exact.append(_flat_exact(attacker.truth.counts(query)[0]))
    except OutOfQueries:
        pass
    truths, guesses = [], []
    profiles: dict[str, tuple[list[str], list[str | None]]] = {s: ([], []) for s in stratify}
    for before, after, true_before, true_after in zip(
        published, published[1:], exact, exact[1:], strict=False
    ):
        increment = true_after[0] - true_before[0]
        if not 1 <= increment < min_cell:
            continue
        truths.append(increment)
        seen = None
        if before is not None and after is not None and None not in (before[0], after[0]):
            seen = max(1, min(min_cell - 1 + CKM_MAX, after[0] - before[0]))  # type: ignore[operator]
        guesses.append(seen)
        if increment == 1:
            for stratifier in stratify:
                grown = [
                    v
                    for v in true_after[1][stratifier]
                    if true_after[1][stratifier][v] > true_before[1][stratifier][v]
                ]
                profiles[stratifier][0].append(grown[0])
                profiles[stratifier][1].append(_grown(before, after, stratifier))
    differencing = score("period differencing", policy, attacker, truths, guesses)
    sex = score("profiling: sex", policy, attacker, *profiles["sex"])
    age = score("profiling: age band", policy, attacker, *profiles["age-band"])
    return differencing, sex, age


def _flat(answer: MeasureAnswer) -> tuple[int | None, dict[str, dict[str, int | None]]]:
    result = answer.populations[0]
    strata = {k: {v: c.count for v, c in table.items()} for k, table in result.strata.items()}
    return result.total.count, strata


def _flat_exact(result: object) -> tuple[int, dict[str, dict[str, int]]]:
    total = result.total.count or 0  # type: ignore[attr-defined]
    strata = {
        k: {v: c.count or 0 for v, c in table.items()}
        for k, table in result.strata.items()  # type: ignore[attr-defined]
    }
    return total, strata


def _grown(before: object, after: object, stratifier: str) -> str | None:
    """Return the stratum that grew most between two published answers (None if unclear)."""
    if before is None or after is None:
        return None
    old, new = before[1].get(stratifier, {}), after[1].get(stratifier, {})  # type: ignore[index]
    growth = {
        value: new[value] - old.get(value, 0)
        for value in new
        if new[value] is not None and old.get(value, 0) is not None
    }
    if not growth:
        return None
    best = max(growth.values())
    leaders = [value for value, grown in growth.items() if grown == best]
    return leaders[0] if best > 0 and len(leaders) == 1 else None


def milp_reconstruction(
    attacker: Attacker, *, policy: str, base: MeasureQuery, min_cell: int, seed: int = 1
) -> AttackResult:
    """Reconstruct the sex × age-band grid from overlapping rectangles by integer programming.

    Rectangles are random value lists of sex and age band, stratified both ways. When the node
    refuses value lists, the attacker asks the lattice of single values instead, in the base
    period and in periods ending 14, 28, … days later, as soft constraints (those cells hold the
    base period's patients and a few more).
    """
    sexes, bands = domain("sex"), domain("age-band")
    atoms = list(itertools.product(sexes, bands))
    truth = {}
    for sex in sexes:
        exact = attacker.truth.counts(
            replace(base, filters={"sex": (sex,)}, stratify=("age-band",))
        )
        for band, cell in exact[0].strata["age-band"].items():
            truth[(sex, band)] = cell.count or 0
    rng = random.Random(seed)
    rows: list[tuple[list[int], float, float]] = []
    centres: list[tuple[list[int], int, float]] = []
    refused_in_a_row = 0
    try:
        while refused_in_a_row < 20:
            chosen = (
                tuple(s for s in sexes if rng.random() < 0.6) or (rng.choice(sexes),),
                tuple(b for b in bands if rng.random() < 0.6) or (rng.choice(bands),),
            )
            answered = _ask_rectangle(attacker, base, chosen, atoms, rows, centres, min_cell)
            refused_in_a_row = 0 if answered else refused_in_a_row + 1
        for step in itertools.count():
            period = replace(base, period_end=base.period_end + timedelta(days=14 * step))
            for sex in (None, *sexes):
                chosen = (sexes if sex is None else (sex,), bands)
                _ask_rectangle(
                    attacker, period, chosen, atoms, rows, centres, min_cell, soft=step > 0
                )
    except OutOfQueries:
        pass
    estimate = _solve(len(atoms), rows, centres)
    targets = [(atom, truth[atom]) for atom in atoms if 1 <= truth[atom] < min_cell]
    guesses = [None if estimate is None else int(estimate[atoms.index(a)]) for a, _ in targets]
    return score("MILP reconstruction", policy, attacker, [n for _, n in targets], guesses)


def _ask_rectangle(
    attacker: Attacker,
    base: MeasureQuery,
    chosen: tuple[tuple[str, ...], tuple[str, ...]],
    atoms: list[tuple[str, str]],
    rows: list[tuple[list[int], float, float]],
    centres: list[tuple[list[int], int, float]],
    min_cell: int,
    *,
    soft: bool = False,
) -> bool:
    """Ask one rectangle stratified by sex and age band; add its cells as constraints."""
    chosen_sexes, chosen_bands = chosen
    filters = {}
    if len(chosen_sexes) < len(domain("sex")):
        filters["sex"] = chosen_sexes
    if len(chosen_bands) < len(domain("age-band")):
        filters["age-band"] = chosen_bands
    answer = attacker.ask(replace(base, filters=filters, stratify=("sex", "age-band")))
    if answer is None:
        return False
    result = answer.populations[0]
    # Strata outside the filter are zero by construction (listed when zeros are masked).
    sex_strata = result.strata.get("sex", {})
    band_strata = result.strata.get("age-band", {})
    cells = [(result.total, chosen_sexes, chosen_bands)]
    cells += [(c, (v,), chosen_bands) for v, c in sex_strata.items() if v in chosen_sexes]
    cells += [(c, chosen_sexes, (v,)) for v, c in band_strata.items() if v in chosen_bands]
    for cell, cell_sexes, cell_bands in cells:
        index = [atoms.index((s, b)) for s in cell_sexes for b in cell_bands]
        _constrain(cell, answer, index, rows, centres, min_cell, soft=soft)
    for sex in chosen_sexes:  # a sex stratum left out is zero (masked ones are listed)
        if sex not in result.strata.get("sex", {}):
            index = [atoms.index((sex, b)) for b in chosen_bands]
            centres.append((index, 0, float("inf") if soft else 0.0))
    return True


def _constrain(
    cell: Cell,
    answer: MeasureAnswer,
    index: list[int],
    rows: list[tuple[list[int], float, float]],
    centres: list[tuple[list[int], int, float]],
    min_cell: int,
    *,
    soft: bool = False,
) -> None:
    """Add what the attacker knows of one published cell (its labels and the public policy)."""
    policy = answer.policy
    perturbed = "perturbed" in cell.reasons or "perturbed" in _labels(answer)
    if cell.count is None:
        if "small-cell" in cell.reasons and not soft:
            low = 0 if policy.mask_zero or perturbed else 1
            high = min_cell - 1 + (CKM_MAX if perturbed else 0)
            rows.append((index, low, high))
        return
    half = 0.0
    if "rounded" in cell.reasons:
        half += policy.rounding // 2
    if "perturbed" in cell.reasons:
        half += CKM_MAX
    if "noised" in cell.reasons or soft:
        half = float("inf")  # unbounded noise, or a different period: a soft constraint only
    centres.append((index, cell.count, half))


def _solve(
    atoms: int,
    rows: list[tuple[list[int], float, float]],
    centres: list[tuple[list[int], int, float]],
) -> np.ndarray | None:
    """Return integer atom counts fitting every bound, closest (L1) to every published value."""
    if not centres:
        return None
    m = len(centres)
    # Variables: atoms x (integers ≥ 0), then r⁺ and r⁻ per published value (A x − c = r⁺ − r⁻).
    size = atoms + 2 * m
    cost = np.concatenate([np.zeros(atoms), np.ones(2 * m)])
    constraints = []
    equality = np.zeros((m, size))
    budget = np.zeros((m, size))
    centre = np.zeros(m)
    limit = np.zeros(m)
    for i, (index, value, half) in enumerate(centres):
        equality[i, index] = 1
        equality[i, atoms + i] = -1
        equality[i, atoms + m + i] = 1
        centre[i] = value
        budget[i, atoms + i] = budget[i, atoms + m + i] = 1
        limit[i] = half if half != float("inf") else np.inf
    constraints.append(LinearConstraint(equality, centre, centre))
    constraints.append(LinearConstraint(budget, 0, limit))
    if rows:
        masked = np.zeros((len(rows), size))
        for i, (index, _, _) in enumerate(rows):
            masked[i, index] = 1
        constraints.append(
            LinearConstraint(masked, [low for _, low, _ in rows], [high for _, _, high in rows])
        )
    integrality = np.concatenate([np.ones(atoms), np.zeros(2 * m)])
    result = milp(
        cost,
        constraints=constraints,
        integrality=integrality,
        bounds=Bounds(np.zeros(size), np.full(size, np.inf)),
        options={"time_limit": 60},
    )
    if result.x is None:
        return None
    return np.rint(result.x[:atoms])


def averaging(
    attacker: Attacker,
    *,
    policy: str,
    base: MeasureQuery,
    min_cell: int,
    rephrase: bool,
    targets_at_most: int = 4,
) -> AttackResult:
    """Average the differencing of the same sets over repeated (or rephrased) answers.

    The difference is the pair (every value) − (every value but one), or, where the node refuses
    value lists, the total minus each other single value.
    """
    targets = small_strata(attacker, base, min_cell)[:targets_at_most]
    estimates: dict[Target, list[int]] = defaultdict(list)
    try:
        for number in itertools.count():
            for target in targets:
                every = attacker.total(
                    _phrase(base, {target.stratifier: domain(target.stratifier)}, number, rephrase)
                )
                without = attacker.total(_phrase(base, _without(target), number, rephrase))
                if without is None:
                    others = [
                        attacker.total(_phrase(base, {target.stratifier: (v,)}, number, rephrase))
                        for v in domain(target.stratifier)
                        if v != target.value
                    ]
                    without = None if None in others else sum(others)  # type: ignore[arg-type]
                if every is not None and without is not None:
                    estimates[target].append(every - without)
    except OutOfQueries:
        pass
    guesses = [combine(estimates[t], low=1, high=min_cell - 1 + CKM_MAX) for t in targets]
    name = "averaging: rephrasing" if rephrase else "averaging: repetition"
    return score(name, policy, attacker, [t.count for t in targets], guesses)


def _phrase(
    base: MeasureQuery, filters: dict[str, tuple[str, ...]], number: int, rephrase: bool
) -> MeasureQuery:
    """Return the query phrased the ``number``-th way (the same patients every time)."""
    if not rephrase:
        return replace(base, filters=filters)
    # A start moved back before any data selects the same patients; so does listing every value
    # of filters not used (in a rotating choice) and asking for the catalogue version.
    start = base.period_start - timedelta(days=number)
    extra = {
        key: domain(key)
        for bit, key in enumerate(STRATIFIERS)
        if key not in filters and (number >> bit) & 1
    }
    return replace(
        base,
        period_start=start,
        filters={**filters, **extra},
        version="1" if number % 2 else None,
    )


def nested_complements(
    attacker: Attacker, *, policy: str, queries: Sequence[MeasureQuery], min_cell: int
) -> AttackResult:
    """Subtract children from parents within each answer (declared nested pairs)."""
    truths: list[int] = []
    guesses: list[int | None] = []
    try:
        for query in queries:
            answer = attacker.ask(query)
            exact = {r.population: r for r in attacker.truth.counts(query)}
            for pair in catalogue_nesting(query.measure):
                if pair.child not in exact or pair.parent not in exact:
                    continue
                child, parent = exact[pair.child], exact[pair.parent]
                refs: list[tuple[str | None, str | None]] = [(None, None)]
                refs += [
                    (key, value)
                    for key in sorted(pair.stratifiers & child.strata.keys())
                    for value in child.strata[key]
                ]
                for key, value in refs:
                    true = _count(parent, key, value) - _count(child, key, value)
                    if not 1 <= true < min_cell:
                        continue
                    truths.append(true)
                    guesses.append(
                        _published_complement(answer, pair.parent, pair.child, key, value)
                    )
    except OutOfQueries:
        pass
    high = min_cell - 1 + CKM_MAX
    clipped = [None if g is None else max(1, min(high, g)) for g in guesses]
    return score("nested complements", policy, attacker, truths, clipped)


def _count(result: object, key: str | None, value: str | None) -> int:
    if key is None:
        return result.total.count or 0  # type: ignore[attr-defined]
    return result.strata.get(key, {}).get(value, Cell(0)).count or 0  # type: ignore[attr-defined]


def _published_complement(
    answer: MeasureAnswer | None, parent: str, child: str, key: str | None, value: str | None
) -> int | None:
    if answer is None:
        return None
    try:
        parent_result, child_result = answer.population(parent), answer.population(child)
    except KeyError:
        return None
    if key is None:
        p, c = parent_result.total.count, child_result.total.count
    else:
        p = parent_result.strata.get(key, {}).get(value, Cell(0)).count
        c = child_result.strata.get(key, {}).get(value, Cell(0)).count
    return None if p is None or c is None else p - c


def blind_only(truths: Sequence[int]) -> float:
    """Return the blind guess's share for ``truths`` (for reports without an attack)."""
    if not truths:
        return 0.0
    blind = blind_value(truths)
    return sum(t == blind for t in truths) / len(truths)
