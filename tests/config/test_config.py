"""Configuration loading: paths, environment overrides and refusals of unsafe files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.cli.init import scaffold_hub, scaffold_node
from app.config import load_hub_settings, load_node_settings
from app.errors import ConfigError


@pytest.fixture
def node_config(tmp_path: Path) -> Path:
    return scaffold_node(tmp_path / "no", node_id="no", country="NO", port=8101)


def test_relative_paths_resolve_against_config_folder(node_config: Path) -> None:
    settings = load_node_settings(node_config)
    folder = node_config.parent.resolve()
    assert settings.node.database_url == f"sqlite:///{folder / 'no.db'}"
    assert settings.node.signing_key == folder / "keys" / "no.pem"
    assert settings.node.pseudonym_secret == folder / "keys" / "no.secret"
    assert settings.disclosure.min_cell == 11


def test_environment_overrides_file(node_config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KETANET_DISCLOSURE_MIN_CELL", "20")
    monkeypatch.setenv("KETANET_NODE_PORT", "9999")
    settings = load_node_settings(node_config)
    assert settings.disclosure.min_cell == 20
    assert settings.node.port == 9999


def test_world_readable_private_key_refused(node_config: Path) -> None:
    os.chmod(node_config.parent / "keys" / "no.pem", 0o644)
    with pytest.raises(ConfigError, match="readable by others"):
        load_node_settings(node_config)


def test_missing_key_file_refused(node_config: Path) -> None:
    (node_config.parent / "keys" / "no.pem").unlink()
    with pytest.raises(ConfigError, match="does not exist"):
        load_node_settings(node_config)


def test_short_secret_refused(node_config: Path) -> None:
    secret = node_config.parent / "keys" / "no.secret"
    secret.write_text("too-short")
    with pytest.raises(ConfigError, match="fewer than 32 bytes"):
        load_node_settings(node_config)


def test_unknown_key_refused_with_its_name(node_config: Path) -> None:
    node_config.write_text(node_config.read_text() + "\n[limits2]\n", encoding="utf-8")
    text = node_config.read_text().replace("[disclosure]", "[disclosure]\nmin_cel = 3")
    node_config.write_text(text)
    with pytest.raises(ConfigError, match="min_cel"):
        load_node_settings(node_config)


def test_scaffolded_files_are_private(node_config: Path, tmp_path: Path) -> None:
    hub = scaffold_hub(tmp_path / "hub", port=8100)
    for path in [
        *(node_config.parent / "keys").glob("*.pem"),
        node_config.parent / "keys" / "no.secret",
        hub.parent / "keys" / "hub.token",
        hub.parent / "keys" / "hub.pem",
    ]:
        assert path.stat().st_mode & 0o077 == 0, path
    assert load_hub_settings(hub).hub.timeout_s == 30


def test_scaffold_refuses_to_overwrite(node_config: Path) -> None:
    with pytest.raises(ConfigError, match="already exists"):
        scaffold_node(node_config.parent, node_id="no", country="NO", port=8101)


def _with_disclosure(config: Path, extra: str) -> None:
    text = config.read_text(encoding="utf-8").replace("[disclosure]", "[disclosure]\n" + extra)
    config.write_text(text, encoding="utf-8")


def test_disclosure_defaults_to_cell_key_perturbation(node_config: Path) -> None:
    disclosure = load_node_settings(node_config).disclosure
    assert disclosure.perturbation == "cell-key"
    assert (disclosure.ckm_max, disclosure.ckm_variance) == (3, 4.0)


def test_noise_without_a_budget_is_refused_at_load(node_config: Path) -> None:
    text = node_config.read_text(encoding="utf-8").replace("epsilon = 0.0", "epsilon = 1.0")
    node_config.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="epsilon_budget > 0"):
        load_node_settings(node_config)
    _with_disclosure(node_config, "epsilon_budget = 10.0")
    assert load_node_settings(node_config).disclosure.epsilon_budget == 10.0


def test_unknown_perturbation_is_refused(node_config: Path) -> None:
    _with_disclosure(node_config, 'perturbation = "rounding"')
    with pytest.raises(ConfigError, match="perturbation"):
        load_node_settings(node_config)


def test_peer_policy_overrides_the_node_policy_key_by_key(
    node_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
    node_config.write_text(
        node_config.read_text(encoding="utf-8")
        + '\n[[peers]]\nname = "audit"\njwks = [{ kty = "OKP", crv = "Ed25519", '
        + f'x = "{jwk["x"]}" }}]\n'
        + '[peers.disclosure]\nperturbation = "none"\nmin_cell = 5\n'
        + '\n[[peers]]\nname = "hub"\njwks = [{ kty = "OKP", crv = "Ed25519", '
        + f'x = "{jwk["x"]}" }}]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("KETANET_DISCLOSURE_MASK_ZERO", "true")
    settings = load_node_settings(node_config)
    audit, hub = settings.peers
    assert audit.disclosure is not None and hub.disclosure is None
    assert (audit.disclosure.perturbation, audit.disclosure.min_cell) == ("none", 5)
    # Keys the peer leaves out come from the node's policy, environment overrides included.
    assert audit.disclosure.mask_zero is True and settings.disclosure.mask_zero is True
    assert audit.disclosure.ckm_max == settings.disclosure.ckm_max


def test_peer_policy_with_noise_and_no_budget_is_refused(node_config: Path) -> None:
    node_config.write_text(
        node_config.read_text(encoding="utf-8")
        + '\n[[peers]]\nname = "audit"\njwks = [{ kty = "OKP", crv = "Ed25519", x = "AAAA" }]\n'
        + "[peers.disclosure]\nepsilon = 0.5\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"peers\.audit\.disclosure.*epsilon_budget"):
        load_node_settings(node_config)
