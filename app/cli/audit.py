"""``ketanet audit show|verify|checkpoint``: read and check a node's hash-chained audit log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from app.cli.output import exit_on_error, print_json
from app.errors import ConfigError

if TYPE_CHECKING:  # the store, the hub's tables and the settings load when a command runs
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from app.trust.audit import AuditEntry, AuditLog

audit_app = typer.Typer(
    help="Show and verify a node's or the hub's audit log.", no_args_is_help=True
)
ConfigOption = Annotated[Path, typer.Option("--config", help="node.toml or hub.toml.")]


def _open_log(config: Path) -> AuditLog:
    from app.config import load_database_and_key
    from app.database import create_store_engine
    from app.hub.migrations import upgrade_hub_schema
    from app.store import upgrade_schema
    from app.trust.audit import AuditLog

    # Reading the log needs the database only, not the key or the pseudonym secret.
    service = load_database_and_key(config)
    engine = create_store_engine(service.database_url)
    if service.role == "hub":
        upgrade_hub_schema(engine)
    else:
        upgrade_schema(engine)
    return AuditLog(engine)


@audit_app.command("show")
def show(
    config: ConfigOption,
    since: Annotated[int | None, typer.Option("--since", help="First sequence number.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the audit entries (from --since SEQ on)."""
    with exit_on_error():
        entries = _open_log(config).entries(since_seq=since)
    if as_json:
        print_json([entry.to_json() for entry in entries])
        return
    Console().print(_table(entries, _actor_names(config)))


def _actor_names(config: Path) -> dict[str, str]:
    """Return ``kid -> name`` of the peers (node) or nodes (hub) a config trusts, for display."""
    from app.config import load_database_and_key, load_hub_settings, load_node_settings
    from app.trust.keys import public_keys_by_kid

    try:
        if load_database_and_key(config).role == "hub":
            hub = load_hub_settings(config)
            named = [(node.id, node.jwks) for node in hub.nodes]
        else:
            node = load_node_settings(config)
            named = [(peer.name, peer.jwks) for peer in node.peers]
        return {kid: name for name, jwks in named for kid in public_keys_by_kid(jwks)}
    except ConfigError:  # the log stays readable without the peers' key files
        return {}


def _actor(actor: str, names: dict[str, str]) -> str:
    """Return the actor as a name: ``hub (kid 1a2b3c4d…)`` for a known key, else as recorded."""
    name = names.get(actor)
    return f"{name} (kid {actor[:8]}…)" if name else actor


def _table(entries: list[AuditEntry], names: dict[str, str] | None = None) -> Table:
    table = Table(title="audit log", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("seq", "at", "actor", "action", "target", "decision", "reason", "hash"):
        table.add_column(column, justify="right" if column == "seq" else "left", overflow="fold")
    for entry in entries:
        table.add_row(
            str(entry.seq),
            entry.at,
            _actor(entry.actor, names or {}),
            entry.action,
            entry.target,
            entry.decision,
            entry.reason or "",
            entry.hash[:12],
            style="yellow" if entry.decision == "refused" else None,
        )
    return table


def _load_checkpoints(paths: list[Path]) -> list[dict[str, Any]]:
    documents = []
    for path in paths:
        try:
            documents.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError):
            raise ConfigError(f"--checkpoint: {path} is not a readable JSON checkpoint") from None
    return documents


@audit_app.command("verify")
def verify(
    config: ConfigOption,
    checkpoint: Annotated[
        list[Path] | None,
        typer.Option("--checkpoint", help="A witness's checkpoint JSON (repeatable)."),
    ] = None,
    witness: Annotated[
        Path | None,
        typer.Option(
            "--witness",
            help="hub.toml of a hub this node answers: check against the checkpoints it kept.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Verify the hash chain and the checkpoints; exit non-zero at the first bad entry."""
    from app.trust.audit import verify_checkpoint

    with exit_on_error():
        log = _open_log(config)
        witnesses = _load_checkpoints(checkpoint or [])
        if witness is not None:
            witnesses += _hub_witness_copies(config, witness)
        keys = _node_public_keys(config)
        # A witness's copy must really come from this node (the stored ones are the node's own,
        # and an old key after a rotation must not make them fail).
        for document in witnesses:
            if keys is not None:
                verify_checkpoint(document, keys)
        documents = log.stored_checkpoints() + witnesses
        result = log.verify(checkpoints=documents)
        if as_json:
            print_json(result.__dict__)
        result.raise_for_failure()
    if not as_json:
        typer.echo(
            f"audit log intact: {result.entries} entries, head {result.head_seq} "
            f"{result.head_hash[:16]}…, {len(documents)} checkpoint(s) matched"
        )


def _hub_witness_copies(config: Path, hub_config: Path) -> list[dict[str, Any]]:
    """Return the checkpoints the hub of ``hub_config`` kept for the node of ``config``."""
    from app.config import load_hub_settings, load_node_settings
    from app.database import create_store_engine
    from app.hub.migrations import upgrade_hub_schema
    from app.hub.witness import checkpoints_of

    node_id = load_node_settings(config, check_files=False).node.id
    engine = create_store_engine(load_hub_settings(hub_config, check_files=False).hub.database_url)
    try:
        upgrade_hub_schema(engine)
        with engine.connect() as connection:
            return checkpoints_of(connection, node_id)
    finally:
        engine.dispose()


def _node_public_keys(config: Path) -> dict[str, Ed25519PublicKey] | None:
    from app.config import load_database_and_key
    from app.trust.keys import load_signing_key

    # Witness signatures are checked when the node's key is at hand (run on the node).
    try:
        key = load_signing_key(load_database_and_key(config).signing_key)
    except ConfigError:
        return None
    return {key.kid: key.public_key}


@audit_app.command("checkpoint")
def checkpoint(
    config: ConfigOption,
    out: Annotated[Path | None, typer.Option("--out", help="Also write it to this file.")] = None,
) -> None:
    """Sign and store a checkpoint of the chain head; print it (give it to a witness)."""
    from app.config import load_database_and_key
    from app.trust.keys import load_signing_key

    with exit_on_error():
        key = load_signing_key(load_database_and_key(config).signing_key)
        document = _open_log(config).checkpoint(key)
        if out is not None:
            out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print_json(document)
