"""Linkage tokens at ingest: one per named patient, in their own table, idempotent, erasable."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

from app.deid import pseudonymise_patient_id
from app.ingest import ingest_export
from app.linkage import LinkageTokeniser
from app.store import create_store_engine, erase_patient, upgrade_schema
from app.store.models import LINKAGE_TOKENS
from app.synth import TravellerOptions, write_synthetic_export
from tests.ingest.support import SECRET

LINKAGE = b"the-network-linkage-secret-00001"


@pytest.fixture(scope="module")
def named_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small export in both formats, some of its patients from a traveller pool."""
    folder = tmp_path_factory.mktemp("linkage")
    write_synthetic_export(
        country="DE",
        patients=60,
        seed=8,
        out_dir=folder,
        travellers=TravellerOptions(share=0.3, network_seed=1),
    )
    return folder


def expected_tokens(export: Path) -> dict[str, bytes]:
    """The token of every patient with one, by pseudonym, computed from the raw CSV."""
    tokeniser = LinkageTokeniser(LINKAGE)
    found = {}
    with (export / "csv" / "patients.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            token = tokeniser.token(
                family=row["family_name"],
                given=row["given_name"],
                birth_date=row["birth_date"],
                sex=row["sex"],
            )
            if token is not None:
                found[pseudonymise_patient_id(SECRET, row["patient_id"])] = token
    return found


def stored_tokens(engine: Engine) -> dict[str, bytes]:
    with engine.connect() as connection:
        rows = connection.execute(select(LINKAGE_TOKENS.c.patient_id, LINKAGE_TOKENS.c.token))
        return {patient: bytes(token) for patient, token in rows}


def ingest(engine: Engine, source: Path, linkage: bytes | None = LINKAGE) -> None:
    ingest_export(
        engine=engine, paths=[source], secret=SECRET, timezone="UTC", linkage_secret=linkage
    )


def test_tokens_are_stored_per_patient_and_names_never(engine: Engine, named_export: Path) -> None:
    ingest(engine, named_export / "csv")
    assert stored_tokens(engine) == expected_tokens(named_export)
    dump = "\n".join(engine.raw_connection().driver_connection.iterdump())  # type: ignore[union-attr]
    with (named_export / "csv" / "patients.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            assert row["family_name"] not in dump
            assert row["birth_date"] not in dump


def test_fhir_and_csv_exports_of_the_same_data_give_the_same_tokens(
    tmp_path: Path, named_export: Path
) -> None:
    engines = []
    for name in ("csv", "fhir"):
        store = create_store_engine(f"sqlite:///{tmp_path / name}.db")
        upgrade_schema(store)
        ingest(store, named_export / name)
        engines.append(store)
    try:
        assert stored_tokens(engines[0]) == stored_tokens(engines[1]) != {}
    finally:
        for store in engines:
            store.dispose()


def test_reingest_changes_nothing_and_a_changed_name_changes_the_token(
    engine: Engine, named_export: Path, tmp_path: Path
) -> None:
    ingest(engine, named_export / "csv")
    before = stored_tokens(engine)
    ingest(engine, named_export / "csv")
    assert stored_tokens(engine) == before
    changed = tmp_path / "changed"
    changed.mkdir()
    lines = (named_export / "csv" / "patients.csv").read_text(encoding="utf-8").splitlines()
    header = next(csv.reader([lines[0]]))
    first = next(csv.reader([lines[1]]))
    first[header.index("family_name")] = "Anders"
    (changed / "patients.csv").write_text(
        "\n".join([lines[0], ",".join(first)]) + "\n", encoding="utf-8"
    )
    ingest(engine, changed)
    after = stored_tokens(engine)
    pseudonym = pseudonymise_patient_id(SECRET, first[0])
    assert after[pseudonym] != before[pseudonym]
    assert {k: v for k, v in after.items() if k != pseudonym} == {
        k: v for k, v in before.items() if k != pseudonym
    }


def test_a_node_without_linkage_secret_stores_no_token(engine: Engine, named_export: Path) -> None:
    ingest(engine, named_export / "csv", linkage=None)
    assert stored_tokens(engine) == {}
    ingest(engine, named_export / "csv")  # the secret arrives later: the next ingest adds them
    assert stored_tokens(engine) == expected_tokens(named_export)


def test_erasure_removes_the_token(engine: Engine, named_export: Path) -> None:
    ingest(engine, named_export / "csv")
    pseudonym = next(iter(stored_tokens(engine)))
    erase_patient(engine=engine, pseudonym=pseudonym)
    assert pseudonym not in stored_tokens(engine)
    ingest(engine, named_export / "csv")
    assert pseudonym not in stored_tokens(engine)


@pytest.mark.postgres
def test_tokens_on_postgres_equal_those_on_sqlite(
    engine: Engine, named_export: Path, postgres_schema_url: str
) -> None:
    postgres = create_store_engine(postgres_schema_url)
    try:
        upgrade_schema(postgres)
        for store in (engine, postgres):
            ingest(store, named_export / "csv")
        assert stored_tokens(postgres) == stored_tokens(engine) == expected_tokens(named_export)
        ingest(postgres, named_export / "csv")
        with postgres.connect() as connection:
            count = connection.execute(text("SELECT count(*) FROM linkage_token")).scalar_one()
        assert count == len(expected_tokens(named_export))
        erase_patient(engine=postgres, pseudonym=next(iter(stored_tokens(postgres))))
        assert len(stored_tokens(postgres)) == count - 1
    finally:
        postgres.dispose()
