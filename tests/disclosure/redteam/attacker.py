"""The attacker's side: a query budget, refusals counted, and how results are scored.

Scoring follows ``docs/privacy.md``: per attack, the share of *target* cells (true count
``1 ≤ n < min_cell``) whose exact value the attacker's guess hits, beside a *blind guess* (the most
common true value among the targets, guessed for every one). Where an attack learns nothing about a
target it falls back to that blind guess, so an attack scores at least about the blind share and
every point above it was learnt from the answers. Utility: of the published counts whose true value
is ≥ 50, the share within ±5% of the truth.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from app.errors import BudgetExhausted, PolicyRefusal
from app.exchange.answer import MeasureAnswer
from app.exchange.query import MeasureQuery
from tests.disclosure.redteam.oracle import Truth, cells_of
from tests.disclosure.redteam.policies import Answerer

UTILITY_FLOOR = 50
UTILITY_TOLERANCE = 0.05


class OutOfQueries(Exception):
    """The attacker has used its query budget."""


@dataclass
class Attacker:
    """Asks queries through a policy within a budget; keeps the utility of what it was shown."""

    answer: Answerer
    truth: Truth
    budget: int
    queries: int = 0
    refused: int = 0
    utility_cells: int = 0
    utility_close: int = 0
    seen: dict[str, MeasureAnswer | None] = field(default_factory=dict)

    @property
    def remaining(self) -> int:
        """Return how many queries are left."""
        return self.budget - self.queries

    def ask(self, query: MeasureQuery) -> MeasureAnswer | None:
        """Return the published answer, ``None`` when refused; raises ``OutOfQueries``."""
        if self.queries >= self.budget:
            raise OutOfQueries
        self.queries += 1
        try:
            answer = self.answer(query)
        except (PolicyRefusal, BudgetExhausted):
            self.refused += 1
            return None
        truth = self.truth.cells(query)
        for ref, count in cells_of(answer.populations).items():
            true = truth.get(ref) or 0
            if count is not None and true >= UTILITY_FLOOR:
                self.utility_cells += 1
                self.utility_close += abs(count - true) <= UTILITY_TOLERANCE * true
        return answer

    def total(self, query: MeasureQuery, population: str | None = None) -> int | None:
        """Return the published group total of ``query`` (first population by default)."""
        answer = self.ask(query)
        if answer is None:
            return None
        result = answer.populations[0] if population is None else answer.population(population)
        return result.total.count


@dataclass(frozen=True)
class AttackResult:
    """What one attack achieved under one policy."""

    attack: str
    policy: str
    targets: int
    recovered: int
    blind: int
    queries: int
    refused: int
    utility_cells: int
    utility_close: int

    @property
    def recovered_share(self) -> float:
        """Return the share of targets recovered exactly."""
        return self.recovered / self.targets if self.targets else 0.0

    @property
    def blind_share(self) -> float:
        """Return the share a blind guess gets right."""
        return self.blind / self.targets if self.targets else 0.0

    @property
    def excess(self) -> float:
        """Return the points (0..1) by which the attack beats the blind guess."""
        return self.recovered_share - self.blind_share

    @property
    def utility(self) -> float | None:
        """Return the share of published counts ≥ 50 within ±5%, or None when there were none."""
        return self.utility_close / self.utility_cells if self.utility_cells else None

    def line(self) -> str:
        """Return a one-line report."""
        utility = "   -  " if self.utility is None else f"{100 * self.utility:5.1f}%"
        return (
            f"{self.attack:<28} {self.policy:<20} targets {self.targets:4d}  "
            f"recovered {100 * self.recovered_share:5.1f}%  blind {100 * self.blind_share:5.1f}%  "
            f"queries {self.queries:4d} (refused {self.refused:3d})  utility {utility}"
        )


def blind_value(truths: Sequence[object]) -> object:
    """Return the most common true value (ties: the smallest), the blind guess."""
    counts = Counter(truths)
    best = max(counts.values())
    return min(value for value, number in counts.items() if number == best)  # type: ignore[type-var]


def score(
    attack: str,
    policy: str,
    attacker: Attacker,
    truths: Sequence[object],
    guesses: Sequence[object | None],
) -> AttackResult:
    """Return the result of guesses (``None``: no information, the blind guess is used)."""
    blind = blind_value(truths) if truths else None
    final = [blind if guess is None else guess for guess in guesses]
    return AttackResult(
        attack=attack,
        policy=policy,
        targets=len(truths),
        recovered=sum(g == t for g, t in zip(final, truths, strict=True)),
        blind=sum(t == blind for t in truths),
        queries=attacker.queries,
        refused=attacker.refused,
        utility_cells=attacker.utility_cells,
        utility_close=attacker.utility_close,
    )


def combine(estimates: Sequence[float], *, low: int, high: int) -> int | None:
    """Return the rounded mean of ``estimates`` clipped to ``[low, high]``, None without any."""
    if not estimates:
        return None
    mean = sum(estimates) / len(estimates)
    return max(low, min(high, round(mean)))
