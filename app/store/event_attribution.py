"""Each adverse event's attributed administration, kept per patient for ``adverse-events``.

An event's attributed administration (docs/measures.md) is the linked one when the link names a
known administration, else the patient's latest administration (any drug, in or out of the
period) with ``at ≤ onset ≤ at + 30 days`` (ties at one instant broken by id), else none. That
depends on no query's period or filters, so the store keeps it per event, recomputed per patient
with the kept dose signals (``app.store.dose_signals``: the same stale marks, set by the triggers
on ``administration`` and, created here, on ``adverse_event``). Found per query it cost about as
much as the bare aggregate at 1,000,000 administrations on SQLite (a linked-id seek, a candidate
seek, the attributed row and the patient per event).

A link to *another* patient's administration (or to one not yet known) may change without a mark
for the event's patient, so such an event keeps its link (``linked_id``) and the measure resolves
it when it reads; ``drug``, ``route`` and ``setting`` then hold the candidate's. A link to one of
the patient's own administrations is resolved here (``linked_id`` NULL): any change to that
administration marks the patient.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Integer,
    MetaData,
    Select,
    SmallInteger,
    String,
    Table,
    and_,
    case,
    delete,
    func,
    insert,
    literal_column,
    select,
    true,
)

from app.store.models import RecordBase

ATTRIBUTION_WINDOW_S = 30 * 86_400
"""An administration is a candidate for events up to 30 days after it."""
ADMINISTRATION: Table = RecordBase.metadata.tables["administration"]
ADVERSE_EVENT: Table = RecordBase.metadata.tables["adverse_event"]
ATTRIBUTES = ("drug", "route", "setting")

EVENT_ATTRIBUTION_METADATA = MetaData()
EVENT_ATTRIBUTION = Table(
    "adverse_event_attribution",
    EVENT_ATTRIBUTION_METADATA,
    # Keyed by patient first: a refresh replaces a patient's rows (on SQLite the key's B-tree,
    # WITHOUT ROWID, holds every column).
    Column("patient_id", String(64), primary_key=True),
    Column("event_id", String(64), primary_key=True),
    Column("at_s", BigInteger, nullable=False),
    Column("day", Integer, nullable=False),
    Column("event", String(32), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("serious", Boolean, nullable=False),
    Column("record_key", SmallInteger, nullable=True),
    Column("member_hash", BigInteger, nullable=True),
    Column("linked_id", String(64), nullable=True),
    Column("drug", String(16), nullable=True),
    Column("route", String(16), nullable=True),
    Column("setting", String(24), nullable=True),
    sqlite_with_rowid=False,
)
"""An adverse event with its attributed administration's drug, route and setting (NULL: none
found here), and ``linked_id``, a link the measure resolves when it reads."""


def _sqlite_triggers() -> list[str]:
    mark = "INSERT OR IGNORE INTO bp_signal_stale (patient_id) VALUES ({}.patient_id);"
    # Named as dose_signals' triggers, so that a bulk load suspends them alike.
    return [
        "CREATE TRIGGER IF NOT EXISTS bp_stale_adverse_event_insert AFTER INSERT ON adverse_event "
        f"BEGIN {mark.format('NEW')} END",
        "CREATE TRIGGER IF NOT EXISTS bp_stale_adverse_event_delete AFTER DELETE ON adverse_event "
        f"BEGIN {mark.format('OLD')} END",
        "CREATE TRIGGER IF NOT EXISTS bp_stale_adverse_event_update AFTER UPDATE ON adverse_event "
        f"BEGIN {mark.format('OLD')} {mark.format('NEW')} END",
    ]


def _postgres_triggers() -> list[str]:
    statements = []
    for event, rows, changed in (
        ("INSERT", "NEW TABLE AS new_rows", ("new_rows",)),
        ("DELETE", "OLD TABLE AS old_rows", ("old_rows",)),
        ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", ("old_rows", "new_rows")),
    ):
        name = f"bp_stale_adverse_event_{event.lower()}"
        marked = " UNION ALL ".join(f"SELECT patient_id FROM {source}" for source in changed)  # noqa: S608
        statements += [
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "  # noqa: S608 - fixed names
            "INSERT INTO bp_signal_stale (patient_id) "
            f"SELECT DISTINCT patient_id FROM ({marked}) AS changed; "
            "RETURN NULL; END $$",
            f"DROP TRIGGER IF EXISTS {name} ON adverse_event",
            f"CREATE TRIGGER {name} AFTER {event} ON adverse_event REFERENCING {rows} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
        ]
    return statements


def create_event_attribution_table(connection: Connection) -> None:
    """Create ``adverse_event_attribution`` and the triggers marking an event's patient stale,
    and fill it for every patient with events (a migration; after ``bp_signal_stale`` exists)."""
    EVENT_ATTRIBUTION.create(connection, checkfirst=True)
    postgres = connection.dialect.name == "postgresql"
    for statement in _postgres_triggers() if postgres else _sqlite_triggers():
        connection.exec_driver_sql(statement)
    event = ADVERSE_EVENT
    refresh_event_attributions(connection, select(event.c.patient_id).distinct(), analyze=True)


def refresh_event_attributions(connection: Connection, patients: Any, *, analyze: bool) -> None:
    """Recompute the kept attributions of ``patients`` (a selection of ids), in the caller's
    transaction; ``analyze``: update the table's statistics after (a large refresh)."""
    kept = EVENT_ATTRIBUTION
    connection.execute(delete(kept).where(kept.c.patient_id.in_(patients)))
    if connection.dialect.name == "postgresql":
        rows = _attributed_by_lateral(patients)
    else:
        rows = _attributed(patients, rowids=True)
    connection.execute(insert(kept).from_select(list(rows.selected_columns.keys()), rows))
    if analyze:
        connection.exec_driver_sql(f"ANALYZE {kept.name}")


def _attributed(patients: Any, *, rowids: bool) -> Select[Any]:
    """Return the events of ``patients`` with their attribution: the linked administration when
    it is the patient's own, else the latest candidate in the 30-day window (one index seek).

    ``rowids`` (SQLite): the candidate is found again by the rowid its index entry carries, not
    by a seek on the pseudonyms' index (~15% of the refresh's statement).
    """
    event = ADVERSE_EVENT
    own, candidate = ADMINISTRATION.alias("own_linked"), ADMINISTRATION.alias("candidate")
    found = ADMINISTRATION.alias("latest_candidate")

    def key(administration: Any) -> Any:
        return literal_column(f"{administration.name}.rowid") if rowids else administration.c.id

    latest = (
        select(key(candidate))
        .where(*_in_window(candidate, event))
        .order_by(candidate.c.at_s.desc(), candidate.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    with_own = (
        select(
            *(event.c[name] for name in ("patient_id", "id", "at_s", "day", "event", "severity")),
            event.c.serious,
            event.c.record_key,
            event.c.member_hash,
            event.c.administration_id,
            own.c.id.label("own_id"),
            *(own.c[name].label(f"own_{name}") for name in ATTRIBUTES),
            latest.label("latest_id"),
        )
        .select_from(
            event.outerjoin(
                own,
                and_(own.c.id == event.c.administration_id, own.c.patient_id == event.c.patient_id),
            )
        )
        .where(event.c.patient_id.in_(patients))
        .subquery("with_own")
    )
    w = with_own.c
    return select(
        w.patient_id,
        w.id.label("event_id"),
        w.at_s,
        w.day,
        w.event,
        w.severity,
        w.serious,
        w.record_key,
        w.member_hash,
        # A link not resolved to the patient's own administration: resolved when read.
        case((w.own_id.is_(None), w.administration_id)).label("linked_id"),
        *(func.coalesce(w[f"own_{name}"], found.c[name]).label(name) for name in ATTRIBUTES),
    ).select_from(with_own.outerjoin(found, key(found) == w.latest_id))


def _in_window(candidate: Any, event: Any) -> tuple[Any, ...]:
    """Return the conditions making ``candidate`` an administration ``event`` may be attributed to:
    the event's patient's, at ≤ onset ≤ at + 30 d (a range on the indexed instant)."""
    return (
        candidate.c.patient_id == event.c.patient_id,
        candidate.c.at_s <= event.c.at_s,
        candidate.c.at_s >= event.c.at_s - ATTRIBUTION_WINDOW_S,
    )


def _attributed_by_lateral(patients: Any) -> Select[Any]:
    """Return the same rows as ``_attributed`` by two LATERAL lookups per event (PostgreSQL).

    The latest candidate's drug, route and setting come from ix_administration_patient_at, which
    carries them (an index-only scan); the patient's own linked administration by its key.
    ``LIMIT 1`` keeps both per-event lookups: as joins, PostgreSQL hashed every administration
    twice for them (a full refresh at 1M: 3.2 s for the statement).
    """
    event = ADVERSE_EVENT
    own, candidate = ADMINISTRATION.alias("own_linked"), ADMINISTRATION.alias("candidate")
    latest = (
        select(*(candidate.c[name] for name in ATTRIBUTES))
        .where(*_in_window(candidate, event))
        .order_by(candidate.c.at_s.desc(), candidate.c.id.desc())
        .limit(1)
        .lateral("latest_candidate")
    )
    linked = (
        select(own.c.id, *(own.c[name] for name in ATTRIBUTES))
        .where(own.c.id == event.c.administration_id, own.c.patient_id == event.c.patient_id)
        .limit(1)
        .lateral("own_linked")
    )
    return (
        select(
            event.c.patient_id,
            event.c.id.label("event_id"),
            *(event.c[name] for name in ("at_s", "day", "event", "severity", "serious")),
            event.c.record_key,
            event.c.member_hash,
            case((linked.c.id.is_(None), event.c.administration_id)).label("linked_id"),
            *(func.coalesce(linked.c[name], latest.c[name]).label(name) for name in ATTRIBUTES),
        )
        .select_from(event.outerjoin(linked, true()).outerjoin(latest, true()))
        .where(event.c.patient_id.in_(patients))
    )
