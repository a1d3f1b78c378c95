"""The linkage secret from the command line: created by the governance body, checked like any secret."""

from __future__ import annotations

import csv
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.main import cli
from app.config import load_node_settings
from app.errors import ConfigError


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_keys_linkage_secret_writes_a_private_secret_once(tmp_path: Path) -> None:
    secret = tmp_path / "linkage.secret"
    code, output = run("keys", "linkage-secret", "--out", str(secret))
    assert code == 0, output
    assert "never to the hub" in output
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert len(secret.read_bytes().strip()) >= 32
    code, output = run("keys", "linkage-secret", "--out", str(secret))
    assert code == 3 and "already exists" in output


def test_init_node_with_linkage_secret_names_a_private_copy(tmp_path: Path) -> None:
    secret = tmp_path / "linkage.secret"
    run("keys", "linkage-secret", "--out", str(secret))
    code, output = run(
        "init", "node", "--dir", str(tmp_path / "no"), "--id", "no", "--country", "NO",
        "--port", "8101", "--linkage-secret", str(secret),
    )  # fmt: skip
    assert code == 0, output
    settings = load_node_settings(tmp_path / "no" / "node.toml")
    copy = settings.node.linkage_secret
    assert copy is not None and copy.read_bytes() == secret.read_bytes()
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    copy.chmod(0o644)
    with pytest.raises(ConfigError, match=r"node\.linkage_secret: .* readable by others"):
        load_node_settings(tmp_path / "no" / "node.toml")
    copy.chmod(0o600)
    copy.write_text("short\n")
    with pytest.raises(ConfigError, match=r"node\.linkage_secret: .* fewer than 32 bytes"):
        load_node_settings(tmp_path / "no" / "node.toml")


def test_init_node_refuses_a_short_linkage_secret(tmp_path: Path) -> None:
    secret = tmp_path / "weak.secret"
    secret.write_text("too short\n")
    secret.chmod(0o600)
    code, output = run(
        "init", "node", "--dir", str(tmp_path / "no"), "--id", "no", "--country", "NO",
        "--port", "8101", "--linkage-secret", str(secret),
    )  # fmt: skip
    assert code == 3 and "fewer than 32 bytes" in output
    assert not (tmp_path / "no" / "node.toml").exists()


def test_synth_travellers_share_patients_between_exports(tmp_path: Path) -> None:
    identities = []
    for country in ("DE", "NO"):
        code, output = run(
            "synth", "--country", country, "--patients", "300", "--out", str(tmp_path / country),
            "--format", "csv", "--travellers", "0.2", "--network-seed", "4",
        )  # fmt: skip
        assert code == 0, output
        with (tmp_path / country / "csv" / "patients.csv").open(encoding="utf-8") as handle:
            identities.append({(r["birth_date"], r["sex"]) for r in csv.DictReader(handle)})
    assert len(identities[0] & identities[1]) >= 10
