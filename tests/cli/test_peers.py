"""Exchanging keys with the CLI: new peers and nodes, and rotation (a second key) of known ones."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from app.cli.init import scaffold_hub, scaffold_node
from app.cli.main import cli
from app.config import load_hub_settings, load_node_settings
from app.trust.keys import jwk_thumbprint, write_key_pair


def test_second_key_of_a_peer_is_rotation_not_replacement(tmp_path: Path) -> None:
    config = scaffold_node(tmp_path / "no", node_id="no", country="NO", port=8101)
    old, new = write_key_pair(tmp_path, "hub-2025"), write_key_pair(tmp_path, "hub-2026")
    runner = CliRunner()
    first = runner.invoke(
        cli,
        [
            "node",
            "add-peer",
            "--config",
            str(config),
            "--name",
            "hub",
            "--jwk",
            str(tmp_path / "hub-2025.jwk.json"),
        ],
    )
    assert first.exit_code == 0 and "added" in first.stdout
    config.write_text(config.read_text().replace('name = "hub"', 'name = "hub"\nrevoked = true'))
    second = runner.invoke(
        cli,
        [
            "node",
            "add-peer",
            "--config",
            str(config),
            "--name",
            "hub",
            "--jwk",
            str(tmp_path / "hub-2026.jwk.json"),
            "--grant",
            "aggregate,record",
        ],
    )
    assert second.exit_code == 0 and "key added" in second.stdout
    (peer,) = load_node_settings(config).peers
    assert sorted(jwk_thumbprint(jwk) for jwk in peer.jwks) == sorted([old, new])
    assert peer.revoked is True  # adding a key never un-revokes a peer
    assert peer.grants == ["aggregate", "record"]


def test_bad_grant_refused(tmp_path: Path) -> None:
    config = scaffold_node(tmp_path / "no", node_id="no", country="NO", port=8101)
    write_key_pair(tmp_path, "hub")
    result = CliRunner().invoke(
        cli,
        [
            "node",
            "add-peer",
            "--config",
            str(config),
            "--name",
            "hub",
            "--jwk",
            str(tmp_path / "hub.jwk.json"),
            "--grant",
            "everything",
        ],
    )
    assert result.exit_code == 3 and "--grant" in result.output


def test_hub_add_node_then_rotate_its_key(tmp_path: Path) -> None:
    config = scaffold_hub(tmp_path / "hub", port=8100)
    first, second = write_key_pair(tmp_path, "no-a"), write_key_pair(tmp_path, "no-b")
    runner = CliRunner()
    for key in ("no-a", "no-b"):
        result = runner.invoke(
            cli,
            [
                "hub",
                "add-node",
                "--config",
                str(config),
                "--id",
                "no",
                "--country",
                "no",
                "--url",
                "http://127.0.0.1:8101",
                "--jwk",
                str(tmp_path / f"{key}.jwk.json"),
            ],
        )
        assert result.exit_code == 0, result.output
    (node,) = load_hub_settings(config).nodes
    assert node.country == "NO"
    assert {jwk_thumbprint(jwk) for jwk in node.jwks} == {first, second}
