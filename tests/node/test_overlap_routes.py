"""The node's overlap rounds: who may ask which round, single-use keys, refusals, the audit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.cli.init import scaffold_hub, write_private_text
from app.cli.provision import provision_node
from app.cli.servers import ServerThread, free_port
from app.config import load_node_settings
from app.exchange.overlap import OverlapRequest, parse_blinded_answer, to_overlap_parameters
from app.exchange.query import MeasureQuery
from app.linkage.group import random_point
from app.linkage.psi import BlindingKey, blind_tokens, reblind
from app.node.app import create_node_app
from app.store import create_store_engine
from app.trust.audit import AuditLog
from app.trust.httpx_auth import SignedRequestAuth
from app.trust.keys import SigningKey, load_signing_key
from tests.node.conftest import FHIR, parameters

QUERY = MeasureQuery(
    measure="cross-border-overlap",
    version="1",
    period_start=date(2023, 1, 1),
    period_end=date(2026, 3, 31),
)


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A German node with a linkage secret (first of DE+NO, second of AT+DE)."""
    root: Path = tmp_path_factory.mktemp("linked")
    write_private_text(root / "net.linkage", "a" * 64 + "\n")
    hub_config = scaffold_hub(root / "hub", port=free_port())
    config, _ = provision_node(
        root,
        node_id="de",
        country="DE",
        patients=80,
        seed=9,
        hub_config=hub_config,
        formats="csv",
        linkage_secret=root / "net.linkage",
    )
    settings = load_node_settings(config)
    server = ServerThread(create_node_app(settings), settings.node.port, name="de").start()
    yield {
        "url": server.url,
        "settings": settings,
        "key": load_signing_key(root / "hub" / "keys" / "hub.pem"),
    }
    server.stop()


def post(url: str, key: SigningKey, name: str, request: OverlapRequest) -> httpx.Response:
    return httpx.post(
        f"{url}/fhir/Measure/$overlap-{name}",
        content=httpx.Request("POST", url, json=to_overlap_parameters(QUERY, request)).read(),
        headers={"content-type": FHIR},
        auth=SignedRequestAuth(key),
    )


def diagnostics(response: httpx.Response) -> str:
    return "; ".join(issue["diagnostics"] for issue in response.json()["issue"])


def blind(linked: dict[str, Any]) -> tuple[str, list[bytes]]:
    response = post(linked["url"], linked["key"], "blind", OverlapRequest("DE+NO", "no"))
    assert response.status_code == 200, response.text
    answer = parse_blinded_answer(response.json())
    assert answer.round_id is not None
    return answer.round_id, answer.elements


def partner_reply(elements: list[bytes]) -> tuple[list[bytes], list[bytes]]:
    """What an honest partner with no patient in common would send back."""
    key = BlindingKey.fresh()
    return reblind(elements, key), blind_tokens([b"x" * 32], key, size=3)


def test_a_full_exchange_with_an_empty_partner_counts_zero(linked: dict[str, Any]) -> None:
    round_id, elements = blind(linked)
    reblinded, theirs = partner_reply(elements)
    request = OverlapRequest("DE+NO", "no", round_id, elements=theirs, reblinded=reblinded)
    response = post(linked["url"], linked["key"], "count", request)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["resourceType"] == "MeasureReport"
    [group] = report["group"]
    assert group["stratifier"][0]["stratum"][0]["value"]["text"] == "DE+NO"
    assert group["stratifier"][0]["stratum"][0]["population"][0]["count"] == 0
    assert "signature" in response.headers


def test_a_round_is_counted_once(linked: dict[str, Any]) -> None:
    round_id, elements = blind(linked)
    reblinded, theirs = partner_reply(elements)
    request = OverlapRequest("DE+NO", "no", round_id, elements=theirs, reblinded=reblinded)
    assert post(linked["url"], linked["key"], "count", request).status_code == 200
    again = post(linked["url"], linked["key"], "count", request)
    assert again.status_code == 409
    assert "unknown, used or expired" in diagnostics(again)


def test_a_reblinded_set_of_another_size_is_refused_and_spends_the_round(
    linked: dict[str, Any],
) -> None:
    round_id, elements = blind(linked)
    reblinded, theirs = partner_reply(elements)
    request = OverlapRequest("DE+NO", "no", round_id, elements=theirs, reblinded=reblinded[:-1])
    response = post(linked["url"], linked["key"], "count", request)
    assert response.status_code == 409
    whole = OverlapRequest("DE+NO", "no", round_id, elements=theirs, reblinded=reblinded)
    assert post(linked["url"], linked["key"], "count", whole).status_code == 409


def test_rounds_for_the_other_node_of_the_pair_are_refused(linked: dict[str, Any]) -> None:
    first = post(linked["url"], linked["key"], "blind", OverlapRequest("AT+DE", "at"))
    assert first.status_code == 403
    assert "not the first node of AT+DE" in diagnostics(first)
    second = post(
        linked["url"], linked["key"], "reblind", OverlapRequest("DE+NO", "no", elements=[])
    )
    assert second.status_code == 403


def test_the_second_node_reblinds_and_returns_its_own_set(linked: dict[str, Any]) -> None:
    sent = [random_point() for _ in range(5)]
    response = post(
        linked["url"], linked["key"], "reblind", OverlapRequest("AT+DE", "at", elements=sent)
    )
    assert response.status_code == 200, response.text
    answer = parse_blinded_answer(response.json())
    assert answer.round_id is None
    assert answer.reblinded is not None and len(answer.reblinded) == 5
    assert not set(answer.reblinded) & set(sent)
    assert len(answer.elements) >= 1


def test_a_value_that_is_no_group_element_is_refused(linked: dict[str, Any]) -> None:
    bad = [random_point(), b"\xff" * 32]
    response = post(
        linked["url"], linked["key"], "reblind", OverlapRequest("AT+DE", "at", elements=bad)
    )
    assert response.status_code == 400
    assert "ristretto255" in diagnostics(response)


def test_every_round_is_audited_with_set_digests(linked: dict[str, Any]) -> None:
    blind(linked)
    engine = create_store_engine(linked["settings"].node.database_url)
    try:
        entries = AuditLog(engine).entries()
    finally:
        engine.dispose()
    rounds = [e for e in entries if e.action.startswith("overlap-")]
    assert rounds
    answered = [e for e in rounds if e.decision == "answered" and e.action == "overlap-blind"]
    assert answered[-1].target == "Measure/cross-border-overlap#DE+NO"
    assert (answered[-1].reason or "").startswith("sent set sha-256=")


def test_a_node_without_linkage_secret_refuses_the_overlap(node: dict[str, Any]) -> None:
    evaluate = httpx.post(
        f"{node['url']}/fhir/Measure/$evaluate-measure",
        content=httpx.Request("POST", node["url"], json=parameters("cross-border-overlap")).read(),
        headers={"content-type": FHIR},
        auth=SignedRequestAuth(node["hub_key"]),
    )
    assert evaluate.status_code == 403
    assert diagnostics(evaluate) == "no linkage"
    blind_round = post(node["url"], node["hub_key"], "blind", OverlapRequest("NO+PT", "pt"))
    assert blind_round.status_code == 403
    assert diagnostics(blind_round) == "no linkage"


def test_a_peer_without_the_aggregate_grant_is_refused(node: dict[str, Any]) -> None:
    response = post(node["url"], node["reader_key"], "blind", OverlapRequest("NO+PT", "pt"))
    assert response.status_code == 403
    assert "aggregate" in diagnostics(response)
