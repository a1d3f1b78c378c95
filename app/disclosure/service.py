"""Answer one measure query under the node's disclosure policy (the node route's entry point).

validate → cache lookup → budget check → evaluate (SQL) → disclose → charge ε and store in the
cache (one transaction) → ``MeasureAnswer``. A repeated question over unchanged data returns the
cached answer (same noise, no new ε). The charge happens together with the cache insert, so a
concurrent twin of the query either finds the other's answer or pays for its own.
"""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import Engine, exc

from app.config import DisclosureSection
from app.disclosure.cache import answer_cache_key, cached_report, store_report
from app.disclosure.chain import apply_disclosure, effective_policy
from app.disclosure.ledger import charge_epsilon, check_budget
from app.errors import PolicyRefusal
from app.exchange.answer import MeasureAnswer
from app.exchange.measure_report import from_measure_report, to_measure_report
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
) -> MeasureAnswer:
    """Return the disclosed answer to ``query`` for a requester.

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
    policy = effective_policy(settings, query.min_cell)
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
            return from_measure_report(hit)
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
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    report = to_measure_report(answer)
    try:
        with engine.begin() as connection:
            hit = cached_report(connection, cache_key)
            if hit is not None:
                return from_measure_report(hit)
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
            )
    except exc.IntegrityError:
        # A concurrent twin stored its answer first (and paid for it): serve that one.
        with engine.connect() as connection:
            hit = cached_report(connection, cache_key)
        if hit is None:
            raise
        return from_measure_report(hit)
    return answer


def _query_key(query: MeasureQuery, settings: DisclosureSection) -> str:
    """Return the canonical query with the node's policy: a policy change means a new answer."""
    # The budget does not shape an answer; every other disclosure setting does.
    shaping = settings.model_dump(exclude={"epsilon_budget"})
    return canonical_key(query) + "|" + json.dumps(shaping, sort_keys=True)
