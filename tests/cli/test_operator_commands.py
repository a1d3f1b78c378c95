"""Operator commands as the README uses them: hub token, init --timezone, add-peer, audit names."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from app.cli.main import cli
from app.config import load_hub_settings, load_node_settings
from app.database import create_store_engine
from app.store import upgrade_schema
from app.trust.audit import AuditLog


def _run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [str(arg) for arg in args], env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def test_hub_token_prints_the_bearer_token_the_hub_accepts(tmp_path: Path) -> None:
    code, _, _ = _run("init", "hub", "--dir", tmp_path / "hub", "--port", "8100")
    assert code == 0
    config = tmp_path / "hub" / "hub.toml"
    code, out, _ = _run("hub", "token", "--config", config)
    token = out.strip()
    assert code == 0 and " " not in token and len(token) >= 40
    line = (tmp_path / "hub" / "keys" / "hub.token").read_text().split()
    assert line == ["analyst", token]  # the file holds NAME TOKEN; the command prints TOKEN
    from app.hub.tokens import TokenRegistry

    registry = TokenRegistry.from_file(load_hub_settings(config).hub.api_token_file)
    assert registry.analyst(f"Bearer {token}") == "analyst"
    code, _, err = _run("hub", "token", "--config", config, "--name", "nobody")
    assert code == 6 and "no analyst 'nobody'" in err


def test_init_node_takes_a_time_zone_and_refuses_an_unknown_one(tmp_path: Path) -> None:
    code, out, _ = _run(
        "init", "node", "--dir", tmp_path / "no", "--id", "no", "--country", "NO",
        "--port", "8101", "--timezone", "Europe/Oslo",
    )  # fmt: skip
    assert code == 0 and "Europe/Oslo" in out
    assert load_node_settings(tmp_path / "no" / "node.toml").node.timezone == "Europe/Oslo"
    code, _, err = _run(
        "init", "node", "--dir", tmp_path / "se", "--id", "se", "--country", "SE",
        "--port", "8102", "--timezone", "Mars/Olympus",
    )  # fmt: skip
    assert code == 3 and "not an IANA time zone" in err
    assert not (tmp_path / "se").exists()


def test_add_peer_says_a_restart_is_needed_and_the_audit_names_the_peer(tmp_path: Path) -> None:
    assert _run("init", "hub", "--dir", tmp_path / "hub", "--port", "8100")[0] == 0
    node_args = ("--dir", tmp_path / "no", "--id", "no", "--country", "NO", "--port", "8101")
    assert _run("init", "node", *node_args)[0] == 0
    config = tmp_path / "no" / "node.toml"
    hub_jwk = tmp_path / "hub" / "keys" / "hub.jwk.json"
    code, out, _ = _run("node", "add-peer", "--config", config, "--name", "hub", "--jwk", hub_jwk)
    assert code == 0 and "restart `ketanet node serve`" in out
    kid = json.loads(hub_jwk.read_text())["kid"]
    settings = load_node_settings(config)
    engine = create_store_engine(settings.node.database_url)
    try:
        upgrade_schema(engine)
        AuditLog(engine).append(
            actor=kid, action="evaluate", target="Measure/efficacy", decision="answered"
        )
    finally:
        engine.dispose()
    code, out, _ = _run("audit", "show", "--config", config)
    assert code == 0 and f"hub (kid {kid[:8]}…)" in out
