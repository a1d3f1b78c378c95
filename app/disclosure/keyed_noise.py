"""Keyed noise: the noise of a cell is a function of the node secret and the cell's members.

With ``epsilon > 0`` each cell's discrete-Laplace draw (the exact sampler of ``noise``) takes its
uniform integers from a generator seeded by ``HMAC-SHA256(node secret, population, membership
digest, scale)``. So the same set of patients, asked again in any phrasing at the same scale, gets
the same noisy value, and averaging repeated or rephrased answers learns nothing; the privacy
ledger charges only releases holding a cell not released before (``release_cost``).

The generator (``KeyedRandom``) is a ``random.Random`` whose bits are ``HMAC-SHA256(seed,
counter)`` blocks: a pseudo-random function of a 256-bit seed, so its output cannot be predicted
without the seed, and the seed cannot be computed without the node secret. (Python's default
Mersenne Twister seeded from the same digest would also be repeatable, but its state can be
reconstructed from 624 of its outputs; this generator has no such weakness to reason about.)

DP reading: modelling the HMAC as a random function, every distinct (population, members, scale)
gets independent noise, so one answer is the ordinary Laplace mechanism (ε-DP by the composition
of ``noise``), and re-releasing a cell with the same members and scale discloses nothing new — a
neighbouring dataset changes the members, hence the seed, of exactly the cells the patient is in.
"""

from __future__ import annotations

import hashlib
import hmac
import random
from collections.abc import Collection, Container, Mapping
from dataclasses import dataclass
from fractions import Fraction

from app.disclosure.cells import Populations, map_cells_by_ref
from app.disclosure.membership import CellMembership, CellRef, Memberships, membership_of
from app.disclosure.noise import (
    Release,
    check_sensitivities,
    noise_half_width,
    noise_scale_for,
    sample_discrete_laplace,
)
from app.exchange.answer import Cell

_SEED_DOMAIN = b"ketanet-keyed-noise-v1"
_BLOCK_BITS = 256


class KeyedRandom(random.Random):
    """A deterministic ``random.Random`` whose bits are HMAC-SHA256(seed, counter) blocks."""

    def __init__(self, seed: bytes) -> None:
        self._key = b""
        self._counter = 0
        self._pool = 0
        self._pool_bits = 0
        super().__init__(seed)

    def seed(self, a: object = None, version: int = 2) -> None:  # type: ignore[override]
        """Start the stream for the byte string ``a`` (at least 16 bytes); raises ``ValueError``."""
        if not isinstance(a, bytes) or len(a) < 16:
            raise ValueError("KeyedRandom needs a seed of at least 16 bytes")
        self._key = a
        self._counter = 0
        self._pool = 0
        self._pool_bits = 0

    def getrandbits(self, k: int) -> int:
        """Return ``k`` uniform bits from the stream."""
        if k < 0:
            raise ValueError("number of bits must be non-negative")
        while self._pool_bits < k:
            block = hmac.new(self._key, self._counter.to_bytes(8, "big"), hashlib.sha256)
            self._counter += 1
            self._pool = (self._pool << _BLOCK_BITS) | int.from_bytes(block.digest(), "big")
            self._pool_bits += _BLOCK_BITS
        self._pool_bits -= k
        bits = self._pool >> self._pool_bits
        self._pool &= (1 << self._pool_bits) - 1
        return bits

    def random(self) -> float:
        """Return a uniform float in [0, 1) with 53 random bits."""
        return self.getrandbits(53) / (1 << 53)

    def getstate(self) -> tuple[int, ...]:  # type: ignore[override]
        """Refuse: the stream is a function of its seed, restart it with the seed instead."""
        raise NotImplementedError("KeyedRandom has no state to save; reseed it")

    def setstate(self, state: object) -> None:
        """Refuse, as ``getstate``."""
        raise NotImplementedError("KeyedRandom has no state to restore; reseed it")


@dataclass(frozen=True)
class ReleasedCell:
    """A cell as the ledger sees it: population, members (digest) and the noise scale used."""

    population: str
    digest: tuple[int, int, int]
    scale: Fraction


def noise_seed(secret: bytes, cell: ReleasedCell) -> bytes:
    """Return the 32-byte seed of a cell's noise under the node ``secret``."""
    count, key, hash_sum = cell.digest
    fields = (
        _SEED_DOMAIN,
        cell.population.encode(),
        str(count).encode(),
        str(key).encode(),
        str(hash_sum).encode(),
        f"{cell.scale.numerator}/{cell.scale.denominator}".encode(),
    )
    return hmac.new(secret, b"\x1f".join(fields), hashlib.sha256).digest()


def keyed_draw(secret: bytes, cell: ReleasedCell) -> int:
    """Return the discrete-Laplace draw of ``cell`` (the same cell always draws the same)."""
    return sample_discrete_laplace(cell.scale, KeyedRandom(noise_seed(secret, cell)))


def released_cells(
    populations: Populations, *, memberships: Memberships, scale: Fraction
) -> dict[Release, set[ReleasedCell]]:
    """Return per release (population total or stratifier table) the cells it releases."""
    releases: dict[Release, set[ReleasedCell]] = {}
    for result in populations:
        refs: list[tuple[Release, CellRef, Cell]] = [
            ((result.population, None), (result.population, None, None), result.total)
        ]
        for key, table in result.strata.items():
            refs.extend(
                ((result.population, key), (result.population, key, value), cell)
                for value, cell in table.items()
            )
        for release, ref, cell in refs:
            if cell.count is None:
                continue
            member = membership_of(memberships, ref, cell.count)
            releases.setdefault(release, set()).add(
                ReleasedCell(result.population, member.digest, scale)
            )
    return releases


def add_keyed_noise(
    populations: Populations,
    *,
    epsilon: float,
    sensitivities: Mapping[Release, int],
    memberships: Memberships,
    secret: bytes,
) -> tuple[Populations, dict[str, float]]:
    """Return keyed-noised populations (negative draws clamped to 0) and each 95% half-width.

    Raises ``ValueError`` when a release has no sensitivity or a cell with members has no
    membership.
    """
    check_sensitivities(populations, sensitivities)
    scale = noise_scale_for(epsilon, sensitivities)

    def rule(ref: CellRef, cell: Cell) -> Cell:
        if cell.count is None:
            return cell
        member: CellMembership = membership_of(memberships, ref, cell.count)
        draw = keyed_draw(secret, ReleasedCell(ref[0], member.digest, scale))
        # Clamping is post-processing of a DP value, so it costs no privacy.
        return cell.with_reason("noised", count=max(0, cell.count + draw))

    half_width = float(noise_half_width(scale))
    noised = map_cells_by_ref(populations, rule)
    return noised, {result.population: half_width for result in populations}


def release_cost(
    releases: Mapping[Release, Collection[ReleasedCell]],
    *,
    released_before: Container[ReleasedCell],
    sensitivities: Mapping[Release, int],
    scale: Fraction,
) -> Fraction:
    """Return the ε an answer costs: ``Δᵢ / scale`` for each release holding a new cell.

    A release whose every cell was released before (same population, members and scale) repeats
    values already out, so it costs nothing; one new cell makes the release cost its full share
    (its cells are covered together by its sensitivity).
    """
    cost = Fraction(0)
    for release, cells in releases.items():
        if any(cell not in released_before for cell in cells):
            cost += Fraction(sensitivities[release]) / scale
    return cost
