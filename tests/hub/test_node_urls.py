"""Node URLs the hub refuses to call: ``add-node`` refuses them, a query marks them unreachable."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from app.cli.init import scaffold_hub
from app.cli.peers import add_node
from app.cli.servers import free_port
from app.config import load_hub_settings
from app.errors import InputError
from app.hub.node_urls import node_url_problem
from app.hub.requests import query_from_request
from app.hub.service import HubService
from app.trust.keys import write_key_pair

BAD_URLS = [
    ("file:///etc/passwd", "must be http:// or https://"),
    ("gopher://127.0.0.1:70", "must be http:// or https://"),
    ("http://169.254.169.254/latest/meta-data", "link-local or metadata address"),
    ("http://[fe80::1]:8000", "link-local or metadata address"),
    ("http://[::ffff:169.254.169.254]/", "link-local or metadata address"),
    ("http://[fd00:ec2::254]/", "link-local or metadata address"),
    ("http://metadata.google.internal/", "a cloud metadata host"),
    ("http://user:secret@node.example", "must not carry credentials"),
    ("http://", "has no host"),
]


@pytest.mark.parametrize(("url", "rule"), BAD_URLS)
def test_add_node_refuses_a_url_the_hub_must_not_call(tmp_path: Path, url: str, rule: str) -> None:
    config = scaffold_hub(tmp_path / "hub", port=free_port())
    write_key_pair(tmp_path / "no", "no")
    before = config.read_text()
    with pytest.raises(InputError, match=rule):
        add_node(config, node_id="no", country="NO", url=url, jwk=tmp_path / "no" / "no.jwk.json")
    assert config.read_text() == before


def test_link_local_is_allowed_only_when_asked(tmp_path: Path) -> None:
    config = scaffold_hub(tmp_path / "hub", port=free_port())
    write_key_pair(tmp_path / "no", "no")
    url = "http://169.254.10.20:8001"
    add_node(
        config, node_id="no", country="NO", url=url, jwk=tmp_path / "no" / "no.jwk.json",
        allow_link_local=True,
    )  # fmt: skip
    (node,) = load_hub_settings(config).nodes
    assert (node.url, node.allow_link_local) == (url, True)
    assert node_url_problem("https://node.example.org:8443/ketanet") is None


def test_a_bad_node_url_gives_that_node_unreachable_not_a_crash(tmp_path: Path) -> None:
    config = scaffold_hub(tmp_path / "hub", port=free_port())
    write_key_pair(tmp_path / "no", "no")
    add_node(
        config, node_id="no", country="NO", url="http://127.0.0.1:1",
        jwk=tmp_path / "no" / "no.jwk.json",
    )  # fmt: skip
    settings = load_hub_settings(config)
    (good,) = settings.nodes
    # hub.toml edited by hand: add-node would have refused both
    nodes = [
        good.model_copy(update={"id": "file", "country": "SE", "url": "file:///etc/passwd"}),
        good.model_copy(update={"id": "meta", "country": "DK", "url": "http://169.254.169.254"}),
    ]
    service = HubService(settings.model_copy(update={"nodes": nodes}))
    query = query_from_request(
        {"measure": "treated-patients", "period": {"start": "2024-01-01", "end": "2024-12-31"}}
    )
    document = asyncio.run(service.run_query(query, actor="test")).model_dump()
    outcomes = {node["id"]: (node["status"], node["detail"]) for node in document["nodes"]}
    assert outcomes == {
        "file": ("unreachable", "node URL: must be http:// or https://"),
        "meta": (
            "unreachable",
            "node URL: a link-local or metadata address (allow_link_local = true to call it anyway)",
        ),
    }
    service.engine.dispose()
