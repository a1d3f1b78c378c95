"""Privacy bench: what each attack recovers under each policy, and what utility the policy keeps.

Builds one synthetic node store (``--patients``, default 1200), then runs every attack of the
suite (``tests/disclosure/redteam``) with up to ``--queries`` queries (default 500) against each
policy, through the node's own answering function. Per attack and policy it prints the share of
target cells (true count 1..min_cell−1; for profiling, isolated patients) recovered exactly,
beside a blind guess (the most common true value), the queries asked and refused, and the utility
of what the attacker was shown (published counts with a true value ≥ 50 within ±5%).

A last table runs a *legitimate* workload (the demo's standard set and single-value filters over
eight periods) under each policy: the share of its queries answered, and its utility.

    python bench/bench_privacy.py [--queries 500] [--patients 1200] [--policies default exact]
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the red team lives with the tests

from app.config import DisclosureSection
from app.errors import BudgetExhausted, PolicyRefusal
from app.exchange.query import MeasureQuery
from tests.disclosure.redteam import attacks
from tests.disclosure.redteam.attacker import Attacker, AttackResult
from tests.disclosure.redteam.oracle import Truth, cells_of
from tests.disclosure.redteam.policies import Answerer, node_policy
from tests.disclosure.redteam.registry import build_registry

MIN_CELL = 11
EXACT = {"perturbation": "none", "refuse_near_duplicates": False, "value_lists": True}
POLICIES: dict[str, dict[str, Any]] = {
    "exact counts": {**EXACT},
    "rounding 5": {**EXACT, "rounding": 5, "mask_zero": True},
    "cell-key only": {"refuse_near_duplicates": False, "value_lists": True},
    "cell-key, no lists": {"refuse_near_duplicates": False},
    "default": {},
    "keyed noise e=1": {
        **EXACT,
        "epsilon": 1.0,
        "epsilon_budget": 20.0,
        "refuse_near_duplicates": True,
        "value_lists": False,
    },
}
"""``default`` is ``[disclosure]`` with nothing set: cell-key perturbation, refusal of
near-duplicates and of value lists."""
NOISE_SECRET = b"bench-privacy-noise-secret-0123456789"
REQUESTERS = itertools.count()


def answerer(engine: Any, policy: str) -> Answerer:
    """Return a fresh requester's answering function under ``policy`` (nothing released yet)."""
    settings = DisclosureSection(min_cell=MIN_CELL, **POLICIES[policy])
    requester = f"bench-{next(REQUESTERS)}"
    return node_policy(engine, settings, requester=requester, noise_secret=NOISE_SECRET)


def run_attacks(engine: Any, policy: str, queries: int) -> list[AttackResult]:
    """Run every attack once under ``policy``, each as a fresh requester."""
    truth = Truth(engine)

    def attacker() -> Attacker:
        return Attacker(answerer(engine, policy), truth, queries)

    bases = [
        attacks.base_query(date(year, month, 1), date(year, month + 5, 30))
        for year in (2023, 2024, 2025)
        for month in (1, 7)
    ]
    year = attacks.base_query(date(2024, 1, 1), date(2024, 12, 31))
    from_start = attacks.base_query(date(2023, 1, 1), date(2023, 12, 31))
    nested = [
        MeasureQuery(measure, None, date(y, 1, 1), date(y, 12, 31), {}, stratify, parameters)
        for y in (2023, 2024, 2025)
        for measure, stratify, parameters in [
            ("discontinuations", ("drug", "route"), {}),
            (
                "efficacy",
                ("drug", "route", "sex", "age-band"),
                {"instrument": "MADRS", "timepoint": "day28"},
            ),
            (
                "efficacy",
                ("drug", "route", "sex", "age-band"),
                {"instrument": "PHQ9", "timepoint": "day7"},
            ),
            ("guideline-adherence", ("drug", "route"), {}),
            ("adverse-events", (), {}),
        ]
    ]
    return [
        attacks.filter_differencing(
            attacker(), policy=policy, bases=bases, min_cell=MIN_CELL, determined=False
        ),
        attacks.filter_differencing(
            attacker(), policy=policy, bases=bases[:2], min_cell=MIN_CELL, determined=True
        ),
        *attacks.period_differencing(
            attacker(),
            policy=policy,
            start=date(2024, 1, 1),
            first_end=date(2024, 2, 1),
            days=min(queries - 1, 300),
            min_cell=MIN_CELL,
        ),
        attacks.milp_reconstruction(attacker(), policy=policy, base=year, min_cell=MIN_CELL),
        attacks.averaging(
            attacker(), policy=policy, base=from_start, min_cell=MIN_CELL, rephrase=False
        ),
        attacks.averaging(
            attacker(), policy=policy, base=from_start, min_cell=MIN_CELL, rephrase=True
        ),
        attacks.nested_complements(attacker(), policy=policy, queries=nested, min_cell=MIN_CELL),
    ]


STANDARD: tuple[dict[str, Any], ...] = (
    {"measure": "treated-patients", "stratify": ("route",)},
    {"measure": "treated-patients", "stratify": ("sex", "age-band")},
    {"measure": "administrations", "stratify": ("drug",)},
    {"measure": "adverse-events", "stratify": ("event",)},
    {"measure": "efficacy", "parameters": {"instrument": "MADRS", "timepoint": "day28"}},
    {"measure": "efficacy", "parameters": {"instrument": "PHQ9", "timepoint": "day7"}},
    {"measure": "discontinuations", "stratify": ("reason",)},
    {"measure": "guideline-adherence", "parameters": {"max-take-home-mg": 300}},
    {"measure": "treated-patients", "filters": {"sex": ("female",)}, "stratify": ("route",)},
    {"measure": "efficacy", "filters": {"drug": ("esketamine",)},
     "parameters": {"instrument": "MADRS", "timepoint": "day28"}},
)  # fmt: skip


def legitimate_workload() -> list[MeasureQuery]:
    """Return the standard set and single-value filters over eight periods (halves and years)."""
    periods = [(date(y, m, 1), date(y, m + 5, 30)) for y in (2023, 2024, 2025) for m in (1, 7)]
    periods += [(date(2023, 1, 1), date(2023, 12, 31)), (date(2024, 1, 1), date(2024, 12, 31))]
    return [
        MeasureQuery(
            spec["measure"],
            None,
            start,
            end,
            spec.get("filters", {}),
            spec.get("stratify", ()),
            spec.get("parameters", {}),
        )
        for start, end in periods
        for spec in STANDARD
    ]


def run_workload(engine: Any, policy: str) -> tuple[int, int, int, int]:
    """Return (queries, answered, cells ≥ 50 shown, of them within ±5%) of the legit workload."""
    answer, truth = answerer(engine, policy), Truth(engine)
    answered = cells = close = 0
    workload = legitimate_workload()
    for query in workload:
        try:
            published = answer(query)
        except (PolicyRefusal, BudgetExhausted):
            continue
        answered += 1
        true = truth.cells(query)
        for ref, count in cells_of(published.populations).items():
            value = true.get(ref) or 0
            if count is not None and value >= 50:
                cells += 1
                close += abs(count - value) <= 0.05 * value
    return len(workload), answered, cells, close


def main(argv: list[str] | None = None) -> int:
    """Run the bench and print its tables; return the exit status."""
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]  # rows as they come
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--patients", type=int, default=1200)
    parser.add_argument("--policies", nargs="*", default=list(POLICIES), choices=list(POLICIES))
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        registry = build_registry(Path(folder) / "node", patients=options.patients)
        engine = registry.engine()
        print(
            f"node store: {options.patients} synthetic patients "
            f"(built in {time.perf_counter() - started:.1f} s); up to {options.queries} queries "
            f"per attack; min_cell {MIN_CELL}; the machine may be shared, times are indicative\n"
        )
        print(f"{'attack':<28} {'policy':<20} {'targets':>7} {'recovered':>9} {'blind':>6} "
              f"{'excess':>7} {'queries':>7} {'refused':>7} {'utility':>8}")  # fmt: skip
        worst: dict[str, float] = {}
        for policy in options.policies:
            started = time.perf_counter()
            for result in run_attacks(engine, policy, options.queries):
                utility = "-" if result.utility is None else f"{100 * result.utility:.1f}%"
                print(
                    f"{result.attack:<28} {policy:<20} {result.targets:>7} "
                    f"{100 * result.recovered_share:>8.1f}% {100 * result.blind_share:>5.1f}% "
                    f"{100 * result.excess:>+6.1f} {result.queries:>7} {result.refused:>7} "
                    f"{utility:>8}"
                )
                worst[policy] = max(worst.get(policy, -1.0), result.excess)
            print(f"{'':<28} {policy:<20} ({time.perf_counter() - started:.0f} s)\n")
        print("worst excess over the blind guess, per policy (points):")
        for policy, excess in worst.items():
            print(f"  {policy:<20} {100 * excess:+5.1f}")
        print("\nlegitimate workload (standard set and single-value filters over 8 periods):")
        print(f"{'policy':<20} {'answered':>9} {'cells>=50':>10} {'within 5%':>10}")
        for policy in options.policies:
            total, answered, cells, close = run_workload(engine, policy)
            share = f"{100 * close / cells:.1f}%" if cells else "-"
            print(f"{policy:<20} {answered:>4}/{total:<4} {cells:>10} {share:>10}")
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
