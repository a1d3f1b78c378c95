"""Benchmark: measure evaluation + disclosure + MeasureReport vs the bare SQL aggregate.

One command (SQLite; add ``--postgres URL`` to run the same on a PostgreSQL server database that
this script creates and drops)::

    .venv/bin/python bench/bench_measures.py [--administrations 1000000] [--postgres postgresql://postgres@127.0.0.1:5432]
        [--measures efficacy,adverse-events]

It builds a store with ~1,000,000 administrations (rows generated directly and inserted with
``executemany`` / ``COPY``), then times, in the same run on the same database, the bare aggregate
``SELECT route, COUNT(DISTINCT patient_id) FROM administration WHERE day BETWEEN … GROUP BY route``
and the node's pipeline (``evaluate_measure`` → ``apply_disclosure`` → ``to_measure_report`` →
JSON) for several measures, and prints the median times and their ratio (target ≤ 1.5×); the bare
aggregate runs with the pipeline's own hints (SQLite's table-scan hint, PostgreSQL's ``work_mem``
and JIT off), and is printed as written too; then
the same under the default policy's chain (cell keys summed in SQL, perturbation, nested
complements; ``docs/privacy.md``), as a second ratio to the same bare aggregate.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import orjson
from sqlalchemy import Engine, event, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.disclosure import apply_disclosure
from app.disclosure.perturbation import perturbation_table
from app.exchange.answer import DisclosurePolicy, MeasureAnswer
from app.exchange.measure_report import to_measure_report
from app.exchange.query import MeasureQuery
from app.measures import evaluate_measure, evaluate_with_members, validate_query
from app.measures.cohort import prefers_administration_scan
from app.measures.limits import evaluation_limits
from app.node.answers import measure_nesting
from app.node.releases import cell_material
from app.store import create_store_engine, upgrade_schema
from app.store.dose_signals import (
    MARKED_TABLES,
    refresh_dose_signals,
    resume_sqlite_marking,
    suspend_sqlite_marking,
)

DAY_S = 86_400
FIRST_DAY = (date(2022, 1, 1) - date(1970, 1, 1)).days
PERIOD = (date(2023, 1, 1), date(2024, 12, 31))
DRUGS = [
    ("ketamine", "iv"),
    ("ketamine", "im"),
    ("esketamine", "intranasal"),
    ("ketamine", "oral"),
    ("arketamine", "sc"),
    ("ketamine", "sublingual"),
]
SETTINGS = ["clinic", "inpatient", "home-supervised", "home-unsupervised"]
BARE_SQL = (
    "SELECT route, COUNT(DISTINCT patient_id) FROM administration "
    "WHERE {day} BETWEEN :start AND :end GROUP BY route"
)
BARE = text(BARE_SQL.format(day="day"))
HINTED_BARE = text(BARE_SQL.format(day="day + 0"))
"""SQLite's table-scan hint, as the pipeline writes it (``app.measures.cohort``)."""
QUERIES = [  # in normal form, as the node evaluates them
    validate_query(query)
    for query in (
        MeasureQuery("treated-patients", None, *PERIOD, {}, ("route",), {}),
        MeasureQuery("administrations", None, *PERIOD, {}, ("route",), {}),
        MeasureQuery(
            "treated-patients",
            None,
            *PERIOD,
            {"drug": ("ketamine",)},
            ("route", "sex", "age-band"),
            {},
        ),
        MeasureQuery("adverse-events", None, *PERIOD, {}, ("drug",), {}),
        MeasureQuery("guideline-adherence", None, *PERIOD, {}, ("route",), {}),
        MeasureQuery(
            "efficacy", None, *PERIOD, {}, ("route",), {"instrument": "MADRS", "timepoint": "day28"}
        ),
        MeasureQuery("safety-signals", None, *PERIOD, {}, ("route",), {}),
        MeasureQuery("review-intervals", None, *PERIOD, {}, ("route",), {}),
    )
]


def generate(administrations: int, seed: int = 1) -> dict[str, list[tuple[object, ...]]]:
    """Return rows (tuples in column order) for a registry of about ``administrations`` doses."""
    rng = random.Random(seed)
    rows: dict[str, list[tuple[object, ...]]] = {
        "patient": [],
        "administration": [],
        "adverse_event": [],
        "observation": [],
        "dispense": [],
        "review": [],
    }
    number = 0
    while len(rows["administration"]) < administrations:
        pid = f"p{number:07d}"
        number += 1
        rows["patient"].append(
            (pid, rng.randint(1940, 2008), rng.choice(["female", "male"]), "F33.1", "h")
        )
        at_s = (FIRST_DAY + rng.randint(0, 1000)) * DAY_S + rng.randint(0, DAY_S - 1)
        drug, route = rng.choice(DRUGS)
        setting = rng.choice(SETTINGS)
        first = at_s
        for dose in range(rng.randint(4, 16)):
            at_s += rng.choice([1, 2, 3, 4, 7, 14]) * DAY_S + rng.randint(-3600, 3600)
            rows["administration"].append(
                (
                    f"{pid}-a{dose}",
                    pid,
                    at_s,
                    at_s // DAY_S,
                    drug,
                    route,
                    rng.choice([25.0, 56.0, 84.0]),
                    setting,
                    "h",
                )
            )
            if rng.random() < 0.7:  # pre/post-dose blood pressure pairs (safety-signals)
                rise = 45.0 if rng.random() < 0.04 else 8.0
                for suffix, when, sbp, dbp in (
                    ("pre", at_s - 900, 124.0, 78.0),
                    ("post", at_s + 1800, 124.0 + rise, 82.0),
                ):
                    for code, value in (("SBP", sbp), ("DBP", dbp)):
                        rows["observation"].append(
                            (
                                f"{pid}-{dose}{suffix}{code}",
                                pid,
                                when,
                                when // DAY_S,
                                code,
                                value,
                                "h",
                            )
                        )
            if rng.random() < 0.1:
                onset = at_s + rng.randint(0, 3 * DAY_S)
                rows["adverse_event"].append(
                    (
                        f"{pid}-e{dose}",
                        pid,
                        onset,
                        onset // DAY_S,
                        "dissociation",
                        "mild",
                        False,
                        "recovered",
                        None,
                        "h",
                    )
                )
        for k, offset in enumerate([-DAY_S, 28 * DAY_S]):
            when = first + offset
            rows["observation"].append(
                (
                    f"{pid}-o{k}",
                    pid,
                    when,
                    when // DAY_S,
                    "MADRS",
                    rng.choice([30.0, 12.0, 8.0]),
                    "h",
                )
            )
        if rng.random() < 0.3:
            rows["dispense"].append(
                (f"{pid}-d", pid, first, first // DAY_S, drug, route, 400.0, 28, "h")
            )
        _add_safety_rows(rng, rows, pid, first, at_s)
    return rows


def _add_safety_rows(
    rng: random.Random, rows: dict[str, list[tuple[object, ...]]], pid: str, first: int, last: int
) -> None:
    """Add liver tests, a bladder score and roughly monthly reviews for ``safety-signals`` and
    ``review-intervals``."""
    when = first + 7 * DAY_S
    if rng.random() < 0.2:
        for code in ("ALT", "AST"):
            value = rng.choice([25.0, 30.0, 40.0, 150.0])
            rows["observation"].append(
                (f"{pid}-{code}", pid, when, when // DAY_S, code, value, "h")
            )
    if rng.random() < 0.1:
        score = rng.choice([4.0, 9.0, 21.0])
        rows["observation"].append((f"{pid}-bp", pid, when, when // DAY_S, "BPICSS", score, "h"))
    review = first - DAY_S
    while review <= last:
        rows["review"].append((f"{pid}-r{review}", pid, review, review // DAY_S, "h"))
        review += rng.choice([21, 28, 35, 60]) * DAY_S


COLUMNS = {
    "patient": "id, birth_year, sex, diagnosis, row_hash",
    "administration": "id, patient_id, at_s, day, drug, route, dose_mg, setting, row_hash",
    "adverse_event": "id, patient_id, at_s, day, event, severity, serious, outcome, administration_id, row_hash",
    "observation": "id, patient_id, at_s, day, code, value, row_hash",
    "dispense": "id, patient_id, at_s, day, drug, route, quantity_mg, days_supply, row_hash",
    "review": "id, patient_id, at_s, day, row_hash",
}


def load(engine: Engine, rows: dict[str, list[tuple[object, ...]]]) -> None:
    """Insert ``rows`` with the driver's fastest bulk path (executemany or COPY).

    On SQLite the kept signals' marking triggers are dropped for the load and the key updates
    (~7 µs a row) and re-created after, every patient marked once, as ingest's bulk load does.
    """
    suspended: dict[str, list[str]] = {}
    if engine.dialect.name == "sqlite":
        with engine.begin() as connection:
            suspended = {name: suspend_sqlite_marking(connection, name) for name in MARKED_TABLES}
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for table, columns in COLUMNS.items():
            if engine.dialect.name == "postgresql":
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                    for row in rows[table]:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" for _ in columns.split(","))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows[table])
        raw.commit()
    finally:
        raw.close()
    # Secret record keys, as ingest sets them (random here: the bench has no pseudonyms).
    with engine.begin() as connection:
        for table in ("patient", "administration", "adverse_event", "dispense"):
            if engine.dialect.name == "postgresql":
                values = "(random() * 255)::int, (random() * 4294967295)::bigint"
            else:
                values = "abs(random()) % 256, abs(random()) % 4294967296"
            key, hashed = values.split(", ")
            connection.execute(
                text(f"UPDATE {table} SET record_key = {key}, member_hash = {hashed}")
            )
        for name, triggers in suspended.items():
            resume_sqlite_marking(connection, name, triggers)
        if engine.dialect.name != "postgresql":
            connection.execute(text("ANALYZE"))
    if engine.dialect.name == "postgresql":
        settle_postgres(engine)
    # The bench's rows bypass ingest, which keeps the per-dose blood pressure signals in its
    # transaction (the triggers marked every patient): the first safety-signals query would.
    started = time.perf_counter()
    with engine.begin() as connection:
        patients = refresh_dose_signals(connection)
    print(
        f"{engine.dialect.name}: per-dose signals of {patients:,} patients kept in "
        f"{time.perf_counter() - started:.1f} s (ingest's share, not timed below)"
    )


def settle_postgres(engine: Engine) -> None:
    """Leave the PostgreSQL store as an ingest does, once autovacuum has seen it.

    Ingest writes every row once, keys included; the UPDATEs above left a dead copy of each keyed
    row (tables twice their size, read by every scan), so those tables are rewritten. Then one
    VACUUM (ANALYZE): after an ingest, autovacuum's insert threshold (PostgreSQL 13+) has it
    vacuum and analyse the tables, which sets the visibility map that index-only scans use.
    """
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        keyed = ", ".join(("patient", "administration", "adverse_event", "dispense"))
        connection.execute(text(f"VACUUM (FULL) {keyed}"))
        connection.execute(text("VACUUM (ANALYZE)"))


def paired_medians_s(
    first: Callable[[], object], second: Callable[[], object], repeat: int
) -> tuple[float, float]:
    """Return median wall times of two runs, interleaved so machine load hits both alike."""
    first(), second()  # warm caches
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for run, bucket in ((first, times[0]), (second, times[1])):
            started = time.perf_counter()
            run()
            bucket.append(time.perf_counter() - started)
    return statistics.median(times[0]), statistics.median(times[1])


QUERY_TIMEOUT_S = [20.0]
"""The node's default ``query_timeout_s``; ``--query-timeout-s`` changes it."""


def pipeline(engine: Engine, query: MeasureQuery) -> bytes:
    """Return the JSON MeasureReport of ``query`` after disclosure control (min_cell 11)."""
    policy = DisclosurePolicy()
    with engine.connect() as connection, evaluation_limits(connection, QUERY_TIMEOUT_S[0]):
        exact = evaluate_measure(connection, query)
    populations, noise = apply_disclosure(exact, policy=policy)
    answer = MeasureAnswer(query.measure, "1", *PERIOD, populations, policy, noise_scale=noise)
    return orjson.dumps(to_measure_report(answer))


def pipeline_cell_key(engine: Engine, query: MeasureQuery) -> bytes:
    """Return the MeasureReport under the default policy's chain: cell keys summed in SQL,
    perturbation, nested complements, masking (the near-duplicate check's store lookups aside)."""
    policy = DisclosurePolicy(perturbation="cell-key", ckm_max=3)
    with engine.connect() as connection, evaluation_limits(connection, QUERY_TIMEOUT_S[0]):
        exact, sums = evaluate_with_members(connection, query)
    memberships, _sketches = cell_material(sums)
    populations, noise = apply_disclosure(
        exact,
        policy=policy,
        table=perturbation_table(),
        memberships=memberships,
        nesting=measure_nesting(query.measure),
    )
    answer = MeasureAnswer(query.measure, "1", *PERIOD, populations, policy, noise_scale=noise)
    return orjson.dumps(to_measure_report(answer))


def bare_aggregate(engine: Engine, timeout_s: float = 20.0) -> Callable[[], object]:
    """Return a run of the bare aggregate with every hint the pipeline gets, so the ratio is
    honest: SQLite's table-scan hint when the pipeline takes it (same decision, same period),
    PostgreSQL's work_mem and statement time-out (evaluation_limits) and JIT off
    (materialised_index)."""
    start, end = ((day - date(1970, 1, 1)).days for day in PERIOD)
    with engine.connect() as connection:
        scan = prefers_administration_scan(connection, QUERIES[0])

    def bare() -> object:
        with engine.connect() as connection, evaluation_limits(connection, timeout_s):
            if connection.dialect.name == "postgresql":
                connection.execute(text("SET LOCAL jit = off"))
            statement = HINTED_BARE if scan else BARE
            return connection.execute(statement, {"start": start, "end": end}).all()

    return bare


def bench(engine: Engine, label: str, repeat: int, measures: set[str] | None = None) -> None:
    start, end = ((day - date(1970, 1, 1)).days for day in PERIOD)
    bare = bare_aggregate(engine)

    def unhinted() -> object:
        with engine.connect() as connection:
            return connection.execute(BARE, {"start": start, "end": end}).all()

    unhinted_s, hinted_s = paired_medians_s(unhinted, bare, repeat)
    print(
        f"\n{label}: bare aggregate {unhinted_s * 1000:.1f} ms as written, "
        f"{hinted_s * 1000:.1f} ms with the pipeline's hints (the baseline below)"
    )
    print(f"{label}: median of {repeat} interleaved runs (ms), pipeline / hinted bare aggregate")
    for query in QUERIES:
        if measures and query.measure not in measures:
            continue
        bare_s, spent_s = paired_medians_s(bare, lambda q=query: pipeline(engine, q), repeat)  # type: ignore[misc]
        keyed_s, _ = paired_medians_s(lambda q=query: pipeline_cell_key(engine, q), bare, repeat)  # type: ignore[misc]
        what = f"{query.measure} {'+'.join(query.stratify)}" + (
            " (filtered)" if query.filters else ""
        )
        print(
            f"  {what:50s} {spent_s * 1000:8.1f} vs {bare_s * 1000:8.1f}  ratio {spent_s / bare_s:5.2f}x"
            f"   cell-key {keyed_s * 1000:8.1f}  ratio {keyed_s / bare_s:5.2f}x"
        )


DUCKDB_LIMIT_S = 60.0
"""Time limit of the DuckDB reference's trial run of one measure."""


def duckdb_reference(
    engine: Engine,
    rows: dict[str, list[tuple[object, ...]]],
    repeat: int,
    measures: set[str] | None,
) -> None:
    """Print DuckDB running the SQL the pipeline sends to SQLite, on the same rows: a reference.

    The statements are captured from ``evaluate_measure`` on the SQLite store (qmark parameters,
    which DuckDB takes as they are) and replayed; record keys are random, as in ``load``.
    """
    try:
        import duckdb
        import pandas as pd
    except ImportError:
        print("\nDuckDB reference: not run (pip install duckdb)")
        return
    database = duckdb.connect()
    rng = random.Random(2)
    for table, columns in COLUMNS.items():
        frame = pd.DataFrame(rows[table], columns=[c.strip() for c in columns.split(",")])
        if table != "observation":
            frame["record_key"] = [rng.randrange(256) for _ in range(len(frame))]
            frame["member_hash"] = [rng.randrange(1 << 32) for _ in range(len(frame))]
        database.register("frame", frame)
        database.execute(f"CREATE TABLE {table} AS SELECT * FROM frame")
        database.unregister("frame")
    for kept in ("dose_bp_signal", "dose_short_interval", "adverse_event_attribution"):  # kept rows
        with engine.connect() as connection:
            frame = pd.read_sql_table(kept, connection)
        database.register("frame", frame)
        database.execute(f"CREATE TABLE {kept} AS SELECT * FROM frame")
        database.unregister("frame")
    # Read before the kept rows (nothing stale after ``load``'s refresh).
    database.execute("CREATE TABLE bp_signal_stale (patient_id VARCHAR)")
    start, end = ((day - date(1970, 1, 1)).days for day in PERIOD)

    def replay(statements: list[tuple[str, object]]) -> object:
        return [database.execute(sql, params).fetchall() for sql, params in statements]

    bare = [(BARE_SQL.format(day="day").replace(":start", "?").replace(":end", "?"), (start, end))]
    print(f"\nDuckDB {duckdb.__version__} (reference): the pipeline's SQLite SQL replayed, ms")
    for query in QUERIES:
        if measures and query.measure not in measures:
            continue
        statements: list[tuple[str, object]] = []

        def capture(
            _conn: object,
            _cursor: object,
            sql: str,
            params: object,
            *_: object,
            into: list = statements,
        ) -> None:
            into.append((sql, params))

        event.listen(engine, "before_cursor_execute", capture)
        with engine.connect() as connection:
            evaluate_measure(connection, query)
        event.remove(engine, "before_cursor_execute", capture)
        what = f"{query.measure} {'+'.join(query.stratify)}" + (
            " (filtered)" if query.filters else ""
        )
        # One trial run under a time limit: DuckDB runs some of SQLite's forms (the index
        # administration's per-patient ``ORDER BY … LIMIT 1`` seek) for many minutes.
        timer = threading.Timer(DUCKDB_LIMIT_S, database.interrupt)
        timer.start()
        try:
            replay(statements)
        except duckdb.Error as error:
            print(f"  {what:50s} stopped after {DUCKDB_LIMIT_S:.0f} s ({type(error).__name__})")
            continue
        finally:
            timer.cancel()
        bare_s, spent_s = paired_medians_s(
            lambda: replay(bare),
            lambda captured=statements: replay(captured),  # type: ignore[misc]
            repeat,
        )
        print(
            f"  {what:50s} {spent_s * 1000:8.1f} vs {bare_s * 1000:8.1f}  ratio {spent_s / bare_s:5.2f}x"
        )


def postgres_database(server: str) -> Iterator[str]:
    import psycopg

    name = f"ketanet_bench_{random.randrange(1 << 30)}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--administrations", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", help="server URL, e.g. postgresql://postgres@127.0.0.1:5432")
    parser.add_argument(
        "--measures", help="comma-separated measure ids to run (default: all benchmarked)"
    )
    parser.add_argument(
        "--no-sqlite", action="store_true", help="skip the SQLite store (and DuckDB reference)"
    )
    parser.add_argument("--query-timeout-s", type=float, default=20.0)
    args = parser.parse_args()
    QUERY_TIMEOUT_S[0] = args.query_timeout_s
    measures = set(args.measures.split(",")) if args.measures else None
    started = time.perf_counter()
    rows = generate(args.administrations)
    sizes = ", ".join(f"{len(v):,} {k}" for k, v in rows.items())
    print(f"generated {sizes} in {time.perf_counter() - started:.1f} s")
    with tempfile.TemporaryDirectory() as folder:
        if not args.no_sqlite:
            engine = create_store_engine(f"sqlite:///{folder}/bench.db")
            upgrade_schema(engine)
            started = time.perf_counter()
            load(engine, rows)
            print(f"SQLite load {time.perf_counter() - started:.1f} s")
            bench(engine, "SQLite", args.repeat, measures)
            duckdb_reference(engine, rows, args.repeat, measures)
            engine.dispose()
    if args.postgres:
        for url in postgres_database(args.postgres):
            engine = create_store_engine(url)
            upgrade_schema(engine)
            started = time.perf_counter()
            load(engine, rows)
            print(f"PostgreSQL load {time.perf_counter() - started:.1f} s")
            bench(engine, "PostgreSQL", args.repeat, measures)
            engine.dispose()


if __name__ == "__main__":
    main()
