"""Write ``node.sql`` and ``hub.sql``: databases as release 0.1.0 (commit 0b1723c) made them.

Not a test and not importable from today's code: run it once with the code of that release, e.g.

    mkdir /tmp/release-0.1.0 && git archive 0b1723c | tar -x -C /tmp/release-0.1.0
    cp tests/data/release-0.1.0/generate.py /tmp/release-0.1.0/
    (cd /tmp/release-0.1.0 && /path/to/.venv/bin/python generate.py OUT_DIR)

It provisions one node (synthetic export, ingested; one patient erased; noise with a budget so the
ε ledger has a row), runs two federated queries from a hub through the node's real app in process
(the second is a cache hit), signs an audit checkpoint on both sides, and dumps both SQLite
databases as SQL text. Keys, secrets and tokens stay in a temporary folder: the dumps hold only
pseudonymised synthetic rows, public digests and signatures.
"""

from __future__ import annotations

import asyncio
import csv
import sqlite3
import sys
import tempfile
from datetime import date
from pathlib import Path

import httpx

from app.cli.init import scaffold_hub, scaffold_node
from app.cli.peers import add_node, add_peer
from app.cli.provision import ingest_folder
from app.config import load_hub_settings, load_node_settings
from app.database import create_store_engine
from app.exchange.query import MeasureQuery
from app.hub.service import HubService
from app.ingest import erase_patient
from app.node.app import create_node_app
from app.synth import write_synthetic_export
from app.trust.audit import AuditLog
from app.trust.keys import load_signing_key

QUERIES = [
    MeasureQuery("treated-patients", None, date(2024, 1, 1), date(2025, 6, 30), {}, ("route",), {}),
    MeasureQuery("treated-patients", None, date(2024, 1, 1), date(2025, 6, 30), {}, ("route",), {}),
    MeasureQuery("administrations", None, date(2024, 1, 1), date(2025, 6, 30), {}, ("drug",), {}),
]


def _dump(database: Path, out: Path) -> None:
    connection = sqlite3.connect(database)
    try:
        out.write_text("\n".join(connection.iterdump()) + "\n", encoding="utf-8")
    finally:
        connection.close()


def main(out_dir: Path) -> None:
    """Provision, query, checkpoint and dump; write ``node.sql`` and ``hub.sql`` to ``out_dir``."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        hub_config = scaffold_hub(root / "hub", port=8100)
        node_config = scaffold_node(
            root / "no",
            node_id="no",
            country="NO",
            port=8101,
            disclosure={"min_cell": 5, "epsilon": 1.0, "epsilon_budget": 5.0},
        )
        export = root / "no" / "export"
        write_synthetic_export(country="NO", patients=8, seed=8, out_dir=export, formats="csv")
        ingest_folder(node_config, export / "csv")
        add_peer(
            node_config,
            name="hub",
            jwk=root / "hub" / "keys" / "hub.jwk.json",
            grants=["aggregate"],
        )
        settings = load_node_settings(node_config)
        add_node(
            hub_config,
            node_id="no",
            country="NO",
            url=settings.node.public_url,
            jwk=root / "no" / "keys" / "no.jwk.json",
        )
        with (export / "csv" / "patients.csv").open(encoding="utf-8") as patients:
            first_patient = next(csv.DictReader(patients))
        engine = create_store_engine(settings.node.database_url)
        erase_patient(
            engine=engine,
            secret=settings.node.pseudonym_secret.read_bytes().strip(),
            source_patient_id=next(iter(first_patient.values())),
        )
        node_app = create_node_app(settings)
        hub = HubService(load_hub_settings(hub_config), transport=httpx.ASGITransport(node_app))
        for query in QUERIES:
            asyncio.run(hub.run_query(query, actor="analyst"))
        AuditLog(engine).checkpoint(load_signing_key(settings.node.signing_key))
        hub.audit.checkpoint(hub.key)
        engine.dispose()
        hub.engine.dispose()
        out_dir.mkdir(parents=True, exist_ok=True)
        _dump(root / "no" / "no.db", out_dir / "node.sql")
        _dump(root / "hub" / "hub.db", out_dir / "hub.sql")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
