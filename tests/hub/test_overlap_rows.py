"""The overlap rows of the hub: pair rows, and distinct-patients bounds that always hold the truth."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from app.disclosure.bounds import Bounded
from app.hub.overlap_rows import (
    PairFigure,
    distinct_patients,
    measured_overlap_caveat,
    overlap_rows,
)


def exact(n: int) -> Bounded:
    return Bounded("exact", n, n, n)


def figures(sets: dict[str, set[int]]) -> tuple[dict[str, Bounded], list[PairFigure]]:
    countries = {c: exact(len(s)) for c, s in sets.items()}
    pairs = [
        PairFigure(f"{a}+{b}", (a, b), exact(len(sets[a] & sets[b])))
        for a, b in itertools.combinations(sorted(sets), 2)
    ]
    return countries, pairs


people = st.sets(st.integers(min_value=0, max_value=40), max_size=30)


@settings(max_examples=200)
@given(st.lists(people, min_size=1, max_size=5))
def test_distinct_patients_bounds_hold_the_union(sets: list[set[int]]) -> None:
    named = {f"C{chr(65 + i)}": s for i, s in enumerate(sets)}
    countries, pairs = figures(named)
    bound = distinct_patients(countries, pairs)
    union = len(set().union(*sets))
    assert bound.lower <= union <= bound.upper


@given(people, people)
def test_two_countries_with_exact_inputs_give_an_exact_count(a: set[int], b: set[int]) -> None:
    countries, pairs = figures({"DE": a, "NO": b})
    bound = distinct_patients(countries, pairs)
    assert (bound.status, bound.count) == ("exact", len(a | b))


@given(st.lists(people, min_size=2, max_size=4), st.data())
def test_bounded_inputs_keep_the_truth_inside(sets: list[set[int]], data: st.DataObject) -> None:
    named = {f"C{chr(65 + i)}": s for i, s in enumerate(sets)}
    countries, pairs = figures(named)
    # Widen every input as disclosure control would (masked, perturbed) and drop some pairs.
    widened = {
        c: Bounded("bounded", None, max(0, b.lower - 3), b.upper + 3) for c, b in countries.items()
    }
    noisy = [
        PairFigure(p.pair, p.countries, None)
        if data.draw(st.booleans())
        else PairFigure(
            p.pair, p.countries, Bounded("masked", None, 0, (p.bound.upper if p.bound else 0) + 2)
        )
        for p in pairs
    ]
    bound = distinct_patients(widened, noisy)
    assert bound.lower <= len(set().union(*sets)) <= bound.upper
    assert bound.status == "bounded"


def test_rows_and_caveat() -> None:
    countries, pairs = figures({"DE": {1, 2, 3}, "NO": {3, 4}, "PT": {3, 5}})
    rows = overlap_rows(countries, [*pairs, PairFigure("NO+SE", ("NO", "PT"), None, "refused")])
    labels = [(r.population, r.stratifier, r.stratum, r.count) for r in rows]
    assert labels == [
        ("overlap", "pair", "DE+NO", 1),
        ("overlap", "pair", "DE+PT", 1),
        ("overlap", "pair", "NO+PT", 1),
        ("distinct-patients", None, None, None),
    ]
    caveat = measured_overlap_caveat("q-1", rows[:3], rows[3])
    assert "query q-1" in caveat and "DE+NO 1" in caveat and "distinct treated patients [" in caveat
