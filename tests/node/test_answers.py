"""``answer_query``: answer cache, ε ledger (refusal, restart), policy, SQLite and PostgreSQL."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.measurereport import MeasureReport
from sqlalchemy import Engine, update

from app.config import DisclosureSection
from app.errors import BudgetExhausted, PolicyRefusal
from app.exchange.answer import MeasureAnswer
from app.exchange.query import MeasureQuery
from app.measures import load_catalogue
from app.node.answers import answer_query
from app.store import create_store_engine
from app.store.answer_cache import answer_cache_table
from app.store.privacy_ledger import spent_epsilon
from tests.disclosure.support import decoded, node_database, sqlite_node

pytestmark = pytest.mark.disclosure

QUERY = MeasureQuery(
    "treated-patients", None, date(2024, 1, 1), date(2024, 12, 31), {}, ("drug", "sex"), {}
)
NOISY = DisclosureSection(min_cell=11, epsilon=0.5, epsilon_budget=2.0)
FROZEN_S = 1_800_000_000.0


def report(
    engine: Engine,
    query: MeasureQuery = QUERY,
    *,
    settings: DisclosureSection = NOISY,
    requester: str = "hub-key",
    data_version: str = "v1",
    max_strata: int | None = None,
) -> bytes:
    return answer_query(
        engine,
        query,
        requester_kid=requester,
        settings=settings,
        data_version=data_version,
        country="NO",
        node_id="no",
        data_as_of="2026-11-20T08:00:00Z",
        max_strata=max_strata,
        clock=lambda: FROZEN_S,
    )


def ask(engine: Engine, query: MeasureQuery = QUERY, **options: Any) -> MeasureAnswer:
    """Return the answer that ``report`` sends, read back."""
    return decoded(report(engine, query, **options))


def spent(engine: Engine, requester: str = "hub-key") -> float:
    with engine.connect() as connection:
        return spent_epsilon(connection, requester)


def test_answer_query_serves_rephrased_question_from_cache(tmp_path: Path) -> None:
    engine = sqlite_node(tmp_path)
    first = report(engine)
    rephrased = replace(QUERY, version="1", stratify=("sex", "drug"), min_cell=5)
    assert report(engine, rephrased) == first  # min-cell 5 is looser: the node's 11 holds
    assert spent(engine) == 0.5


def test_answer_query_serves_the_cached_bytes_as_stored(tmp_path: Path) -> None:
    engine = sqlite_node(tmp_path)
    first = report(engine)
    assert decoded(first).generated_at == "2027-01-15T08:00:00+00:00"  # the injected clock
    # Change the stored text without changing its meaning: a hit is those bytes, not a re-rendering.
    respaced = first.replace(b'"status":', b'"status": ')
    with engine.begin() as connection:
        connection.execute(update(answer_cache_table).values(report_json=respaced.decode()))
    assert report(engine) == respaced
    assert spent(engine) == 0.5


def test_answer_query_refuses_when_budget_spent_and_after_restart(tmp_path: Path) -> None:
    engine = sqlite_node(tmp_path)
    periods = [(date(2024, 1, 1), date(2024, 12, day)) for day in (28, 29, 30, 31)]
    answers = [ask(engine, replace(QUERY, period_start=s, period_end=e)) for s, e in periods[:4]]
    assert spent(engine) == 2.0  # four answers of 0.5 exactly fill the budget of 2.0
    with pytest.raises(BudgetExhausted) as refused:
        ask(engine, replace(QUERY, stratify=("drug",)))
    assert refused.value.http_status == 429
    assert spent(engine) == 2.0
    engine.dispose()
    # A restart: a new engine on the same file finds the ledger and the cache as they were.
    again = create_store_engine(f"sqlite:///{tmp_path / 'node'}.db")
    with pytest.raises(BudgetExhausted):
        ask(again, replace(QUERY, stratify=("drug",)))
    # Cached answers survive the restart too, and cost nothing.
    assert ask(again, replace(QUERY, period_end=date(2024, 12, 31))) == answers[3]
    assert spent(again) == 2.0
    assert ask(again, requester="other-key") is not None  # budgets are per requester


def test_answer_query_gives_new_answer_for_new_data_version(tmp_path: Path) -> None:
    engine = sqlite_node(tmp_path)
    ask(engine, data_version="v1")
    ask(engine, data_version="v2")
    assert spent(engine) == 1.0


def test_answer_query_without_noise_masks_with_stricter_query_min_cell(tmp_path: Path) -> None:
    engine = sqlite_node(tmp_path)
    exact = DisclosureSection(min_cell=11, perturbation="none")
    answer = ask(engine, replace(QUERY, stratify=("drug",), min_cell=16), settings=exact)
    result = answer.populations[0]
    assert answer.policy.min_cell == 16
    assert result.total.count == 43
    drug = result.strata["drug"]
    assert drug["ketamine"].count == 25
    assert drug["arketamine"].reasons == ("small-cell",)
    assert drug["esketamine"].reasons == ("small-cell",)  # 15 < 16
    assert answer.noise_scale == {} and spent(engine) == 0.0


@pytest.mark.parametrize(
    "settings",
    [
        DisclosureSection(
            min_cell=5,
            rounding=5,
            epsilon=1.0,
            epsilon_budget=100.0,
            mask_zero=True,
            refuse_near_duplicates=False,
        ),
        DisclosureSection(min_cell=5, rounding=5, mask_zero=True, refuse_near_duplicates=False),
    ],
    ids=["noise", "cell-key"],
)
def test_answer_query_reports_validate_as_fhir_for_every_measure(
    tmp_path: Path, settings: DisclosureSection
) -> None:
    engine = sqlite_node(tmp_path)
    parameters: dict[str, dict[str, str | float]] = {
        "efficacy": {"instrument": "MADRS", "timepoint": "day28"},
        "patient-experience": {"item": "would-continue"},
    }
    for measure, definition in load_catalogue().items():
        query = MeasureQuery(
            measure,
            "1",
            date(2024, 1, 1),
            date(2025, 12, 31),
            {},
            definition.stratifiers,
            parameters.get(measure, {}),
        )
        sent = answer_query(
            engine,
            query,
            requester_kid="k",
            settings=settings,
            data_version="v",
            rng=random.Random(5),
            noise_secret=b"n" * 32,
        )
        MeasureReport.model_validate_json(sent)
        answer = decoded(sent)
        if settings.epsilon > 0:
            assert set(answer.noise_scale) == {p.population for p in answer.populations}
        else:
            assert answer.policy.perturbation == "cell-key" and answer.policy.ckm_max == 3
            shown = [c for p in answer.populations for c in [p.total]] + [
                c for p in answer.populations for t in p.strata.values() for c in t.values()
            ]
            assert all("perturbed" in c.reasons for c in shown if c.count is not None)
        # Zero-filled domains: every stratum appears, whatever the data.
        assert all(len(table) >= 2 for p in answer.populations for table in p.strata.values())


def test_answer_query_refuses_more_strata_than_the_node_allows(tmp_path: Path) -> None:
    engine = sqlite_node(tmp_path)
    # drug 3 + sex 4 strata; a 30-year period stratified by year would give 30 more.
    assert ask(engine, settings=DisclosureSection(), max_strata=7) is not None
    long_period = replace(QUERY, period_start=date(1995, 1, 1), stratify=("year",))
    with pytest.raises(PolicyRefusal, match="at most 20") as refused:
        ask(engine, long_period, settings=DisclosureSection(), max_strata=20)
    assert refused.value.http_status == 403


@pytest.fixture
def postgres_node(postgres_schema_url: str) -> Iterator[Engine]:
    engine = node_database(postgres_schema_url)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_node(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """The small node database on SQLite, then on PostgreSQL."""
    if request.param == "postgresql":
        yield request.getfixturevalue("postgres_node")
        return
    engine = sqlite_node(tmp_path)
    yield engine
    engine.dispose()


def test_answer_query_concurrent_twins_get_one_answer_and_pay_once(any_node: Engine) -> None:
    twins = 6
    barrier = threading.Barrier(twins)

    def twin(_: int) -> bytes:
        barrier.wait()
        return report(any_node)

    with ThreadPoolExecutor(twins) as pool:
        sent = list(pool.map(twin, range(twins)))
    assert len(set(sent)) == 1
    assert spent(any_node) == 0.5


@pytest.mark.postgres
def test_answer_query_caches_and_refuses_on_postgresql(
    postgres_node: Engine, tmp_path: Path
) -> None:
    first = report(postgres_node)
    assert all(report(postgres_node) == first for _ in range(5))
    assert spent(postgres_node) == 0.5
    for day in (27, 28, 29):
        ask(postgres_node, replace(QUERY, period_end=date(2024, 12, day)))
    with pytest.raises(BudgetExhausted):
        ask(postgres_node, replace(QUERY, period_end=date(2024, 12, 26)))
    # The exact answers are the same on both databases.
    exact = DisclosureSection(min_cell=11, perturbation="none")
    on_sqlite = ask(sqlite_node(tmp_path), settings=exact)
    on_postgres = ask(postgres_node, settings=exact)
    assert on_postgres.populations == on_sqlite.populations
