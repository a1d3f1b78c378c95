"""`ketanet demo --no-serve`: the whole network on loopback, the standard set, then a clean exit."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.main import cli
from app.config import load_hub_settings, load_node_settings

pytestmark = pytest.mark.e2e


def test_demo_runs_the_standard_set_and_stops_every_server(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    result = CliRunner().invoke(
        cli,
        ["demo", "--no-serve", "--nodes", "3", "--patients", "120", "--dir", str(folder)],
        env={"COLUMNS": "80"},
    )
    assert result.exit_code == 0, result.output
    # fits an 80-column terminal: no line longer, nothing cut to an ellipsis, full labels
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in result.stdout
    assert (
        "suicidal-ideation" in result.stdout and "events-per-1000-administrations" in result.stdout
    )
    # parameters as key=value lists, no Python reprs; one node table and one legend per run
    assert "parameters: instrument=MADRS, timepoint=day28" in result.stdout
    assert "{" not in result.stdout and "SynthSummary(" not in result.stdout
    assert sum(line.strip() == "nodes" for line in lines) == 1
    assert result.stdout.count("[1–10]s small cell") == 1
    assert "may exceed 100" in result.stdout  # a per-100 rate says what it counts
    assert "International safety and efficacy summary" in result.stdout
    # one node pulls its tasks, one holds efficacy for its steward until the demo approves it
    assert "de pull mode: fetches its tasks, no socket" in result.stdout
    assert "awaiting-approval" in result.stdout and "the demo approves it now" in result.stdout
    for measure in (
        "treated-patients",
        "administrations",
        "adverse-events",
        "efficacy",
        "discontinuations",
        "guideline-adherence",
        "patient-experience",
        "informed-consent",
        "safety-signals",
        "review-intervals",
    ):
        assert measure in result.stdout
    # the PREM item table shows its answers and top box, the consent table its three kinds
    for label in ("respondents by answer", "top-box", "written-consent", "information-sheet"):
        assert label in result.stdout
    hub = load_hub_settings(folder / "hub" / "hub.toml")
    assert [(node.country, node.mode) for node in hub.nodes] == [
        ("NO", "push"), ("DE", "pull"), ("PT", "push"),
    ]  # fmt: skip
    assert load_node_settings(folder / "pt" / "node.toml").approval.mode_for("efficacy") == "manual"
    nodes = [load_node_settings(folder / node.id / "node.toml").node.port for node in hub.nodes]
    for port in [hub.hub.port, *nodes]:
        with socket.socket() as probe:  # nothing listens any more
            assert probe.connect_ex(("127.0.0.1", port)) != 0
    rerun = CliRunner().invoke(
        cli, ["demo", "--no-serve", "--nodes", "1", "--patients", "40", "--dir", str(folder)]
    )
    assert rerun.exit_code == 0, rerun.output  # a demo folder is recreated


def test_demo_refuses_a_folder_it_did_not_create(tmp_path: Path) -> None:
    (tmp_path / "precious.txt").write_text("keep me")
    result = CliRunner().invoke(cli, ["demo", "--no-serve", "--dir", str(tmp_path)])
    assert result.exit_code == 3 and "not a demo folder" in result.output
    assert (tmp_path / "precious.txt").exists()
