"""A small node database for disclosure tests: a cohort with one rare drug; answers read back."""

from __future__ import annotations

from pathlib import Path

import orjson
from sqlalchemy import Engine, insert

from app.exchange.answer import MeasureAnswer
from app.exchange.measure_report import from_measure_report
from app.ingest.record_keys import assign_missing_record_keys
from app.store import create_store_engine, upgrade_schema
from app.store.models import RecordBase

DAY_S = 86_400
JAN_2024 = 19_723  # day number of 2024-01-01
COHORT = {"ketamine": ("iv", 25), "esketamine": ("intranasal", 15)}
SECRET = b"disclosure-tests-pseudonym-secret-0123"


def node_database(url: str, *, rare: int = 3, rare_drug: str = "arketamine") -> Engine:
    """Return a migrated node database with 25 ketamine, 15 esketamine and ``rare`` rare-drug patients."""
    engine = create_store_engine(url)
    upgrade_schema(engine)
    groups = [*((drug, route, n) for drug, (route, n) in COHORT.items()), (rare_drug, "oral", rare)]
    patients, doses = [], []
    for drug, route, size in groups:
        for number in range(size):
            pid = f"{drug}-{number}"
            patients.append(
                {
                    "id": pid,
                    "birth_year": 1970 + number,
                    "sex": "female" if number % 2 else "male",
                    "diagnosis": "F33.1",
                    "row_hash": "h",
                }
            )
            for dose in range(2):
                at_s = (JAN_2024 + 10 * number + 3 * dose) * DAY_S + 36_000
                doses.append(
                    {
                        "id": f"{pid}-{dose}",
                        "patient_id": pid,
                        "at_s": at_s,
                        "day": at_s // DAY_S,
                        "drug": drug,
                        "route": route,
                        "dose_mg": 50.0,
                        "setting": "clinic",
                        "row_hash": "h",
                    }
                )
    with engine.begin() as connection:
        connection.execute(insert(RecordBase.metadata.tables["patient"]), patients)
        connection.execute(insert(RecordBase.metadata.tables["administration"]), doses)
    assign_missing_record_keys(engine, SECRET)
    return engine


def sqlite_node(folder: Path, name: str = "node", **options: int | str) -> Engine:
    """Return a node database in a SQLite file under ``folder``."""
    return node_database(f"sqlite:///{folder / name}.db", **options)  # type: ignore[arg-type]


def decoded(report: bytes) -> MeasureAnswer:
    """Return the answer a node's MeasureReport bytes hold (as the hub reads them)."""
    return from_measure_report(orjson.loads(report))
