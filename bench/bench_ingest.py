"""Ingest benchmark: a large reference CSV export into SQLite, against a bare ``sqlite3`` insert.

    .venv/bin/python bench/bench_ingest.py --administrations 1000000

Writes an export of N administrations (plus N/50 patients and N/5 observations), ingests it with
``ingest_export`` in a fresh process (so its peak RSS is its own) with as many worker processes as
``ketanet ingest`` uses, then again in one process (the baseline of the workers), ingests an
export a tenth of the size (flat memory means both peaks are close), then inserts the very rows the ingest
stored into an empty database of the same schema with bare ``sqlite3.executemany`` in one
transaction (indexes dropped and rebuilt, as the ingest does; and, for the record, into the TEXT
primary key layout of schema version 15 with the indexes in place), and prints records/s, peak memory and the ratio of the two times; last, the rate of
the Python row path alone (read, map, de-identify, validate; no database) for scale.
``--workers N`` sets the worker processes of the first run (and of the row path alone) instead.

    .venv/bin/python bench/bench_ingest.py --postgres postgresql://postgres@127.0.0.1:5432

With ``--postgres`` it measures the PostgreSQL store instead: in a scratch database (``bench_...``,
dropped at the end) it ingests the export with ``ingest_export`` (COPY, ``app.store.postgres_writer``),
runs the row path alone with the same workers, ingests again in one process into a second scratch
database, then loads the very rows the ingest stored three times with a bare binary ``COPY`` into a new schema
of the same tables (secondary indexes, foreign keys and primary keys dropped first and re-added at
the end, in one transaction, as the ingest does), and prints records/s, client CPU and the ratio.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SECRET = b"bench secret, 32 bytes or longer!!"
TABLES = ("patient", "administration", "observation")


def write_export(folder: Path, *, administrations: int, seed: int = 7) -> int:
    """Write patients.csv, administrations.csv and observations.csv; return the record count."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    patients = max(1, administrations // 50)
    observations = administrations // 5
    with (folder / "patients.csv").open("w", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(
            [
                "patient_id",
                "national_id",
                "family_name",
                "given_name",
                "birth_date",
                "sex",
                "postal_code",
                "diagnosis",
                "failed_trials",
                "substance_use_history",
                "psychosis_history",
            ]
        )
        for number in range(patients):
            out.writerow(
                [
                    f"P{number:07d}",
                    f"{rng.randrange(10**10, 10**11)}",
                    "Family",
                    "Given",
                    f"{rng.randint(1940, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    rng.choice(("female", "male")),
                    "0150",
                    "F33.2",
                    rng.randint(2, 6),
                    "no",
                    "no",
                ]
            )
    routes = ("iv", "im", "sc", "oral", "sublingual", "intranasal")
    with (folder / "administrations.csv").open("w", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(
            [
                "administration_id",
                "patient_id",
                "administered_at",
                "drug",
                "route",
                "dose_mg",
                "weight_kg",
                "setting",
                "lot_number",
            ]
        )
        for number in range(administrations):
            day = 1 + number % 28
            out.writerow(
                [
                    f"A{number:09d}",
                    f"P{rng.randrange(patients):07d}",
                    f"2024-{1 + number % 12:02d}-{day:02d}T{8 + number % 10:02d}:15:00+01:00",
                    "ketamine",
                    rng.choice(routes),
                    f"{rng.uniform(20, 120):.1f}",
                    f"{rng.uniform(50, 110):.1f}",
                    "clinic",
                    "LOT-1",
                ]
            )
    with (folder / "observations.csv").open("w", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(["observation_id", "patient_id", "observed_at", "code", "value", "unit"])
        for number in range(observations):
            out.writerow(
                [
                    f"O{number:09d}",
                    f"P{rng.randrange(patients):07d}",
                    f"2024-{1 + number % 12:02d}-{1 + number % 28:02d}T09:00:00+01:00",
                    "MADRS",
                    rng.randint(0, 60),
                    "",
                ]
            )
    return patients + administrations + observations


def child_ingest(export: Path, database: Path, workers: int | None = None) -> None:
    """Ingest ``export`` into a new ``database``; print seconds, records and peak RSS as JSON.

    ``workers`` None: as many worker processes as ``ketanet ingest`` uses on this machine.
    """
    from app.ingest import ingest_export
    from app.ingest.row_path import default_workers
    from app.store import create_store_engine, upgrade_schema

    engine = create_store_engine(f"sqlite:///{database}")
    upgrade_schema(engine)
    workers = default_workers() if workers is None else workers
    started = time.perf_counter()
    cpu = _cpu_seconds()
    report = ingest_export(
        engine=engine, paths=[export], secret=SECRET, timezone="UTC", workers=workers
    )
    seconds = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu
    engine.dispose()
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    worker_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": seconds,
                "records": report.total("inserted"),
                "peak_mib": peak_kib / 1024,
                "worker_peak_mib": worker_kib / 1024,
                "workers": workers,
                "cpu_s": cpu,
            }
        )
    )


def _cpu_seconds() -> float:
    """CPU time (user + system) of this process and of its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def child_pipeline(export: Path, _database: Path) -> None:
    """Map, de-identify and validate ``export`` (record keys too) without a database; print seconds."""
    from app.deid import Pseudonymiser
    from app.deid.record_keys import RecordKeyer
    from app.ingest.ingest_report import IssueLog
    from app.ingest.pipeline import RecordPipeline
    from app.ingest.plan import plan_export

    plan = plan_export([export], mapping=None, timezone="UTC")
    started = time.perf_counter()
    cpu = _own_cpu_seconds()
    pipeline = RecordPipeline(
        plan,
        pseudonymiser=Pseudonymiser(SECRET),
        record_keys=RecordKeyer(SECRET),
        issues=IssueLog(),
    )
    rows = sum(len(batch.rows) for batch in pipeline.batches())
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "records": rows, "cpu_s": _own_cpu_seconds() - cpu}))


def table_indexes(connection: sqlite3.Connection, tables: tuple[str, ...]) -> list[tuple[str, str]]:
    """Return (name, CREATE statement) of the declared indexes of ``tables``, by name."""
    marks = ",".join("?" for _ in tables)
    return connection.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({marks}) ORDER BY name",
        tables,
    ).fetchall()


def child_bare(source: Path, database: Path, *, old_layout: bool = False) -> None:
    """Insert the rows stored in ``source`` into a new ``database`` with bare sqlite3; print seconds.

    Into the store's schema (version 16: no declared primary key, pseudonyms unique by an index),
    loaded as well as a bare program can and as the ingest does: foreign keys off, every index of
    the tables dropped, ``executemany``, the indexes built again, one ``foreign_key_check``, one
    commit. With ``old_layout``, into the schema of version 15 (``id TEXT PRIMARY KEY``, whose
    index cannot be dropped) with foreign keys on and the indexes in place, as this bench measured
    it up to round 4.
    """
    from app.schema_versions import SchemaHistory, upgrade
    from app.store import create_store_engine
    from app.store.migrations import NODE_SCHEMA

    engine = create_store_engine(f"sqlite:///{database}")
    migrations = NODE_SCHEMA.migrations[:15] if old_layout else NODE_SCHEMA.migrations
    upgrade(engine, SchemaHistory(NODE_SCHEMA.version_table, migrations))
    engine.dispose()
    reader = sqlite3.connect(source)
    rows = {table: reader.execute(f"SELECT * FROM {table}").fetchall() for table in TABLES}
    columns = {
        table: len(reader.execute(f"SELECT * FROM {table} LIMIT 1").description) for table in TABLES
    }
    reader.close()
    connection = sqlite3.connect(database, isolation_level=None)
    foreign_keys = "ON" if old_layout else "OFF"
    for pragma in ("journal_mode=WAL", f"foreign_keys={foreign_keys}", "synchronous=NORMAL"):
        connection.execute(f"PRAGMA {pragma}")
    indexes = table_indexes(connection, TABLES)
    started = time.perf_counter()
    cpu = _own_cpu_seconds()
    connection.execute("BEGIN")
    if not old_layout:
        for name, _sql in indexes:
            connection.execute(f"DROP INDEX {name}")
    for table in TABLES:
        marks = ",".join("?" * columns[table])
        connection.executemany(f"INSERT INTO {table} VALUES ({marks})", rows[table])
    if not old_layout:
        for _name, sql in indexes:
            connection.execute(sql)
        assert connection.execute("PRAGMA foreign_key_check").fetchone() is None
    connection.execute("COMMIT")
    seconds = time.perf_counter() - started
    cpu = _own_cpu_seconds() - cpu
    connection.close()
    records = sum(len(r) for r in rows.values())
    print(json.dumps({"seconds": seconds, "records": records, "cpu_s": cpu}))


def child_postgres_ingest(export: Path, url: str, workers: int | None = None) -> None:
    """Ingest ``export`` into the PostgreSQL database ``url``; print seconds, records and CPU.

    ``workers`` None: as many worker processes as ``ketanet ingest`` uses on this machine.

    Also prints the seconds the writing process spent in the writer (``write``: encoding rows
    and sending them; ``finish``: the merges and the index and constraint rebuilds).
    """
    from app.ingest import ingest_export
    from app.ingest.row_path import default_workers
    from app.store import create_store_engine, upgrade_schema
    from app.store.postgres_writer import PostgresBulkWriter

    spent = {"write": 0.0, "finish": 0.0}

    def timed(name: str) -> Any:
        method = getattr(PostgresBulkWriter, name)

        def run(*args: Any, **options: Any) -> Any:
            started = time.perf_counter()
            try:
                return method(*args, **options)
            finally:
                spent[name] += time.perf_counter() - started

        return run

    for name in spent:
        setattr(PostgresBulkWriter, name, timed(name))
    engine = create_store_engine(url)
    upgrade_schema(engine)
    workers = default_workers() if workers is None else workers
    started = time.perf_counter()
    cpu, own = _cpu_seconds(), _own_cpu_seconds()
    report = ingest_export(
        engine=engine, paths=[export], secret=SECRET, timezone="UTC", workers=workers
    )
    seconds = time.perf_counter() - started
    cpu, own = _cpu_seconds() - cpu, _own_cpu_seconds() - own
    engine.dispose()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "records": report.total("inserted"),
                "workers": workers,
                "cpu_s": cpu,
                "own_cpu_s": own,
                "write_s": spent["write"],
                "finish_s": spent["finish"],
            }
        )
    )


def child_row_path(export: Path, _database: str, workers: int | None = None) -> None:
    """Run the ingest's row path with its worker processes and no store; print seconds and CPU."""
    from app.deid import Pseudonymiser
    from app.deid.record_keys import RecordKeyer
    from app.ingest.ingest_report import IssueLog
    from app.ingest.pipeline import RecordPipeline
    from app.ingest.plan import plan_export
    from app.ingest.row_path import default_workers

    plan = plan_export([export], mapping=None, timezone="UTC")
    started = time.perf_counter()
    cpu = _cpu_seconds()
    pipeline = RecordPipeline(
        plan,
        pseudonymiser=Pseudonymiser(SECRET),
        record_keys=RecordKeyer(SECRET),
        issues=IssueLog(),
        workers=default_workers() if workers is None else workers,
    )
    rows = sum(len(batch.rows) for batch in pipeline.batches())
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "records": rows, "cpu_s": _cpu_seconds() - cpu}))


def _own_cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def child_postgres_bare(url: str, schema: str) -> None:
    """COPY the rows the ingest stored in ``url`` into a new ``schema`` of the same tables.

    The rows are read into Python tuples first (not timed); the timed part is one transaction:
    drop the indexes and constraints the ingest drops too, ``COPY`` every table (binary,
    ``write_row``), add them back, commit. Prints seconds, rows and this process's CPU seconds.
    """
    import psycopg
    from sqlalchemy import text

    from app.store import create_store_engine, upgrade_schema

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    engine = create_store_engine(f"{url}?options=-csearch_path%3D{schema}")
    upgrade_schema(engine)
    with engine.connect() as connection:
        types = {
            table: [
                str(name)
                for (name,) in connection.execute(
                    text(
                        "SELECT format_type(atttypid, NULL) FROM pg_attribute "
                        "WHERE attrelid = CAST(:t AS regclass) AND attnum > 0 "
                        "AND NOT attisdropped ORDER BY attnum"
                    ),
                    {"t": table},
                )
            ]
            for table in TABLES
        }
    engine.dispose()
    with psycopg.connect(plain) as source:
        rows = {
            table: source.execute(f"SELECT * FROM public.{table}").fetchall() for table in TABLES
        }
    binary = {"character varying": "varchar", "integer": "int4", "bigint": "int8"}
    binary |= {"smallint": "int2", "double precision": "float8", "boolean": "bool"}
    with psycopg.connect(plain, options=f"-csearch_path={schema}") as connection:
        started = time.perf_counter()
        cpu = _own_cpu_seconds()
        restore = []
        for table in TABLES:
            constraints = connection.execute(
                "SELECT conname, pg_get_constraintdef(oid), contype, EXISTS (SELECT 1 FROM "
                "pg_constraint r WHERE r.confrelid = c.conrelid AND r.contype = 'f') "
                "FROM pg_constraint c WHERE conrelid = %s::regclass AND contype IN ('p', 'f')",
                (table,),
            ).fetchall()
            for name, definition, kind, referenced in constraints:
                if kind == "p" and referenced:
                    continue
                connection.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                restore.append(
                    (
                        0 if kind == "p" else 2,
                        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}',
                    )
                )
            indexes = connection.execute(
                "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index x "
                "WHERE indrelid = %s::regclass AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
                (table,),
            ).fetchall()
            for name, definition in indexes:
                connection.execute(f"DROP INDEX {name}")
                restore.append((1, definition))
        for table in TABLES:
            with connection.cursor().copy(f"COPY {table} FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types([binary[name] for name in types[table]])
                for row in rows[table]:
                    copy.write_row(row)
        for _order, statement in sorted(restore):
            connection.execute(statement)
        connection.commit()
        seconds = time.perf_counter() - started
        cpu = _own_cpu_seconds() - cpu
    print(
        json.dumps(
            {"seconds": seconds, "records": sum(len(r) for r in rows.values()), "cpu_s": cpu}
        )
    )


def bench_postgres(
    server: str, administrations: int, workdir: Path | None, chosen: list[str]
) -> None:
    """Ingest into a scratch PostgreSQL database, then bare-COPY the same rows three times."""
    import secrets

    import psycopg

    server = server.rstrip("/").replace("postgresql+psycopg://", "postgresql://")
    name = f"bench_ingest_{secrets.token_hex(4)}"
    url = f"{server.replace('postgresql://', 'postgresql+psycopg://')}/{name}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with tempfile.TemporaryDirectory(dir=workdir) as tmp:
            work = Path(tmp)
            total = write_export(work / "export", administrations=administrations)
            print(f"export: {administrations:,} administrations, {total:,} records")
            ingest = run_child("--child", "pg-ingest", str(work / "export"), url, *chosen)
            alone = run_child("--child", "row-path", str(work / "export"), "-", *chosen)
            # Into a second scratch database: the first one holds the rows the bare COPYs load.
            with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{name}_serial"')
            serial = run_child(
                "--child", "pg-ingest", str(work / "export"), f"{url}_serial", "--serial"
            )
        bares = [run_child("--child", "pg-bare", url, f"bare_{run}") for run in range(3)]
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'DROP DATABASE IF EXISTS "{name}_serial" WITH (FORCE)')
    rate = ingest["records"] / ingest["seconds"]
    print(
        f"PostgreSQL ingest ({ingest['workers']:.0f} worker processes): {ingest['records']:,.0f} "
        f"records in {ingest['seconds']:.2f} s = {rate:,.0f} records/s (client CPU "
        f"{ingest['cpu_s']:.1f} s, of which the writing process {ingest['own_cpu_s']:.1f} s); "
        f"in the writer: write {ingest['write_s']:.1f} s, finish (merges, index and "
        f"constraint rebuilds) {ingest['finish_s']:.1f} s"
    )
    print(
        f"the row path alone (the same workers, no store): {alone['seconds']:.2f} s = "
        f"{alone['records'] / alone['seconds']:,.0f} records/s (client CPU {alone['cpu_s']:.1f} s)"
    )
    serial_rate = serial["records"] / serial["seconds"]
    print(
        f"PostgreSQL ingest in one process: {serial['seconds']:.2f} s = {serial_rate:,.0f} "
        f"records/s (CPU {serial['cpu_s']:.1f} s; write {serial['write_s']:.1f} s, finish "
        f"{serial['finish_s']:.1f} s); workers speed-up {serial['seconds'] / ingest['seconds']:.2f}x"
    )
    seconds = sorted(bare["seconds"] for bare in bares)
    median = seconds[1]
    print(
        "bare COPY of the same rows (3 runs): "
        + ", ".join(f"{s:.2f} s" for s in seconds)
        + f"; median {bares[0]['records'] / median:,.0f} rows/s (client CPU "
        + ", ".join(f"{bare['cpu_s']:.1f}" for bare in bares)
        + " s)"
    )
    print(
        f"ratio PostgreSQL ingest rate / bare COPY rate: {median / ingest['seconds']:.2f}x "
        f"(best bare {seconds[0] / ingest['seconds']:.2f}x, worst {seconds[2] / ingest['seconds']:.2f}x)"
    )
    print(
        f"ratio in one process / bare COPY: {median / serial['seconds']:.2f}x "
        f"(best bare {seconds[0] / serial['seconds']:.2f}x)"
    )
    print(f"load average at the end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


def run_child(*args: str) -> dict[str, float]:
    """Run this script as a child process and return its JSON line."""
    output = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True
    ).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def main() -> None:
    """Parse arguments and run the benchmark (or one child step)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--administrations", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--child", nargs=3, metavar=("STEP", "SOURCE", "DATABASE"))
    parser.add_argument("--serial", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--workers", type=int, default=None, help="worker processes (default: as ketanet ingest)"
    )
    parser.add_argument("--postgres", metavar="URL", help="PostgreSQL server to measure instead")
    args = parser.parse_args()
    if args.child:
        step, source, database = args.child
        workers = 0 if args.serial else args.workers
        if step == "pg-ingest":
            child_postgres_ingest(Path(source), database, workers=workers)
            return
        if step == "row-path":
            child_row_path(Path(source), database, workers=workers)
            return
        if step == "pg-bare":
            child_postgres_bare(source, database)
            return
        if step == "ingest":
            child_ingest(Path(source), Path(database), workers=workers)
            return
        if step == "bare-old":
            child_bare(Path(source), Path(database), old_layout=True)
            return
        steps = {"pipeline": child_pipeline, "bare": child_bare}
        steps[step](Path(source), Path(database))
        return
    chosen = [] if args.workers is None else ["--workers", str(args.workers)]
    if args.postgres:
        bench_postgres(args.postgres, args.administrations, args.workdir, chosen)
        return
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        work = Path(tmp)
        small_n = max(1, args.administrations // 10)
        write_export(work / "small", administrations=small_n)
        total = write_export(work / "export", administrations=args.administrations)
        print(f"export: {args.administrations:,} administrations, {total:,} records")
        small = run_child("--child", "ingest", str(work / "small"), str(work / "small.db"), *chosen)
        full = run_child(
            "--child", "ingest", str(work / "export"), str(work / "ingest.db"), *chosen
        )
        serial = run_child(
            "--child", "ingest", str(work / "export"), str(work / "serial.db"), "--serial"
        )
        bare = run_child("--child", "bare", str(work / "ingest.db"), str(work / "bare.db"))
        bare_old = run_child(
            "--child", "bare-old", str(work / "ingest.db"), str(work / "bare_old.db")
        )
        alone = run_child("--child", "pipeline", str(work / "export"), "-")
    rate = full["records"] / full["seconds"]
    print(
        f"ingest ({full['workers']:.0f} worker processes): {full['records']:,.0f} records in "
        f"{full['seconds']:.2f} s = {rate:,.0f} records/s (CPU {full['cpu_s']:.1f} s)"
    )
    serial_rate = serial["records"] / serial["seconds"]
    print(
        f"ingest in one process: {serial['seconds']:.2f} s = {serial_rate:,.0f} records/s "
        f"(CPU {serial['cpu_s']:.1f} s); workers speed-up {serial['seconds'] / full['seconds']:.2f}x"
    )
    print(
        f"peak memory (RSS of the ingest process): {full['peak_mib']:.0f} MiB at full size, "
        f"{small['peak_mib']:.0f} MiB at a tenth of it "
        f"({full['peak_mib'] / small['peak_mib']:.2f}x); largest worker "
        f"{full['worker_peak_mib']:.0f} MiB"
    )
    bare_rate = bare["records"] / bare["seconds"]
    print(
        f"bare sqlite3 executemany of the same rows into the same schema (indexes dropped and "
        f"rebuilt, one foreign_key_check): {bare['seconds']:.2f} s = {bare_rate:,.0f} rows/s "
        f"(CPU {bare['cpu_s']:.1f} s)"
    )
    print(
        f"ratio ingest / bare insert: {full['seconds'] / bare['seconds']:.2f}x; "
        f"in one process {serial['seconds'] / bare['seconds']:.2f}x"
    )
    old_rate = bare_old["records"] / bare_old["seconds"]
    print(
        f"for the record, bare insert into the layout of version 15 (TEXT primary keys, "
        f"foreign keys on, indexes in place): {bare_old['seconds']:.2f} s = {old_rate:,.0f} rows/s "
        f"(CPU {bare_old['cpu_s']:.1f} s)"
    )
    alone_rate = alone["records"] / alone["seconds"]
    print(
        f"of which map + de-identify + validate alone: {alone_rate:,.0f} records/s "
        f"(CPU {alone['cpu_s']:.1f} s)"
    )
    per_record = 1e6 / full["records"]
    print(
        f"CPU per record: ingest {full['cpu_s'] * per_record:.1f} µs, row path alone "
        f"{alone['cpu_s'] * per_record:.1f} µs, bare insert {bare['cpu_s'] * per_record:.1f} µs "
        f"(CPU-bound rate of the ingest: {full['records'] / full['cpu_s']:,.0f} records/s)"
    )
    print(f"load average at the end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
