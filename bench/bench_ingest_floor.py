"""The floor of an ingest in Python: the contract's per-record work in the tightest loop, timed.

    .venv/bin/python bench/bench_ingest_floor.py --administrations 1000000

Writes the bench export of ``bench_ingest.py`` (the same rows), then times in this one process,
on one core, the work every record of it needs whatever the ingest's design, each with the fastest
primitive Python offers and no checks, no mapping, no error handling:

1. ``read``: ``csv.reader`` over the three files (C);
2. ``hashes``: per record its id's pseudonym (one HMAC-SHA256 from keyed SHA-256 states computed
   once, as ``app/deid`` does: 0.8 µs against 1.9 µs for ``hmac.digest`` here), its patient's
   (one HMAC per patient, then a dict), its record key and member hash for the kinds that have one
   (one more HMAC of the pseudonym) and its ``row_hash`` (BLAKE2b of the ``orjson`` dump of the
   stored values), as ``app/deid`` defines them;
3. ``values``: parsing the instants (``datetime.fromisoformat``), numbers and the birth year, and
   building the stored tuple;
4. ``insert``: ``executemany`` of those tuples into the store's schema (latest migration) with the
   indexes dropped, then the indexes built again and one commit — as ``bench_ingest.py``'s bare insert.

It prints each stage in µs per record and their sum as records/s on one core: what no Python
ingest of these rows can beat on this machine, to read beside ``bench_ingest.py``'s figure (the
real ingest also validates, maps declaratively, reports located errors, deduplicates and refreshes
the kept signals). Nothing here is asserted.
"""

from __future__ import annotations

import argparse
import csv
import gc
import hashlib
import os
import sqlite3
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_ingest import SECRET, table_indexes, write_export  # noqa: E402

SECONDS_PER_DAY = 86_400
_PSEUDONYM = b"ketanet-pseudonym-v1\x1f"
_RECORD_KEY = b"ketanet-record-key-v1\x1f"
KINDS = (b"patient", b"administration", b"observation")


def _cpu() -> float:
    return time.process_time()


def hmac_hex(prefix: bytes) -> Any:
    """Return ``value -> HMAC-SHA256(SECRET, prefix + value)``, from its keyed states (one copy each)."""
    key = SECRET.ljust(64, b"\0")
    inner = hashlib.sha256(bytes(byte ^ 0x36 for byte in key))
    inner.update(prefix)
    inner_copy = inner.copy
    outer_copy = hashlib.sha256(bytes(byte ^ 0x5C for byte in key)).copy

    def mac(value: str) -> bytes:
        state = inner_copy()
        state.update(value.encode())
        outer = outer_copy()
        outer.update(state.digest())
        return outer.digest()

    return mac


def read_stage(folder: Path) -> tuple[dict[str, list[list[str]]], float]:
    """Read the three files with ``csv.reader``; return their rows and the CPU seconds."""
    started = _cpu()
    rows = {}
    for name in ("patients", "administrations", "observations"):
        with (folder / f"{name}.csv").open(newline="") as handle:
            reader = csv.reader(handle)
            next(reader)
            rows[name] = list(reader)
    return rows, _cpu() - started


def _stage_rows(rows: dict[str, list[list[str]]]) -> tuple[dict[str, list[tuple[Any, ...]]], float]:
    """Hash, parse and build every stored tuple; return them and the CPU seconds."""
    blake2b = hashlib.blake2b
    dumps = orjson.dumps
    from_bytes = int.from_bytes
    parse = datetime.fromisoformat
    patients: dict[str, str] = {}
    macs = {kind: hmac_hex(_PSEUDONYM + kind + b"\x1f") for kind in KINDS}
    key_macs = {kind: hmac_hex(_RECORD_KEY + kind + b"\x1f") for kind in KINDS}

    def pseudonym(domain: bytes, value: str) -> str:
        return macs[domain](value).hex()[:32]

    def patient_of(value: str) -> str:
        found = patients.get(value)
        if found is None:
            found = patients[value] = pseudonym(b"patient", value)
        return found

    def keys(kind: bytes, stored: str) -> tuple[int, int]:
        mac = key_macs[kind](stored)
        return mac[0], from_bytes(mac[1:5], "big")

    started = _cpu()
    out: dict[str, list[tuple[Any, ...]]] = {"patient": [], "administration": [], "observation": []}
    append = out["patient"].append
    for (
        pid,
        _nid,
        _family,
        _given,
        birth,
        sex,
        _postal,
        diagnosis,
        trials,
        substance,
        psychosis,
    ) in rows["patients"]:
        stored = patient_of(pid)
        values = (stored, int(birth[:4]), sex, diagnosis, int(trials), substance, psychosis)
        row_hash = blake2b(dumps(values), digest_size=16).hexdigest()
        append((*values, row_hash, *keys(b"patient", stored)))
    append = out["administration"].append
    for aid, pid, at, drug, route, dose, weight, setting, _lot in rows["administrations"]:
        stored = pseudonym(b"administration", aid)
        at_s = int(parse(at).timestamp())
        values = (
            stored,
            patient_of(pid),
            at_s,
            at_s // SECONDS_PER_DAY,
            drug,
            route,
            float(dose),
            float(weight),
            setting,
        )
        row_hash = blake2b(dumps(values), digest_size=16).hexdigest()
        append((*values, row_hash, *keys(b"administration", stored)))
    append = out["observation"].append
    for oid, pid, at, code, value, _unit in rows["observations"]:
        at_s = int(parse(at).timestamp())
        values = (
            pseudonym(b"observation", oid),
            patient_of(pid),
            at_s,
            at_s // SECONDS_PER_DAY,
            code,
            float(value),
            "score",
        )
        row_hash = blake2b(dumps(values), digest_size=16).hexdigest()
        append((*values, row_hash))
    return out, _cpu() - started


def hash_stage(rows: dict[str, list[list[str]]]) -> float:
    """CPU seconds of the hashes alone: pseudonyms, record keys, row hashes (fixed row values)."""
    blake2b = hashlib.blake2b
    dumps = orjson.dumps
    patients: set[str] = set()
    patient_mac = hmac_hex(_PSEUDONYM + b"patient\x1f")
    started = _cpu()
    for name, keyed in (("patients", True), ("administrations", True), ("observations", False)):
        mac = hmac_hex(_PSEUDONYM + name[:-1].encode() + b"\x1f")
        key_mac = hmac_hex(_RECORD_KEY + name[:-1].encode() + b"\x1f")
        for row in rows[name]:
            if row[1] not in patients:
                patients.add(row[1])
                patient_mac(row[1])
            stored = mac(row[0]).hex()[:32]
            if keyed:
                key_mac(stored)
            blake2b(dumps(row), digest_size=16).hexdigest()
    return _cpu() - started


def insert_stage(tuples: dict[str, list[tuple[Any, ...]]], database: Path) -> tuple[float, float]:
    """Insert the tuples into the store's schema as the bare insert does; return CPU and wall s."""
    from app.schema_versions import SchemaHistory, upgrade
    from app.store import create_store_engine
    from app.store.migrations import NODE_SCHEMA

    engine = create_store_engine(f"sqlite:///{database}")
    upgrade(engine, SchemaHistory(NODE_SCHEMA.version_table, NODE_SCHEMA.migrations))
    engine.dispose()
    connection = sqlite3.connect(database, isolation_level=None)
    for pragma in ("journal_mode=WAL", "foreign_keys=OFF", "synchronous=NORMAL"):
        connection.execute(f"PRAGMA {pragma}")
    tables = tuple(tuples)
    indexes = table_indexes(connection, tables)
    columns = {
        table: [row[1] for row in connection.execute(f"PRAGMA table_info({table})")]
        for table in tables
    }
    wall, started = time.perf_counter(), _cpu()
    connection.execute("BEGIN")
    for name, _sql in indexes:
        connection.execute(f"DROP INDEX {name}")
    for table, rows in tuples.items():
        names = columns[table][: len(rows[0])]
        statement = (
            f"INSERT INTO {table} ({', '.join(names)}) VALUES ({','.join('?' * len(names))})"
        )
        connection.executemany(statement, rows)
    for _name, sql in indexes:
        connection.execute(sql)
    connection.execute("COMMIT")
    cpu, wall = _cpu() - started, time.perf_counter() - wall
    connection.close()
    return cpu, wall


def main() -> None:
    """Write the export, time each stage, print µs per record and the floor's records/s."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--administrations", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        work = Path(tmp)
        records = write_export(work / "export", administrations=args.administrations)
        gc.disable()  # the rows are held in lists here; the ingest streams and freezes its own
        rows, read_s = read_stage(work / "export")
        hashes_s = hash_stage(rows)
        tuples, built_s = _stage_rows(rows)
        insert_cpu, insert_wall = insert_stage(tuples, work / "floor.db")
    per = 1e6 / records
    values_s = max(0.0, built_s - hashes_s)
    total = read_s + built_s + insert_cpu
    print(f"export: {args.administrations:,} administrations, {records:,} records (one process)")
    print(f"  read (csv.reader)                    {read_s * per:6.2f} µs/record")
    print(f"  hashes (pseudonyms, keys, row hash)  {hashes_s * per:6.2f} µs/record")
    print(f"  values and tuples (built - hashes)   {values_s * per:6.2f} µs/record")
    print(
        f"  insert + index rebuild + commit      {insert_cpu * per:6.2f} µs/record CPU "
        f"({insert_wall * per:.2f} wall)"
    )
    print(
        f"floor: {total * per:.2f} µs of CPU per record = {records / total:,.0f} records/s on one "
        f"core (the target, 100,000 records/s, is 10 µs)"
    )
    print(f"load average at the end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
