"""The FHIR type → store table map: every record table is served, ids map both ways."""

from __future__ import annotations

from app.store.models import ADDED_RECORD_TABLES, RECORD_TABLES
from app.store.resource_tables import RESOURCE_TABLES


def test_resource_tables_serve_every_record_table() -> None:
    served = {source.table.name for source in RESOURCE_TABLES.values()}
    assert served == {str(model.__tablename__) for model in (*RECORD_TABLES, *ADDED_RECORD_TABLES)}


def test_row_id_strips_the_condition_prefix_and_refuses_an_id_without_it() -> None:
    condition = RESOURCE_TABLES["Condition"]
    assert condition.row_id("cond-abc") == "abc"
    assert condition.row_id("abc") is None
    assert RESOURCE_TABLES["Patient"].row_id("abc") == "abc"
