"""Answer one measure query under the node's disclosure policy: the node's answering use case.

validate → cache lookup → budget check → evaluate (SQL) → disclose → the FHIR ``MeasureReport``
bytes → charge ε and store those bytes in the cache (one transaction). The bytes are made once:
a repeated question over unchanged data gets the cached bytes as they are (same noise, same time
stamp, no new ε), and the route signs exactly what it was given. The charge happens together with
the cache insert, so a concurrent twin of the query either finds the other's answer or pays for
its own. The time stamp comes from the injected clock and the noise from the injected random
source, so under a frozen clock (and a seeded source) the same data give the same bytes.
"""

from __future__ import annotations

import functools
import json
import random
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from fractions import Fraction

import orjson
from sqlalchemy import Engine, exc

from app.catalogue import load_catalogue
from app.config import DisclosureSection
from app.disclosure import apply_disclosure, effective_policy
from app.disclosure.differencing import partial_value_lists
from app.disclosure.nesting import Nesting, nesting_closure
from app.disclosure.noise import noise_scale_for
from app.disclosure.perturbation import PerturbationTable, perturbation_table
from app.errors import PolicyRefusal
from app.exchange.answer import DisclosurePolicy, MeasureAnswer
from app.exchange.measure_report import to_measure_report
from app.exchange.query import MeasureQuery, canonical_key
from app.measures import (
    answered_populations,
    evaluate_measure,
    evaluate_with_members,
    overlapping_by_population,
    release_sensitivities,
    strata_count,
    strata_overlap,
    validate_query,
)
from app.measures.limits import evaluation_limits
from app.node.releases import cell_material, charge_and_record, mask_or_refuse_near_duplicates
from app.store.answer_cache import answer_cache_key, cached_report, store_report
from app.store.privacy_ledger import charge_in_window, check_window_budget


def node_policy(settings: DisclosureSection) -> DisclosurePolicy:
    """Return the disclosure policy the node's ``[disclosure]`` settings set.

    With ``epsilon > 0`` keyed noise replaces cell-key perturbation, so the policy says ``none``.
    """
    cell_key = settings.perturbation == "cell-key" and settings.epsilon == 0
    return DisclosurePolicy(
        min_cell=settings.min_cell,
        mask_zero=settings.mask_zero,
        rounding=settings.rounding,
        epsilon=settings.epsilon,
        perturbation="cell-key" if cell_key else "none",
        ckm_max=settings.ckm_max if cell_key else 0,
    )


def answer_query(
    engine: Engine,
    query: MeasureQuery,
    *,
    requester_kid: str,
    settings: DisclosureSection,
    data_version: str,
    country: str | None = None,
    node_id: str | None = None,
    data_as_of: str | None = None,
    max_strata: int | None = None,
    rng: random.Random | None = None,
    timeout_s: float | None = None,
    clock: Callable[[], float] = time.time,
    noise_secret: bytes | None = None,
) -> bytes:
    """Return the disclosed answer to ``query`` for a requester: MeasureReport JSON bytes.

    ``settings`` is the policy for this requester (the node's, or its peer's own). Budgets and
    released cells are kept per ``requester_kid`` (the peer) and the analyst the query names
    (``query.requester``). ``noise_secret`` keys the noise by the cells' members (without it noise
    comes from ``rng`` and every answer costs its full ε).

    Raises ``InputError`` (400) for a query the catalogue refuses, ``PolicyRefusal`` (403) for one
    whose answer could hold more than ``max_strata`` strata, whose filters list some values where
    the policy takes one or all, or whose group total differs from one already given to the peer
    by fewer than ``min_cell`` members; ``BudgetExhausted`` (429) when the analyst's or the peer's
    ε budget cannot pay for a new answer, and ``Unavailable`` (503) when the evaluation runs over
    ``timeout_s`` (the database stops it).
    """
    query = validate_query(query)
    if max_strata is not None and strata_count(query) > max_strata:
        # Counted from the catalogue domains, not the data, so a refusal reveals nothing.
        raise PolicyRefusal(
            f"stratifier: the answer could hold {strata_count(query)} strata; "
            f"this node answers at most {max_strata}"
        )
    if not settings.value_lists:
        _refuse_value_lists(query)
    policy = effective_policy(node_policy(settings), query.min_cell)
    query = replace(query, min_cell=policy.min_cell)
    analyst = query.requester or ""
    noise = policy.epsilon > 0
    keyed = noise and noise_secret is not None
    budgeted = noise and settings.epsilon_budget > 0
    with_members = policy.perturbation == "cell-key" or keyed or settings.refuse_near_duplicates
    query_key = _query_key(query, settings)
    cache_key = answer_cache_key(
        requester_kid=requester_kid, query_key=query_key, data_version=data_version
    )
    now_s = int(clock())
    with engine.connect() as connection:
        hit = cached_report(connection, cache_key)
        if hit is not None:
            return hit
        if budgeted and not keyed:
            # Unkeyed noise costs its full ε every time: refuse before the work.
            check_window_budget(
                connection,
                requester=requester_kid,
                analyst=analyst,
                epsilon=policy.epsilon,
                analyst_budget=settings.epsilon_budget,
                peer_budget=settings.peer_budget,
                now_s=now_s,
            )
        clip = settings.max_records_per_patient if noise else None
        with evaluation_limits(connection, timeout_s):
            if with_members:
                exact, sums = evaluate_with_members(
                    connection,
                    query,
                    clip_records_per_patient=clip,
                    include_zero_strata=noise or policy.mask_zero,
                )
            else:
                exact, sums = (
                    evaluate_measure(
                        connection,
                        query,
                        clip_records_per_patient=clip,
                        include_zero_strata=noise or policy.mask_zero,
                    ),
                    {},
                )
    memberships, sketches = cell_material(sums)
    sensitivities = release_sensitivities(query, clip_records_per_patient=clip) if clip else None
    populations, noise_scale = apply_disclosure(
        exact,
        policy=policy,
        sensitivities=sensitivities,
        rng=rng,
        table=_table(settings) if policy.perturbation == "cell-key" else None,
        memberships=memberships if with_members else None,
        nesting=measure_nesting(query.measure),
        noise_secret=noise_secret if keyed else None,
    )
    units = {spec.id: spec.unit for spec in answered_populations(query)}
    overlapping = overlapping_by_population(query)
    now = datetime.fromtimestamp(clock(), UTC).isoformat(timespec="seconds")
    try:
        with engine.begin() as connection:
            hit = cached_report(connection, cache_key)
            if hit is not None:
                return hit
            if settings.refuse_near_duplicates:
                populations = mask_or_refuse_near_duplicates(
                    connection,
                    populations,
                    sketches=sketches,
                    units=units,
                    requester=requester_kid,
                    threshold=policy.min_cell,
                    now_s=now_s,
                    nested=frozenset(
                        pair.child
                        for pair in measure_nesting(query.measure)
                        if pair.child in units and pair.parent in units
                    ),
                )
            answer = MeasureAnswer(
                measure=query.measure,
                version=query.version or "",
                period_start=query.period_start,
                period_end=query.period_end,
                populations=[
                    replace(result, overlapping=overlapping.get(result.population, frozenset()))
                    for result in populations
                ],
                policy=policy,
                country=country,
                node_id=node_id,
                data_as_of=data_as_of,
                strata_overlap=strata_overlap(query),
                noise_scale=noise_scale,
                generated_at=now,
            )
            report = orjson.dumps(to_measure_report(answer))
            if budgeted and not keyed:
                charge_in_window(
                    connection,
                    requester=requester_kid,
                    analyst=analyst,
                    analyst_cost=Fraction(repr(policy.epsilon)),
                    peer_cost=Fraction(repr(policy.epsilon)),
                    analyst_budget=settings.epsilon_budget,
                    peer_budget=settings.peer_budget,
                    now_s=now_s,
                )
            if with_members:
                charge_and_record(
                    connection,
                    exact=exact,
                    published=populations,
                    memberships=memberships,
                    sketches=sketches,
                    units=units,
                    requester=requester_kid,
                    analyst=analyst,
                    settings=settings,
                    sensitivities=sensitivities if keyed and budgeted else None,
                    scale=noise_scale_for(policy.epsilon, sensitivities)
                    if keyed and sensitivities is not None
                    else None,
                    now_s=now_s,
                )
            store_report(
                connection,
                cache_key=cache_key,
                requester_kid=requester_kid,
                query_key=query_key,
                data_version=data_version,
                report=report,
                created_at=now,
            )
    except exc.IntegrityError:
        # A concurrent twin stored its answer first (and paid for it): serve that one.
        with engine.connect() as connection:
            hit = cached_report(connection, cache_key)
        if hit is None:
            raise
        return hit
    return report


def _refuse_value_lists(query: MeasureQuery) -> None:
    """Refuse filters that list some but not all values; raises ``PolicyRefusal`` (403)."""
    partial = partial_value_lists(query.filters, load_catalogue()[query.measure].filters)
    if partial:
        raise PolicyRefusal(
            f"filter {', '.join(partial)}: this node answers a filter with one value or every "
            "value; ask per value (stratify) instead of a list of some values"
        )


def _table(settings: DisclosureSection) -> PerturbationTable:
    return perturbation_table(ckm_max=settings.ckm_max, variance=settings.ckm_variance)


@functools.cache
def measure_nesting(measure: str) -> tuple[Nesting, ...]:
    """Return the closed nested-population pairs the catalogue declares for ``measure``."""
    pairs = [
        Nesting(child, parent, strata)
        for child, parent, strata in load_catalogue()[measure].nesting
    ]
    return tuple(nesting_closure(pairs))


# Settings that shape an answer beyond those of release 0.1.0, and when: a cache key holds them
# only then, so answers cached before they existed are still found under their old keys.
_CELL_KEY_SETTINGS = ("perturbation", "ckm_max", "ckm_variance")
_NOT_SHAPING = {
    "epsilon_budget",
    "epsilon_peer_budget",
    "refuse_near_duplicates",
    "value_lists",
    *_CELL_KEY_SETTINGS,
}


def _query_key(query: MeasureQuery, settings: DisclosureSection) -> str:
    """Return the canonical query with the node's policy: a policy change means a new answer."""
    # Budgets, refusals and the guard's history do not shape a cached answer; every other
    # disclosure setting does. Keep the keys of release 0.1.0 as they were: answers cached by
    # earlier releases are found by them.
    shaping = settings.model_dump(exclude=_NOT_SHAPING)
    if node_policy(settings).perturbation == "cell-key":
        shaping |= {name: getattr(settings, name) for name in _CELL_KEY_SETTINGS}
    return canonical_key(query) + "|" + json.dumps(shaping, sort_keys=True)
