"""The hash-chained audit log: tampering of every kind detected, checkpoints, concurrent appends."""

from __future__ import annotations

import itertools
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, insert, inspect, select, update
from typer.testing import CliRunner

from app.cli.audit import audit_app
from app.cli.init import scaffold_hub
from app.database import create_store_engine
from app.errors import IntegrityError
from app.hub.migrations import HUB_SCHEMA
from app.schema_versions import applied_version
from app.store import upgrade_schema
from app.trust.audit import AuditLog, entry_hash, verify_checkpoint
from app.trust.keys import SigningKey, write_key_pair
from app.trust.tables import audit_checkpoint, audit_log, trust_metadata

from .support import FakeClock


def filled(engine: Engine, count: int = 5) -> AuditLog:
    log = AuditLog(engine, clock=FakeClock())
    for number in range(1, count + 1):
        log.append(
            actor="kid-hub",
            action="evaluate-measure",
            target=f"Measure/m{number}",
            decision="refused" if number % 2 else "answered",
            reason="403: no grant" if number % 2 else None,
            request_digest=f"sha-256=:{number}:",
        )
    return log


def row(engine: Engine, seq: int) -> dict[str, object]:
    with engine.connect() as connection:
        return dict(
            connection.execute(select(audit_log).where(audit_log.c.seq == seq)).one()._asdict()
        )


def execute(engine: Engine, *statements: object) -> None:
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(statement)  # type: ignore[call-overload]


def test_append_chains_entries_and_verify_passes(trust_engine: Engine) -> None:
    log = filled(trust_engine)
    entries = log.entries()
    assert [entry.seq for entry in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    assert [entry.seq for entry in log.entries(since_seq=4)] == [4, 5]
    result = log.verify()
    assert (result.ok, result.entries, result.head_hash) == (True, 5, entries[-1].hash)


def test_verify_detects_edited_entry(trust_engine: Engine) -> None:
    log = filled(trust_engine)
    execute(trust_engine, update(audit_log).where(audit_log.c.seq == 3).values(decision="answered"))
    result = log.verify()
    assert (result.ok, result.first_bad_seq) == (False, 3)
    assert "edited" in (result.reason or "")
    with pytest.raises(IntegrityError, match="entry 3"):
        result.raise_for_failure()


def test_verify_detects_deleted_entry(trust_engine: Engine) -> None:
    log = filled(trust_engine)
    execute(trust_engine, delete(audit_log).where(audit_log.c.seq == 2))
    result = log.verify()
    assert (result.ok, result.first_bad_seq) == (False, 3)
    assert "expected entry 2" in (result.reason or "")


def test_verify_detects_reordered_entries(trust_engine: Engine) -> None:
    log = filled(trust_engine)
    # Entries 2 and 3 trade places (through a free seq, the column being unique).
    execute(
        trust_engine,
        update(audit_log).where(audit_log.c.seq == 2).values(seq=-1),
        update(audit_log).where(audit_log.c.seq == 3).values(seq=2),
        update(audit_log).where(audit_log.c.seq == -1).values(seq=3),
    )
    result = log.verify()
    assert (result.ok, result.first_bad_seq) == (False, 2)


def test_verify_detects_inserted_entry(trust_engine: Engine) -> None:
    log = filled(trust_engine)
    # Make room after entry 2 (highest first, the seq being unique), then forge a well-chained
    # entry 3: the entries after it no longer match their (seq-covering) hashes.
    for seq in (5, 4, 3):
        execute(trust_engine, update(audit_log).where(audit_log.c.seq == seq).values(seq=seq + 1))
    forged = {**row(trust_engine, 2), "seq": 3, "target": "Measure/forged"}
    forged["prev_hash"] = row(trust_engine, 2)["hash"]
    forged["hash"] = entry_hash(forged)
    execute(trust_engine, insert(audit_log).values(forged))
    result = log.verify()
    assert (result.ok, result.first_bad_seq) == (False, 4)


def test_verify_detects_truncation_against_checkpoint(
    trust_engine: Engine, node_key: SigningKey
) -> None:
    log = filled(trust_engine)
    witness = log.checkpoint(node_key)
    execute(trust_engine, delete(audit_log).where(audit_log.c.seq >= 4))
    assert log.verify(checkpoints=[]).ok  # a cut chain is still a valid chain...
    result = log.verify(checkpoints=[witness], public_keys={node_key.kid: node_key.public_key})
    assert (result.ok, result.first_bad_seq) == (False, 4)  # ...but not against the witness
    assert "truncated" in (result.reason or "")
    assert not log.verify().ok  # the stored checkpoint catches it too


def test_verify_detects_rewritten_tail_against_checkpoint(
    trust_engine: Engine, node_key: SigningKey
) -> None:
    log = filled(trust_engine)
    witness = log.checkpoint(node_key)
    # An insider edits entry 4 and recomputes every hash after it: the chain is consistent.
    prev = row(trust_engine, 3)["hash"]
    for seq in (4, 5):
        entry = {**row(trust_engine, seq), "prev_hash": prev}
        if seq == 4:
            entry["target"] = "Measure/other"
        entry["hash"] = prev = entry_hash(entry)
        execute(trust_engine, update(audit_log).where(audit_log.c.seq == seq).values(entry))
    assert log.verify(checkpoints=[]).ok
    result = log.verify(checkpoints=[witness])
    assert (result.ok, result.first_bad_seq) == (False, 5)
    assert "checkpoint" in (result.reason or "")


def test_checkpoint_signature_verifies_and_refuses_tampering(
    trust_engine: Engine, node_key: SigningKey
) -> None:
    document = filled(trust_engine).checkpoint(node_key)
    keys = {node_key.kid: node_key.public_key}
    assert (document["seq"], document["kid"]) == (5, node_key.kid)
    verify_checkpoint(document, keys)
    with pytest.raises(IntegrityError, match="does not verify"):
        verify_checkpoint({**document, "seq": 9}, keys)
    with pytest.raises(IntegrityError, match="unknown key"):
        verify_checkpoint(document, {})
    forged = AuditLog(trust_engine).verify(
        checkpoints=[{**document, "hash": "f" * 64}], public_keys=keys
    )
    assert not forged.ok and "checkpoint" in (forged.reason or "")


def test_append_from_threads_never_forks_chain(trust_engine: Engine) -> None:
    log = AuditLog(trust_engine)

    def append_many(worker: int) -> None:
        for number in range(15):
            log.append(actor=f"w{worker}", action="test", target=str(number), decision="answered")

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(append_many, range(4)))
    result = log.verify()
    assert (result.ok, result.entries) == (True, 60)


def _node_config(tmp_path: Path) -> Path:
    write_key_pair(tmp_path / "keys", "no")
    config = tmp_path / "node.toml"
    config.write_text(
        "[node]\n"
        'id = "no"\ncountry = "NO"\npublic_url = "http://127.0.0.1:8101"\n'
        'database_url = "sqlite:///no.db"\nsigning_key = "keys/no.pem"\n'
        'pseudonym_secret = "keys/no.secret"\n',
        encoding="utf-8",
    )
    return config


def _cli_log(config: Path) -> tuple[AuditLog, Engine]:
    engine = create_store_engine(f"sqlite:///{config.parent / 'no.db'}")
    upgrade_schema(engine)
    return filled(engine), engine


def test_cli_audit_verify_exits_non_zero_on_edited_entry(tmp_path: Path) -> None:
    config = _node_config(tmp_path)
    _, engine = _cli_log(config)
    runner = CliRunner()
    intact = runner.invoke(audit_app, ["verify", "--config", str(config)])
    assert intact.exit_code == 0, intact.output
    assert "intact: 5 entries" in intact.output
    execute(engine, update(audit_log).where(audit_log.c.seq == 2).values(actor="someone"))
    broken = runner.invoke(audit_app, ["verify", "--config", str(config)])
    assert broken.exit_code == IntegrityError.exit_code
    assert "entry 2" in broken.output
    engine.dispose()


def test_cli_audit_verify_detects_truncation_with_witness_checkpoint(tmp_path: Path) -> None:
    config = _node_config(tmp_path)
    _, engine = _cli_log(config)
    runner = CliRunner()
    witness = tmp_path / "witness.json"
    made = runner.invoke(audit_app, ["checkpoint", "--config", str(config), "--out", str(witness)])
    assert made.exit_code == 0, made.output
    execute(engine, delete(audit_log).where(audit_log.c.seq == 5))
    execute(engine, delete(audit_checkpoint))  # the insider removes the node's own copy too
    assert runner.invoke(audit_app, ["verify", "--config", str(config)]).exit_code == 0
    result = runner.invoke(
        audit_app, ["verify", "--config", str(config), "--checkpoint", str(witness)]
    )
    assert result.exit_code == IntegrityError.exit_code
    assert "truncated" in result.output
    engine.dispose()


def test_cli_audit_show_lists_entries_as_json_and_table(tmp_path: Path) -> None:
    config = _node_config(tmp_path)
    _, engine = _cli_log(config)
    runner = CliRunner()
    shown = runner.invoke(audit_app, ["show", "--config", str(config), "--since", "4", "--json"])
    assert shown.exit_code == 0, shown.output
    assert [entry["seq"] for entry in json.loads(shown.output)] == [4, 5]
    table = runner.invoke(audit_app, ["show", "--config", str(config)], env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "evaluate-measure" in table.output
    engine.dispose()


def test_cli_audit_reports_config_error_in_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(audit_app, ["show", "--config", str(tmp_path / "absent.toml")])
    assert result.exit_code == 3
    assert "does not exist" in result.output


def test_cli_audit_verify_refuses_forged_witness_checkpoint(tmp_path: Path) -> None:
    config = _node_config(tmp_path)
    _, engine = _cli_log(config)
    runner = CliRunner()
    witness = tmp_path / "witness.json"
    runner.invoke(audit_app, ["checkpoint", "--config", str(config), "--out", str(witness)])
    document = json.loads(witness.read_text())
    witness.write_text(json.dumps({**document, "seq": 3}))
    result = runner.invoke(
        audit_app, ["verify", "--config", str(config), "--checkpoint", str(witness)]
    )
    assert result.exit_code == IntegrityError.exit_code
    assert "signature does not verify" in result.output
    engine.dispose()


def test_cli_audit_on_a_hub_config_versions_the_hub_database_only(tmp_path: Path) -> None:
    config = scaffold_hub(tmp_path / "hub", port=8100)
    shown = CliRunner().invoke(audit_app, ["show", "--config", str(config), "--json"])
    assert shown.exit_code == 0, shown.output
    engine = create_store_engine(f"sqlite:///{tmp_path / 'hub' / 'hub.db'}")
    try:
        tables = set(inspect(engine).get_table_names())
        with engine.connect() as connection:
            assert applied_version(connection, HUB_SCHEMA) == HUB_SCHEMA.version
    finally:
        engine.dispose()
    # the hub's tables and the trust tables, never a record table of a node
    assert tables == {
        "hub_schema_version",
        "hub_query",
        "hub_node_result",
        "hub_overlap_round",
        *trust_metadata.tables,
    }
