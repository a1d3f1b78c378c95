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

import json
import random
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

import orjson
from sqlalchemy import Engine, exc

from app.config import DisclosureSection
from app.disclosure import apply_disclosure, effective_policy
from app.errors import PolicyRefusal
from app.exchange.answer import DisclosurePolicy, MeasureAnswer
from app.exchange.measure_report import to_measure_report
from app.exchange.query import MeasureQuery, canonical_key
from app.measures import (
    evaluate_measure,
    overlapping_by_population,
    release_sensitivities,
    strata_count,
    strata_overlap,
    validate_query,
)
from app.measures.limits import evaluation_limits
from app.store.answer_cache import answer_cache_key, cached_report, store_report
from app.store.privacy_ledger import charge_epsilon, check_budget


def node_policy(settings: DisclosureSection) -> DisclosurePolicy:
    """Return the disclosure policy the node's ``[disclosure]`` settings set."""
    return DisclosurePolicy(
        min_cell=settings.min_cell,
        mask_zero=settings.mask_zero,
        rounding=settings.rounding,
        epsilon=settings.epsilon,
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
) -> bytes:
    """Return the disclosed answer to ``query`` for a requester: MeasureReport JSON bytes.

    Raises ``InputError`` (400) for a query the catalogue refuses, ``PolicyRefusal`` (403) for one
    whose answer could hold more than ``max_strata`` strata, and ``BudgetExhausted`` (429) when
    the requester's ε budget cannot pay for a new answer, and ``Unavailable`` (503) when the
    evaluation runs over ``timeout_s`` (the database stops it).
    """
    query = validate_query(query)
    if max_strata is not None and strata_count(query) > max_strata:
        # Counted from the catalogue domains, not the data, so a refusal reveals nothing.
        raise PolicyRefusal(
            f"stratifier: the answer could hold {strata_count(query)} strata; "
            f"this node answers at most {max_strata}"
        )
    policy = effective_policy(node_policy(settings), query.min_cell)
    query = replace(query, min_cell=policy.min_cell)
    noise = policy.epsilon > 0
    budgeted = noise and settings.epsilon_budget > 0
    query_key = _query_key(query, settings)
    cache_key = answer_cache_key(
        requester_kid=requester_kid, query_key=query_key, data_version=data_version
    )
    with engine.connect() as connection:
        hit = cached_report(connection, cache_key)
        if hit is not None:
            return hit
        if budgeted:
            check_budget(
                connection,
                requester_kid=requester_kid,
                epsilon=policy.epsilon,
                budget=settings.epsilon_budget,
            )
        clip = settings.max_records_per_patient if noise else None
        with evaluation_limits(connection, timeout_s):
            exact = evaluate_measure(
                connection,
                query,
                clip_records_per_patient=clip,
                include_zero_strata=noise or policy.mask_zero,
            )
    sensitivities = release_sensitivities(query, clip_records_per_patient=clip) if clip else None
    populations, noise_scale = apply_disclosure(
        exact, policy=policy, sensitivities=sensitivities, rng=rng
    )
    overlapping = overlapping_by_population(query)
    populations = [
        replace(result, overlapping=overlapping.get(result.population, frozenset()))
        for result in populations
    ]
    now = datetime.fromtimestamp(clock(), UTC).isoformat(timespec="seconds")
    answer = MeasureAnswer(
        measure=query.measure,
        version=query.version or "",
        period_start=query.period_start,
        period_end=query.period_end,
        populations=populations,
        policy=policy,
        country=country,
        node_id=node_id,
        data_as_of=data_as_of,
        strata_overlap=strata_overlap(query),
        noise_scale=noise_scale,
        generated_at=now,
    )
    report = orjson.dumps(to_measure_report(answer))
    try:
        with engine.begin() as connection:
            hit = cached_report(connection, cache_key)
            if hit is not None:
                return hit
            if budgeted:
                charge_epsilon(
                    connection,
                    requester_kid=requester_kid,
                    epsilon=policy.epsilon,
                    budget=settings.epsilon_budget,
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


def _query_key(query: MeasureQuery, settings: DisclosureSection) -> str:
    """Return the canonical query with the node's policy: a policy change means a new answer."""
    # The budget does not shape an answer; every other disclosure setting does. Keep this key as
    # it is: answers cached by earlier releases are found by it.
    shaping = settings.model_dump(exclude={"epsilon_budget"})
    return canonical_key(query) + "|" + json.dumps(shaping, sort_keys=True)
