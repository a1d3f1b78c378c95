"""Policies as answering functions: query → published answer (or a refusal), as a node would.

``node_policy`` is the node's own answering function under a ``[disclosure]`` section.
``CellKeyPrototype`` answers under cell-key perturbation from the oracle's exact member sets (the same perturbation
table and chain as the node's) with an optional ``DifferencingGuard`` (the near-duplicate check
over exact sketches): the node's SQL cell keys and stored sketches must give the same answers.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache

import orjson
from sqlalchemy import Engine

from app.catalogue import load_catalogue
from app.config import DisclosureSection
from app.disclosure import apply_disclosure
from app.disclosure.differencing import (
    CellSketch,
    mask_near_duplicates,
    near_duplicates,
    partial_value_lists,
    shown_cells,
    sketch_of,
)
from app.disclosure.membership import CellRef
from app.disclosure.nesting import Nesting, nesting_closure
from app.disclosure.perturbation import perturbation_table
from app.errors import PolicyRefusal
from app.exchange.answer import DisclosurePolicy, MeasureAnswer, PopulationResult
from app.exchange.measure_report import from_measure_report
from app.exchange.query import MeasureQuery
from app.measures import (
    evaluate_measure,
    overlapping_by_population,
    strata_overlap,
    validate_query,
)
from app.node.answers import answer_query
from app.package_data import data_path
from tests.disclosure.redteam.oracle import Members, cell_members, member_hashes, memberships
from tests.disclosure.redteam.registry import SECRET

Answerer = Callable[[MeasureQuery], MeasureAnswer]
SUBSET_URL = "https://ketanet.org/fhir/StructureDefinition/population-subset-of"


def node_policy(
    engine: Engine,
    settings: DisclosureSection,
    requester: str = "attacker",
    seed: int = 7,
    noise_secret: bytes | None = None,
) -> Answerer:
    """Return the node's answering function under ``settings`` for one requester.

    ``noise_secret`` keys noise by the cells' members as a running node does; without it noise is
    drawn from a seeded source (the unkeyed noise of release 0.1.0).
    """
    rng = random.Random(seed)  # noise (where unkeyed) repeatable from run to run

    def answer(query: MeasureQuery) -> MeasureAnswer:
        report = answer_query(
            engine,
            query,
            requester_kid=requester,
            settings=settings,
            data_version="v1",
            rng=rng,
            noise_secret=noise_secret,
        )
        return from_measure_report(orjson.loads(report))

    return answer


@cache
def catalogue_nesting(measure: str) -> tuple[Nesting, ...]:
    """Return the closed nesting pairs the catalogue declares for ``measure``."""
    resource = json.loads(data_path(f"schemas/measures/{measure}.json").read_text("utf-8"))
    pairs = []
    for group in resource["group"]:
        for extension in group.get("extension", []):
            if extension["url"] != SUBSET_URL:
                continue
            parts = extension["extension"]
            parent = next(p["valueCode"] for p in parts if p["url"] == "population")
            strata = frozenset(p["valueCode"] for p in parts if p["url"] == "stratifier")
            pairs.append(Nesting(group["id"], parent, strata))
    return tuple(nesting_closure(pairs))


@dataclass
class DifferencingGuard:
    """The node's refusal of near-duplicates (``app.disclosure.differencing``) over a log of the
    sketches released to one requester: near-duplicate strata are masked, and an answer whose
    group total is a near-duplicate is refused (``strict``: any near-duplicate refuses)."""

    threshold: int
    strict: bool = False
    released: dict[tuple[str, int], list[CellSketch]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def check(
        self, populations: list[PopulationResult], members: Members, units: dict[str, str]
    ) -> list[PopulationResult]:
        """Return the answer with near-duplicates masked; raises ``PolicyRefusal``."""
        near: set[CellRef] = set()
        for unit in set(units.values()):
            sketches = {
                ref: _sketch(members.get(ref, frozenset()), ref[0], unit)
                for ref in shown_cells(populations)
                if units[ref[0]] == unit
            }
            sizes = {
                s.size + d
                for s in sketches.values()
                for d in range(-self.threshold, self.threshold)
            }
            released = {size: self.released.get((unit, size), []) for size in sizes}
            near |= near_duplicates(sketches, released, self.threshold)
        if any(ref[1] is None for ref in near) or (near and self.strict):
            raise PolicyRefusal("disclosure: near-duplicate of an earlier answer")
        populations = mask_near_duplicates(populations, near)
        for ref in shown_cells(populations):
            sketch = _sketch(members.get(ref, frozenset()), ref[0], units[ref[0]])
            bucket = self.released[(units[ref[0]], sketch.size)]
            if sketch not in bucket:
                bucket.append(sketch)
        return populations


def _sketch(members: frozenset[str], population: str, unit: str) -> CellSketch:
    return sketch_of(member_hashes(members, population, unit, SECRET))


@dataclass
class CellKeyPrototype:
    """Answers under cell-key perturbation from exact memberships, optionally guarded."""

    engine: Engine
    min_cell: int = 11
    mask_zero: bool = False
    ckm_max: int = 3
    variance: float = 4.0
    value_lists: bool = True
    guards: tuple[DifferencingGuard, ...] = ()

    def __call__(self, query: MeasureQuery) -> MeasureAnswer:
        """Return the perturbed answer; raises ``PolicyRefusal`` from the guard."""
        query = validate_query(query)
        if not self.value_lists:
            domains = load_catalogue()[query.measure].filters
            if partial_value_lists(query.filters, domains):
                raise PolicyRefusal("disclosure: filters take one value or every value")
        policy = DisclosurePolicy(
            min_cell=max(self.min_cell, query.min_cell or 0), mask_zero=self.mask_zero
        )
        with self.engine.connect() as connection:
            exact = evaluate_measure(connection, query, include_zero_strata=self.mask_zero)
            members, units = cell_members(connection, query)
        populations, _ = apply_disclosure(
            exact,
            policy=policy,
            table=perturbation_table(ckm_max=self.ckm_max, variance=self.variance),
            memberships=memberships(members, units, SECRET),
            nesting=catalogue_nesting(query.measure),
        )
        for guard in self.guards:
            populations = guard.check(populations, members, units)
        overlapping = overlapping_by_population(query)
        return MeasureAnswer(
            measure=query.measure,
            version=query.version or "",
            period_start=query.period_start,
            period_end=query.period_end,
            populations=[
                replace(r, overlapping=overlapping.get(r.population, frozenset()))
                for r in populations
            ],
            policy=policy,
            strata_overlap=strata_overlap(query),
        )
