"""Configuration of governance: node.toml [hub] and [approval], hub.toml modes, audience, TTL."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.audit import audit_app
from app.cli.init import scaffold_hub, scaffold_node
from app.cli.peers import add_node, add_peer
from app.config import DEFAULT_TASK_TTL_S, load_hub_settings, load_node_settings
from app.errors import ConfigError
from app.node.context import build_node_context
from tests.e2e.governance import edit_toml


@pytest.fixture
def node_config(tmp_path: Path) -> Path:
    config = scaffold_node(tmp_path / "no", node_id="no", country="NO", port=8101)
    hub = scaffold_hub(tmp_path / "hub", port=8100)
    add_peer(config, name="hub", jwk=hub.parent / "keys" / "hub.jwk.json", grants=["aggregate"])
    return config


def test_node_hub_link_and_approval_are_read_with_defaults(node_config: Path) -> None:
    settings = load_node_settings(node_config)
    assert settings.hub is None and settings.approval.mode_for("efficacy") == "auto"
    edit_toml(
        node_config,
        hub={"url": "https://hub.example.org/", "mode": "pull"},
        approval={"default": "deny", "measures": {"efficacy": "manual"}},
    )
    settings = load_node_settings(node_config)
    assert settings.hub is not None
    assert (settings.hub.url, settings.hub.peer, settings.hub.mode, settings.hub.poll_wait_s) == (
        "https://hub.example.org", "hub", "pull", 20,
    )  # fmt: skip
    assert settings.approval.mode_for("efficacy") == "manual"
    assert settings.approval.mode_for("administrations") == "deny"


def test_node_environment_overrides_hub_link(
    node_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit_toml(node_config, hub={"url": "http://127.0.0.1:8100"})
    monkeypatch.setenv("KETANET_HUB_URL", "http://127.0.0.1:9100")
    monkeypatch.setenv("KETANET_HUB_MODE", "pull")
    settings = load_node_settings(node_config)
    assert settings.hub is not None
    assert (settings.hub.url, settings.hub.mode) == ("http://127.0.0.1:9100", "pull")


@pytest.mark.parametrize(
    ("tables", "fragment"),
    [
        ({"hub": {"url": "http://127.0.0.1:8100", "peer": "nobody"}}, "no [[peers]] entry"),
        ({"approval": {"measures": {"efficacy": "manual"}}}, "manual approval needs [hub]"),
        ({"approval": {"default": "manual"}}, "manual approval needs [hub]"),
        ({"approval": {"default": "sometimes"}}, "approval.default"),
        ({"hub": {"url": "ftp://hub"}}, "hub.url"),
        ({"hub": {"url": "http://hub", "mode": "carrier-pigeon"}}, "hub.mode"),
    ],
)
def test_node_governance_refusals_name_the_key(
    node_config: Path, tables: dict[str, dict[str, object]], fragment: str
) -> None:
    edit_toml(node_config, **tables)
    with pytest.raises(ConfigError, match=fragment.replace("[", r"\[").replace("]", r"\]")):
        load_node_settings(node_config)


def test_approval_of_a_measure_outside_the_catalogue_is_refused_at_start(
    node_config: Path,
) -> None:
    edit_toml(node_config, approval={"measures": {"efficacy": "deny", "horoscopes": "deny"}})
    with pytest.raises(ConfigError, match="horoscopes not in the measure catalogue"):
        build_node_context(load_node_settings(node_config))


def test_hub_audience_ttl_and_node_modes(tmp_path: Path, node_config: Path) -> None:
    hub_config = scaffold_hub(tmp_path / "hub2", port=8200)
    jwk = node_config.parent / "keys" / "no.jwk.json"
    add_node(hub_config, node_id="no", country="NO", url="http://127.0.0.1:8101", jwk=jwk)
    settings = load_hub_settings(hub_config)
    assert settings.hub.audience == "http://127.0.0.1:8200"
    assert settings.hub.task_ttl_s == DEFAULT_TASK_TTL_S == 604_800
    assert settings.nodes[0].mode == "push"
    edit_toml(hub_config, hub={"public_url": "https://hub.example.org/ketanet/", "task_ttl_s": 60})
    settings = load_hub_settings(hub_config)
    assert settings.hub.audience == "https://hub.example.org/ketanet"
    assert settings.hub.task_ttl_s == 60


def test_audit_on_a_node_config_with_a_hub_table_reads_the_node_database(
    node_config: Path,
) -> None:
    edit_toml(node_config, hub={"url": "http://127.0.0.1:8100"})
    shown = CliRunner().invoke(audit_app, ["show", "--config", str(node_config), "--json"])
    assert shown.exit_code == 0, shown.output
    assert (node_config.parent / "no.db").exists()  # the node's database, not the hub's
    assert not (node_config.parent / "hub.db").exists()
