"""Files and logs an operator leaves behind: private databases and keys, logs without queries,
corrupt databases refused in one line, patient ids kept off the command line."""

from __future__ import annotations

import logging
import logging.config
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner
from uvicorn.logging import AccessFormatter

from app.cli.access_log import QueryStringRedactor, uvicorn_log_config
from app.cli.init import scaffold_node
from app.cli.main import cli
from app.cli.servers import free_port
from app.config import load_node_settings
from app.database import create_store_engine
from app.errors import ConfigError, Unavailable
from app.node.app import create_node_app
from app.store import upgrade_schema
from app.trust.audit import AuditLog
from app.trust.keys import load_signing_key, write_key_pair


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_sqlite_databases_are_created_0600_and_narrowed(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.db"
    engine = create_store_engine(f"sqlite:///{fresh}")
    upgrade_schema(engine)
    engine.dispose()
    assert _mode(fresh) == 0o600
    old = tmp_path / "old.db"
    old.touch(mode=0o644)
    old.chmod(0o644)
    narrowing = create_store_engine(f"sqlite:///{old}")
    narrowing.connect().close()
    narrowing.dispose()
    assert _mode(old) == 0o600


def test_a_key_folder_others_may_write_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    write_key_pair(folder, "hub")
    folder.chmod(0o777)
    with pytest.raises(ConfigError, match=r"folder .* is writable by group or others \(mode 777\)"):
        load_signing_key(folder / "hub.pem")
    folder.chmod(0o700)
    assert load_signing_key(folder / "hub.pem").kid


def test_access_log_keeps_no_query_string() -> None:
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d', None, None
    )
    record.args = ("127.0.0.1:5000", "GET", "/fhir/Patient?patient=P-1234&token=abc", "1.1", 401)
    assert QueryStringRedactor().filter(record)
    line = AccessFormatter("%(client_addr)s - %(request_line)s %(status_code)s").format(record)
    assert "P-1234" not in line and "abc" not in line
    assert "GET /fhir/Patient?… HTTP/1.1" in line
    config = uvicorn_log_config()
    logging.config.dictConfig(config)
    assert config["handlers"]["access"]["filters"] == ["redact_query"]


def test_a_corrupt_database_stops_the_node_in_one_line(tmp_path: Path) -> None:
    config = scaffold_node(tmp_path / "no", node_id="no", country="NO", port=free_port())
    settings = load_node_settings(config)
    database = Path(settings.node.database_url.removeprefix("sqlite:///"))
    database.write_bytes(b"this is not a database, only junk bytes " * 200)
    with pytest.raises(
        Unavailable, match=r"^node database: cannot be read \(file is not a database\)$"
    ):
        create_node_app(settings)
    result = CliRunner().invoke(cli, ["node", "serve", "--config", str(config)])
    assert result.exit_code == Unavailable.exit_code
    assert result.output.strip().splitlines() == [
        "error: node database: cannot be read (file is not a database)"
    ]


def test_erase_takes_the_patient_id_from_stdin(tmp_path: Path) -> None:
    config = scaffold_node(tmp_path / "no", node_id="no", country="NO", port=free_port())
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["node", "erase", "--config", str(config), "--patient-id-stdin", "--before-import"],
        input="P-424242\n",
    )
    assert result.exit_code == 0, result.output
    assert "no records of that patient" in result.output
    settings = load_node_settings(config)
    engine = create_store_engine(settings.node.database_url)
    (entry,) = [e for e in AuditLog(engine).entries() if e.action == "erase"]
    engine.dispose()
    assert entry.target.startswith("Patient/") and "P-424242" not in entry.target
    empty = runner.invoke(
        cli, ["node", "erase", "--config", str(config), "--patient-id-stdin"], input="\n"
    )
    assert empty.exit_code == 2 and "the patient's id is empty" in empty.output


def test_a_damaged_page_stops_the_node_in_one_line(tmp_path: Path) -> None:
    config = scaffold_node(tmp_path / "no", node_id="no", country="NO", port=free_port())
    settings = load_node_settings(config)
    engine = create_store_engine(settings.node.database_url)
    upgrade_schema(engine)
    engine.dispose()
    database = Path(settings.node.database_url.removeprefix("sqlite:///"))
    data = bytearray(database.read_bytes())
    assert len(data) > 3 * 4096
    data[4096 : 3 * 4096] = b"\xff" * (2 * 4096)  # the header is fine, two pages are not
    database.write_bytes(bytes(data))
    with pytest.raises(Unavailable) as refused:
        create_node_app(settings)
    message = refused.value.message
    assert message.startswith(
        ("node database: integrity check failed", "node database: cannot be read")
    )
    assert "\n" not in message
