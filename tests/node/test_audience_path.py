"""A node whose public URL has a path prefix serves under it, and the audience check holds."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from app.cli.init import scaffold_hub, scaffold_node
from app.cli.peers import add_peer
from app.cli.servers import ServerThread, free_port
from app.config import load_node_settings
from app.node.app import create_node_app
from app.trust.httpx_auth import SignedRequestAuth
from app.trust.keys import load_signing_key
from tests.node.conftest import parameters


def test_node_under_path_prefix_answers_signed_queries(tmp_path: Path) -> None:
    port = free_port()
    config = scaffold_node(
        tmp_path / "no",
        node_id="no",
        country="NO",
        port=port,
        public_url=f"http://127.0.0.1:{port}/registry/",
    )
    scaffold_hub(tmp_path / "hub", port=free_port())
    add_peer(
        config, name="hub", jwk=tmp_path / "hub" / "keys" / "hub.jwk.json", grants=["aggregate"]
    )
    server = ServerThread(create_node_app(load_node_settings(config)), port).start()
    try:
        key = load_signing_key(tmp_path / "hub" / "keys" / "hub.pem")
        body = json.dumps(parameters()).encode()
        headers = {"content-type": "application/fhir+json"}
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/registry/health").json()["status"] == "ok"
        answered = httpx.post(
            f"{base}/registry/fhir/Measure/$evaluate-measure",
            content=body,
            headers=headers,
            auth=SignedRequestAuth(key),
        )
        assert answered.status_code == 200, answered.text
        # outside the audience path nothing is served
        assert (
            httpx.post(
                f"{base}/fhir/Measure/$evaluate-measure",
                content=body,
                headers=headers,
                auth=SignedRequestAuth(key),
            ).status_code
            == 404
        )
    finally:
        server.stop()
