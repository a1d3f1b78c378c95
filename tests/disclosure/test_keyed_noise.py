"""Keyed noise: one set of members, one noisy value; the ledger pays for new cells only."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from app.disclosure.keyed_noise import (
    KeyedRandom,
    ReleasedCell,
    add_keyed_noise,
    keyed_draw,
    noise_seed,
    release_cost,
    released_cells,
)
from app.disclosure.membership import CellMembership
from app.disclosure.noise import noise_half_width
from app.exchange.answer import Cell, PopulationResult

pytestmark = pytest.mark.disclosure
SECRET = b"s" * 32


def test_keyed_random_repeats_for_a_seed_and_differs_across_seeds() -> None:
    stream = KeyedRandom(b"a" * 32)
    first = [stream.randrange(10**12) for _ in range(3)]
    assert len(set(first)) == 3
    again = KeyedRandom(b"a" * 32)
    assert [again.randrange(10**12) for _ in range(3)] == first
    assert KeyedRandom(b"b" * 32).randrange(10**12) != first[0]
    with pytest.raises(ValueError, match="16 bytes"):
        KeyedRandom(b"short")
    with pytest.raises(NotImplementedError):
        KeyedRandom(b"a" * 32).getstate()


def test_keyed_random_bits_and_floats_are_uniform() -> None:
    rng = KeyedRandom(b"u" * 32)
    draws = [rng.randrange(7) for _ in range(14_000)]
    assert all(abs(draws.count(v) / 14_000 - 1 / 7) < 0.015 for v in range(7))
    floats = [rng.random() for _ in range(10_000)]
    assert min(floats) >= 0 and max(floats) < 1
    assert abs(sum(floats) / len(floats) - 0.5) < 0.01
    assert rng.getrandbits(0) == 0
    assert 0 <= rng.getrandbits(300) < 2**300


def test_keyed_draws_follow_the_discrete_laplace_law() -> None:
    scale = Fraction(2)
    draws = [
        keyed_draw(SECRET, ReleasedCell("p", (n, n % 256, n * 7919), scale)) for n in range(6000)
    ]
    q = math.exp(-1 / 2)
    assert abs(sum(draws) / len(draws)) < 0.12
    assert abs(draws.count(0) / len(draws) - (1 - q) / (1 + q)) < 0.02


def test_noise_seed_separates_population_members_scale_and_secret() -> None:
    cell = ReleasedCell("p", (10, 3, 99), Fraction(2))
    seeds = {
        noise_seed(SECRET, cell),
        noise_seed(SECRET, ReleasedCell("q", (10, 3, 99), Fraction(2))),
        noise_seed(SECRET, ReleasedCell("p", (10, 3, 98), Fraction(2))),
        noise_seed(SECRET, ReleasedCell("p", (10, 3, 99), Fraction(3))),
        noise_seed(b"t" * 32, cell),
    }
    assert len(seeds) == 5
    assert noise_seed(SECRET, cell) == noise_seed(SECRET, ReleasedCell("p", (10, 3, 99), 2))


def _answer(total: int, female: int) -> list[PopulationResult]:
    return [
        PopulationResult(
            "p", Cell(total), {"sex": {"female": Cell(female), "male": Cell(total - female)}}
        )
    ]


def _members(total: int, female: int, salt: int = 0) -> dict:
    return {
        ("p", None, None): CellMembership(total, total + salt, 1000 + salt),
        ("p", "sex", "female"): CellMembership(female, female, 2000),
        ("p", "sex", "male"): CellMembership(total - female, total - female + salt, 3000 + salt),
    }


def test_add_keyed_noise_repeats_for_the_same_members_however_the_cells_are_laid_out() -> None:
    sensitivities = {("p", None): 1, ("p", "sex"): 1}
    noised, half = add_keyed_noise(
        _answer(100, 40),
        epsilon=1.0,
        sensitivities=sensitivities,
        memberships=_members(100, 40),
        secret=SECRET,
    )
    again, _ = add_keyed_noise(
        _answer(100, 40),
        epsilon=1.0,
        sensitivities=sensitivities,
        memberships=_members(100, 40),
        secret=SECRET,
    )
    assert noised == again
    assert half == {"p": float(noise_half_width(Fraction(2)))}
    cells = [noised[0].total, *noised[0].strata["sex"].values()]
    assert all(cell.reasons == ("noised",) and (cell.count or 0) >= 0 for cell in cells)
    # The same female members inside a different answer (other total): the same noisy value.
    other, _ = add_keyed_noise(
        _answer(101, 40),
        epsilon=1.0,
        sensitivities=sensitivities,
        memberships=_members(101, 40, salt=1),
        secret=SECRET,
    )
    assert other[0].strata["sex"]["female"] == noised[0].strata["sex"]["female"]
    with pytest.raises(ValueError, match="sensitivity"):
        add_keyed_noise(
            _answer(100, 40),
            epsilon=1.0,
            sensitivities={("p", None): 1},
            memberships=_members(100, 40),
            secret=SECRET,
        )


def test_release_cost_charges_only_releases_with_a_new_cell() -> None:
    sensitivities = {("p", None): 1, ("p", "sex"): 1}
    scale = Fraction(2)  # ε = 1 over Σ Δ = 2
    first = released_cells(_answer(100, 40), memberships=_members(100, 40), scale=scale)
    seen = {cell for cells in first.values() for cell in cells}
    new = release_cost(first, released_before=set(), sensitivities=sensitivities, scale=scale)
    assert new == 1
    repeated = release_cost(first, released_before=seen, sensitivities=sensitivities, scale=scale)
    assert repeated == 0
    # A new total (one more patient, a male): the total and the sex table are both new releases
    # (the male stratum changed); the female stratum alone would not make its table new.
    later = released_cells(_answer(101, 40), memberships=_members(101, 40, salt=1), scale=scale)
    assert release_cost(later, released_before=seen, sensitivities=sensitivities, scale=scale) == 1
