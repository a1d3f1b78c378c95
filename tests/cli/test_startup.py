"""The CLI starts without importing its commands: ``ketanet --help`` lists them from help lines.

No timing is asserted (start-up time is measured with ``python -X importtime``, see
docs/testing.md); what is asserted is what makes it fast: which modules a command loads.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from app.cli.lazy import LazyCommand, load_command
from app.cli.main import COMMANDS
from app.cli.serve import NODE_COMMANDS

HEAVY = ("app.hub", "app.node", "app.store", "app.ingest", "sqlalchemy", "scipy", "fhir", "uvicorn")
HEAVY += ("app.config", "fastapi", "pandas", "numpy", "sqlmodel", "pydantic_settings")
HEAVY += ("aiohttp", "httpx")


def _modules_after(args: list[str]) -> list[str]:
    """Run ``ketanet ARGS`` in a fresh interpreter; return the heavy modules it imported."""
    script = (
        "import json, sys\n"
        "from typer.testing import CliRunner\n"
        "from app.cli.main import cli\n"
        f"result = CliRunner().invoke(cli, {args!r})\n"
        "assert result.exit_code == 0, result.output\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.startswith({HEAVY!r}))))\n"
    )
    return _last_json_line(script)


def _last_json_line(script: str) -> list[str]:
    """Run ``script`` in a fresh interpreter; return the JSON list it printed last."""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return list(json.loads(done.stdout.splitlines()[-1]))


def test_help_imports_no_command_module() -> None:
    assert _modules_after(["--help"]) == []
    assert _modules_after(["init", "--help"]) == []


@pytest.mark.parametrize(
    "args",
    [
        ["ingest", "--help"],
        ["mapping", "check", "--help"],
        ["node", "erase", "--help"],
        ["query", "--help"],
    ],
    ids=" ".join,
)
def test_ingest_and_query_help_load_no_pipeline_store_or_framework(args: list[str]) -> None:
    # These commands import the pipeline, the store, the hub service and the settings when they
    # run, not to print their help.
    assert _modules_after(args) == []


@pytest.mark.parametrize(
    "args",
    [
        ["demo", "--help"],
        ["audit", "--help"],
        ["audit", "verify", "--help"],
        ["node", "pull", "--help"],
        ["node", "approvals", "--help"],
        ["node", "approvals", "list", "--help"],
    ],
    ids=" ".join,
)
def test_demo_audit_pull_and_approvals_help_load_no_hub_node_or_store(args: list[str]) -> None:
    # Their modules import the hub, the node, the store and the settings inside the commands.
    assert _modules_after(args) == []


def test_ingest_work_loads_no_web_framework_or_statistics() -> None:
    script = (
        "import json, sys\n"
        "import app.cli.ingest, app.config, app.deid, app.ingest, app.store, app.trust.audit\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith("
        "('fastapi', 'scipy', 'pandas', 'uvicorn', 'aiohttp', 'app.hub', 'app.node')))))\n"
    )
    assert _last_json_line(script) == []


def test_a_command_imports_only_what_it_needs() -> None:
    loaded = _modules_after(["node", "--help"])
    assert not [m for m in loaded if m.startswith(("app.hub", "scipy", "app.ingest"))]


@pytest.mark.parametrize(
    ("name", "spec"), [*COMMANDS.items(), *NODE_COMMANDS.items()], ids=lambda v: str(v)[:20]
)
def test_listed_help_is_the_commands_own(name: str, spec: LazyCommand) -> None:
    command = load_command(name, spec)
    own = (command.help or "").strip().splitlines()[0]
    assert own == spec.help
    assert isinstance(command.name, str) and command.name == name


def test_commands_run_after_lazy_loading() -> None:
    from typer.testing import CliRunner

    from app.cli.main import cli

    result = CliRunner().invoke(cli, ["node", "erase", "--help"])
    assert result.exit_code == 0 and "--patient-id" in result.stdout
    assert isinstance(cli, typer.Typer)


def test_a_mistyped_command_gets_a_suggestion() -> None:
    from typer.testing import CliRunner

    from app.cli.main import cli

    result = CliRunner().invoke(cli, ["demoo"])
    assert result.exit_code == 2 and "Did you mean 'demo'?" in result.output


def test_sqlite_ingest_loads_no_postgresql_writer_driver_fhir_models_or_signing(
    tmp_path: Path,
) -> None:
    # The COPY writer and psycopg are imported only when the store is PostgreSQL, the FHIR
    # models only when a resource is validated (never by an ingest), the signing code (and
    # cryptography) only by what signs or verifies: the store's migrations need only the trust
    # tables.
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from app.ingest import ingest_export\n"
        "from app.store import create_store_engine, upgrade_schema\n"
        "from tests.ingest.support import SECRET, write_tiny_export\n"
        f"folder = Path({str(tmp_path)!r})\n"
        "engine = create_store_engine(f'sqlite:///{folder / \"store.db\"}')\n"
        "upgrade_schema(engine)\n"
        "report = ingest_export(engine=engine, paths=[write_tiny_export(folder / 'export')],\n"
        "                       secret=SECRET, timezone='UTC')\n"
        "assert report.committed and report.total('inserted') == 13\n"
        "print(json.dumps(sorted(m for m in sys.modules\n"
        "                        if m.startswith(('psycopg', 'app.store.postgres_writer', 'fhir',\n"
        "                                         'cryptography', 'app.trust.keys')))))\n"
    )
    assert _last_json_line(script) == []


def test_a_node_loads_no_aiohttp_and_the_hub_loads_it_for_its_fan_out() -> None:
    # aiohttp is the hub's client for its nodes (app.hub.transport); a node never calls out so.
    script = (
        "import json, sys\n"
        "import app.node.app\n"
        "node = sorted(m for m in sys.modules if m.startswith('aiohttp'))\n"
        "import app.hub.service\n"
        "print(json.dumps([node, 'aiohttp' in sys.modules]))\n"
    )
    assert _last_json_line(script) == [[], True]
