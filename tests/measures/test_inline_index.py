"""SQLite reads the index in place (``NOT MATERIALIZED``) only where one read of plain columns
is all a statement makes of it; the counts are the same either way."""

from __future__ import annotations

from sqlalchemy import Engine, select

from app.measures.cohort import MeasureContext
from app.measures.evaluate import _reads_index_once
from tests.measures.support import Registry, evaluate, query


def test_index_is_read_in_place_for_a_single_read_of_plain_columns() -> None:
    assert _reads_index_once(query("treated-patients", stratify=("route", "drug")))
    assert _reads_index_once(query("safety-signals", stratify=("route",)))
    assert not _reads_index_once(query("treated-patients", stratify=("age-band",)))
    assert not _reads_index_once(query("treated-patients", stratify=("year",)))
    assert not _reads_index_once(query("safety-signals", filters={"sex": ("female",)}))
    assert not _reads_index_once(query("adverse-events", stratify=("drug",)))


def test_inline_index_renders_not_materialized_and_counts_alike(
    registry: Registry, store: Engine
) -> None:
    registry.patient("p1")
    registry.administration("A1", "p1", "2024-01-10T10:00:00", route="iv")
    registry.administration("A2", "p1", "2024-01-10T10:00:00", route="im")
    registry.patient("p2", sex="male")
    registry.administration("B1", "p2", "2024-02-10T10:00:00", route="sc")
    asked = query("treated-patients", stratify=("route",))
    inline = MeasureContext(asked, clip_records_per_patient=None, inline_index=True)
    sql = str(select(inline.index.c.patient_id).compile())
    assert "index_adm AS NOT MATERIALIZED" in sql
    counted = evaluate(store, asked)
    assert counted["treated-patients"] == (2, {"route": {"iv": 1, "sc": 1}})  # ties: least id
