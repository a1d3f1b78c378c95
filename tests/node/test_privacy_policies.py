"""The node's policies of ``docs/privacy.md``: cell-key perturbation, refusal of near-duplicates and
of value lists, keyed noise with per-analyst and per-peer rolling budgets, per-peer policy."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import tomli_w
from sqlalchemy import Engine

from app.cli.init import scaffold_node
from app.cli.peers import add_peer
from app.cli.servers import free_port
from app.config import DisclosureSection, load_node_settings
from app.database import create_store_engine
from app.errors import BudgetExhausted, ConfigError, PolicyRefusal
from app.exchange.answer import MeasureAnswer
from app.exchange.query import MeasureQuery
from app.ingest import ingest_export
from app.node.answers import answer_query
from app.node.app import create_node_app
from app.store import upgrade_schema
from app.store.privacy_ledger import spent_in_window
from app.synth import write_synthetic_export
from app.trust.httpx_auth import SignedRequestAuth
from app.trust.keys import load_signing_key, write_key_pair
from tests.disclosure.support import decoded, sqlite_node
from tests.node.conftest import parameters

pytestmark = pytest.mark.disclosure

YEAR = MeasureQuery("treated-patients", None, date(2024, 1, 1), date(2024, 12, 31), {}, (), {})
DAY_S = 86_400
NOW_S = 1_800_000_000
NOISE_SECRET = b"k" * 32
EXACT = {"perturbation": "none", "refuse_near_duplicates": False, "value_lists": True}


def ask(
    engine: Engine,
    query: MeasureQuery = YEAR,
    *,
    settings: DisclosureSection | None = None,
    requester: str = "peer:hub",
    now_s: float = NOW_S,
) -> MeasureAnswer:
    return decoded(
        answer_query(
            engine,
            query,
            requester_kid=requester,
            settings=settings or DisclosureSection(),
            data_version="v1",
            clock=lambda: now_s,
            noise_secret=NOISE_SECRET,
        )
    )


def test_default_policy_perturbs_every_count_within_its_bound(tmp_path: Path) -> None:
    engine = sqlite_node(tmp_path)
    answer = ask(engine, replace(YEAR, stratify=("drug", "sex")))
    truth_policy = DisclosureSection(min_cell=1, **EXACT)
    exact = ask(engine, replace(YEAR, stratify=("drug", "sex")), settings=truth_policy)
    assert answer.policy.perturbation == "cell-key" and answer.policy.ckm_max == 3
    result, truth = answer.populations[0], exact.populations[0]
    pairs = [(result.total, truth.total)] + [
        (cell, truth.strata[key][value])
        for key, table in result.strata.items()
        for value, cell in table.items()
        if value in truth.strata[key]
    ]
    for published, true in pairs:
        if published.count is None:
            continue
        assert published.reasons[0] == "perturbed" and published.status == "perturbed"
        assert true.count is not None and abs(published.count - true.count) <= 3
        assert published.count == 0 or published.count >= 11
    # The rare drug (3 patients) is masked or perturbed to 0: never a positive count below 11.
    assert result.strata["drug"]["arketamine"].count in (None, 0)


def test_same_patients_get_the_same_perturbation_however_asked(tmp_path: Path) -> None:
    engine = sqlite_node(tmp_path)
    first = ask(engine, requester="peer:a").populations[0].total
    # A start before any data and a filter listing every value select the same patients.
    rephrased = replace(
        YEAR,
        period_start=date(2020, 1, 1),
        filters={"drug": ("ketamine", "esketamine", "arketamine")},
    )
    assert ask(engine, rephrased, requester="peer:a").populations[0].total == first
    assert ask(engine, rephrased, requester="peer:b").populations[0].total == first


def test_differencing_pair_is_refused_as_a_near_duplicate(tmp_path: Path) -> None:
    engine = sqlite_node(tmp_path, rare=3)
    ask(engine)  # 43 treated patients
    later = replace(YEAR, period_end=date(2024, 12, 30))
    assert ask(engine, later).populations[0].total == ask(engine).populations[0].total
    ketamine_only = replace(YEAR, filters={"drug": ("ketamine",)})
    ask(engine, ketamine_only)  # 25: far from 43
    without_rare = replace(YEAR, filters={"drug": ("ketamine", "esketamine")})
    with pytest.raises(PolicyRefusal, match="one value or every value"):
        ask(engine, without_rare)
    lists = DisclosureSection(value_lists=True)
    with pytest.raises(PolicyRefusal, match="fewer than min-cell") as refused:
        ask(engine, without_rare, settings=lists)  # 40 patients, 3 fewer than an earlier 43
    assert refused.value.http_status == 403
    # Another peer was given nothing yet: the same question is answered for it.
    assert ask(engine, without_rare, settings=lists, requester="peer:other") is not None


def test_near_duplicate_stratum_is_masked_and_its_complement_too(tmp_path: Path) -> None:
    engine = sqlite_node(tmp_path)
    exact_guarded = DisclosureSection(perturbation="none", min_cell=11)
    by_sex = ("sex",)
    ask(engine, replace(YEAR, period_end=date(2024, 9, 2), stratify=by_sex), settings=exact_guarded)
    # First 90 days: 23 patients (20 fewer), 11 women (9 fewer: a near-duplicate), 12 men.
    early = replace(YEAR, period_end=date(2024, 3, 31), stratify=by_sex)
    result = ask(engine, early, settings=exact_guarded).populations[0]
    assert result.total.count == 23
    women, men = result.strata["sex"]["female"], result.strata["sex"]["male"]
    assert women.count is None and women.reasons == ("complementary",)
    assert men.count is None and "complementary" in men.reasons


def test_keyed_noise_repeats_for_the_same_members_and_charges_new_cells_only(
    tmp_path: Path,
) -> None:
    engine = sqlite_node(tmp_path)
    noisy = DisclosureSection(min_cell=1, epsilon=1.0, epsilon_budget=3.0, **EXACT)
    first = ask(engine, settings=noisy)
    assert first.populations[0].total.reasons == ("noised",)
    rephrased = replace(YEAR, period_start=date(2020, 1, 1))  # the same patients, a new cache key
    assert ask(engine, rephrased, settings=noisy).populations == first.populations
    with engine.connect() as connection:
        assert spent_in_window(connection, requester="peer:hub", analyst="", now_s=NOW_S) == 1.0
    ask(engine, replace(YEAR, period_end=date(2024, 6, 30)), settings=noisy)  # new cells: 1.0
    with engine.connect() as connection:
        assert spent_in_window(connection, requester="peer:hub", analyst="", now_s=NOW_S) == 2.0


def test_budgets_are_per_analyst_with_a_peer_total_over_a_rolling_year(tmp_path: Path) -> None:
    engine = sqlite_node(tmp_path)
    noisy = DisclosureSection(
        min_cell=1, epsilon=1.0, epsilon_budget=2.0, epsilon_peer_budget=3.0, **EXACT
    )
    ends = [date(2024, month, 28) for month in range(1, 13)]
    periods = iter(replace(YEAR, period_end=end) for end in ends)
    for _ in range(2):
        ask(engine, replace(next(periods), requester="alice"), settings=noisy)
    with pytest.raises(BudgetExhausted):
        ask(engine, replace(next(periods), requester="alice"), settings=noisy)
    ask(engine, replace(next(periods), requester="bob"), settings=noisy)
    with pytest.raises(BudgetExhausted):  # alice 2 + bob 1: the peer's 3 are spent
        ask(engine, replace(next(periods), requester="bob"), settings=noisy)
    # A question alice was answered before costs her nothing, even now.
    assert ask(engine, replace(YEAR, period_end=ends[0], requester="alice"), settings=noisy)
    # A year and a day later the old charges no longer count.
    later = NOW_S + 366 * DAY_S
    ask(engine, replace(next(periods), requester="alice"), settings=noisy, now_s=later)
    with engine.connect() as connection:
        assert spent_in_window(connection, requester="peer:hub", analyst="alice", now_s=later) == 1
        assert spent_in_window(connection, requester="peer:hub", analyst=None, now_s=later) == 1


def _write_peer_policy(config: Path, peer: str, policy: dict[str, Any]) -> None:
    document = tomllib.loads(config.read_text(encoding="utf-8"))
    for entry in document["peers"]:
        if entry["name"] == peer:
            entry["disclosure"] = policy
    config.write_text(tomli_w.dumps(document), encoding="utf-8")


@pytest.fixture
def two_peer_node(tmp_path: Path) -> Iterator[tuple[httpx.AsyncClient, Any, Any]]:
    write_synthetic_export(country="NO", patients=120, seed=4, out_dir=tmp_path / "export")
    config = scaffold_node(tmp_path / "no", node_id="no", country="NO", port=free_port())
    for name in ("hub", "audit"):
        write_key_pair(tmp_path / name, name)
        add_peer(config, name=name, jwk=tmp_path / name / f"{name}.jwk.json", grants=["aggregate"])
    _write_peer_policy(config, "audit", {"perturbation": "none", "min_cell": 1, **EXACT})
    settings = load_node_settings(config)
    engine = create_store_engine(settings.node.database_url)
    upgrade_schema(engine)
    secret = settings.node.pseudonym_secret.read_bytes().strip()
    ingest_export(engine=engine, paths=[tmp_path / "export" / "csv"], secret=secret, timezone="UTC")
    engine.dispose()
    app = create_node_app(settings)
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=settings.node.public_url
    )
    yield (
        client,
        load_signing_key(tmp_path / "hub" / "hub.pem"),
        load_signing_key(tmp_path / "audit" / "audit.pem"),
    )


async def test_a_peer_with_its_own_policy_gets_exact_counts_and_others_do_not(
    two_peer_node: tuple[httpx.AsyncClient, Any, Any],
) -> None:
    client, hub_key, audit_key = two_peer_node
    body = json.dumps(parameters(stratify=["route"])).encode()
    reports = {}
    async with client:
        for name, key in (("hub", hub_key), ("audit", audit_key)):
            response = await client.post(
                "/fhir/Measure/$evaluate-measure",
                content=body,
                headers={"content-type": "application/fhir+json"},
                auth=SignedRequestAuth(key),
            )
            assert response.status_code == 200, response.text
            reports[name] = decoded(response.content)
    hub, audit = reports["hub"], reports["audit"]
    assert hub.policy.perturbation == "cell-key" and hub.policy.min_cell == 11
    assert audit.policy.perturbation == "none" and audit.policy.min_cell == 1
    assert audit.populations[0].total.reasons == ()
    assert "perturbed" in hub.populations[0].total.reasons
    assert abs((hub.populations[0].total.count or 0) - (audit.populations[0].total.count or 0)) <= 3


def test_node_refuses_to_start_with_noise_and_no_budget(tmp_path: Path) -> None:
    config = scaffold_node(tmp_path / "no", node_id="no", country="NO", port=free_port())
    settings = load_node_settings(config)
    unbudgeted = DisclosureSection.model_construct(
        **(settings.disclosure.model_dump() | {"epsilon": 1.0})
    )
    with pytest.raises(ConfigError, match="epsilon_budget"):
        create_node_app(settings.model_copy(update={"disclosure": unbudgeted}))
