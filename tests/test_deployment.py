"""The container image and the deployment pages: what an operator relies on holds in the repo."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli.init import scaffold_hub, scaffold_node
from app.config import HubSection, LimitsSection, load_hub_settings, load_node_settings

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def _instructions(name: str) -> list[str]:
    joined = DOCKERFILE.replace("\\\n", " ")
    return [line.split(None, 1)[1] for line in joined.splitlines() if line.startswith(name + " ")]


def test_image_runs_as_a_documented_non_root_user() -> None:
    (user,) = _instructions("USER")
    assert user == "10001:10001"
    assert "uid **10001**, gid **10001**" in (ROOT / "docs" / "deploy.md").read_text()


def test_image_base_is_pinned_to_an_exact_release() -> None:
    (arg,) = [a for a in _instructions("ARG") if a.startswith("PYTHON_IMAGE=")]
    assert re.fullmatch(r"PYTHON_IMAGE=python:3\.11\.\d+-slim-[a-z]+", arg)
    assert _instructions("FROM") == ["${PYTHON_IMAGE}"]


def test_image_listens_outside_the_container_with_a_port_and_a_health_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _instructions("EXPOSE") == ["8100 8101"]
    (healthcheck,) = _instructions("HEALTHCHECK")
    assert "KETANET_HEALTH_URL" in healthcheck
    env = " ".join(_instructions("ENV"))
    for name in ("KETANET_NODE_HOST=0.0.0.0", "KETANET_HUB_HOST=0.0.0.0"):
        assert name in env
    node = scaffold_node(tmp_path / "no", node_id="no", country="NO", port=8101)
    hub = scaffold_hub(tmp_path / "hub", port=8100)
    assert load_node_settings(node).node.host == "127.0.0.1"  # what the generated file says
    monkeypatch.setenv("KETANET_NODE_HOST", "0.0.0.0")
    monkeypatch.setenv("KETANET_HUB_HOST", "0.0.0.0")
    assert load_node_settings(node).node.host == "0.0.0.0"
    assert load_hub_settings(hub).hub.host == "0.0.0.0"


def test_image_bakes_in_no_secret() -> None:
    copied = " ".join(_instructions("COPY"))
    for secret in ("keys", "secrets", ".pem", "token", ".db"):
        assert secret not in copied
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    for pattern in ("**/*.pem", "**/*.db", "**/secrets", ".venv"):
        assert pattern in ignored


def test_hadolint_finds_nothing() -> None:
    hadolint = str(Path(sys.executable).parent / "hadolint")
    if not Path(hadolint).exists():
        hadolint = shutil.which("hadolint") or pytest.fail("no hadolint: install the dev extra")
    result = subprocess.run(
        [hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stdout) == (0, "")


def test_every_limit_the_deploy_page_names_is_a_real_setting() -> None:
    text = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    named = [n for n in re.findall(r"`(limits|hub)\.([a-z_]+)`", text) if n[1] != "toml"]
    fields = {"limits": set(LimitsSection.model_fields), "hub": set(HubSection.model_fields)}
    assert named
    for section, key in named:
        assert key in fields[section], f"{section}.{key}"


def test_threat_model_answers_every_adversary() -> None:
    text = (ROOT / "docs" / "threat-model.md").read_text(encoding="utf-8")
    headings = re.findall(r"^### (.+)$", text, flags=re.MULTILINE)
    for adversary in ("analyst", "hub", "node", "network", "operator"):
        assert any(adversary in heading for heading in headings), adversary
