"""What the store keeps per dose for two measures, and the patients whose kept rows are stale.

Whether an administration is *checked* (a blood pressure pair in the 2 h before it and another
in the 2 h after, up to the next dose), and whether a rise or a severe pressure followed, depends
only on the patient's administrations and blood pressure readings: not on a query's period,
filters or parameters (docs/safety-signals.md). So does the day of a dose's previous
administration (guideline adherence's dosing intervals, docs/measures.md). ``safety-signals``
found the former per query, ~5 s at 1,000,000 administrations on either store against a bare
aggregate of 0.3–0.6 s, and ``guideline-adherence`` the latter (~0.6 s). They are kept instead: ``dose_bp_signal`` (one row
per checked administration, with the columns the measure counts by) and ``dose_short_interval``
(one row per administration dated less than 3 days after the previous one), recomputed per
patient when that patient's data change (``refresh_dose_signals``).

Which patients changed is recorded by the database itself: triggers on ``administration`` and
on the blood pressure rows of ``observation`` add the patient to ``bp_signal_stale`` on every
insert, update and delete, whoever writes (ingest, erasure, a re-import, a test inserting rows
by hand). Ingest, erasure and the assignment of record keys refresh in their own transaction;
a read of the kept rows refreshes first when marks are left (``refresh_before_reading``). So the
kept rows can be late, never wrong. On PostgreSQL the triggers are per statement (a bulk merge
adds each patient once, from its transition table) and the table is a log without a key, so
that a refresh deletes exactly the marks its snapshot saw and a concurrent writer's marks
survive it; on SQLite (one writer at a time) they are per row and the table is keyed by patient.
A rebuild of ``administration`` or ``observation`` (drop and rename) drops their triggers: a
migration doing one must create them again (``create_dose_signal_tables`` is idempotent).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Float,
    Index,
    Integer,
    MetaData,
    Select,
    SmallInteger,
    String,
    Table,
    and_,
    case,
    column,
    delete,
    distinct,
    func,
    insert,
    literal_column,
    null,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.dialects import postgresql

from app.store.event_attribution import refresh_event_attributions
from app.store.models import BP_CODES, RecordBase

ADMINISTRATION: Table = RecordBase.metadata.tables["administration"]
OBSERVATION: Table = RecordBase.metadata.tables["observation"]
WINDOW_S = 2 * 3600
"""The pre- and post-dose windows, 2 h each."""
RISE_SBP_MMHG = 40
RISE_DBP_MMHG = 25
SEVERE_SBP_MMHG = 180
SEVERE_DBP_MMHG = 110
KEPT = ("id", "patient_id", "at_s", "day", "drug", "route", "setting", "record_key", "member_hash")
"""Administration columns kept with a dose's signals (``dose_bp_signal``)."""
SIGNAL_COLUMNS = {"id": "administration_id"}
"""``dose_bp_signal`` names of kept columns that it names differently."""
SHORT_INTERVAL_DAYS = 3
"""Dosing intervals under this many days are short (docs/measures.md, guideline adherence)."""
ANALYZE_FROM_PATIENTS = 1000
"""A refresh of at least this many patients updates the table's statistics."""
REFRESH_LOCK = 0x6B657461  # "keta": PostgreSQL advisory lock key of the signals' refresh
REFRESHED = "ketanet_bp_refreshed"
"""PostgreSQL temporary table of the patients one refresh handles."""


DOSE_SIGNAL_METADATA = MetaData()
DOSE_BP_SIGNAL = Table(
    "dose_bp_signal",
    DOSE_SIGNAL_METADATA,
    # Keyed by patient first: a refresh replaces a patient's rows, and the measure reads them per
    # index patient. On SQLite the table is that key's B-tree (WITHOUT ROWID), so a patient's rows
    # are one range with every column, no lookup per row.
    Column("patient_id", String(64), primary_key=True),
    Column("administration_id", String(64), primary_key=True),
    Column("at_s", BigInteger, nullable=False),
    Column("day", Integer, nullable=False),
    Column("drug", String(16), nullable=False),
    Column("route", String(16), nullable=False),
    Column("setting", String(24), nullable=False),
    Column("record_key", SmallInteger, nullable=True),
    Column("member_hash", BigInteger, nullable=True),
    Column("rise", SmallInteger, nullable=False),
    Column("severe", SmallInteger, nullable=False),
    # The few doses with a rise or a severe pressure, without reading every checked dose (SQLite;
    # PostgreSQL reads the table once per population by a sequential scan either way).
    Index("ix_dose_bp_signal_rise", "patient_id", sqlite_where=text("rise = 1")).ddl_if(
        dialect="sqlite"
    ),
    Index("ix_dose_bp_signal_severe", "patient_id", sqlite_where=text("severe = 1")).ddl_if(
        dialect="sqlite"
    ),
    sqlite_with_rowid=False,
)
"""A checked administration (``app.measures.safety_signals``), its strata and its 0/1 flags."""

DOSE_SHORT_INTERVAL = Table(
    "dose_short_interval",
    DOSE_SIGNAL_METADATA,
    Column("patient_id", String(64), primary_key=True),
    Column("administration_id", String(64), primary_key=True),
    Column("at_s", BigInteger, nullable=False),
    Column("day", Integer, nullable=False),
    Column("previous_day", Integer, nullable=False),
    Column("record_key", SmallInteger, nullable=True),
    Column("member_hash", BigInteger, nullable=True),
    sqlite_with_rowid=False,
)
"""An administration dated less than ``SHORT_INTERVAL_DAYS`` after the patient's previous one
(by instant, then id; any drug or route), with that one's day (``app.measures.guideline_adherence``).

In a period, the dose ends a short interval exactly when its previous one is in the period too
(``previous_day`` ≥ the period's first day): the previous administration in the period is then
this one, and when it lies before the period the dose has no predecessor in it.
"""

BP_SIGNAL_STALE = Table(
    "bp_signal_stale",
    DOSE_SIGNAL_METADATA,
    Column("patient_id", String(64), nullable=False),
)
"""Patients whose ``dose_bp_signal`` rows may be out of date (duplicates allowed)."""

_CODES = ", ".join(f"'{code}'" for code in BP_CODES)
_SQLITE_STALE = (
    "CREATE TABLE IF NOT EXISTS bp_signal_stale (patient_id VARCHAR(64) NOT NULL PRIMARY KEY) "
    "WITHOUT ROWID"
)
_POSTGRES_STALE = "CREATE TABLE IF NOT EXISTS bp_signal_stale (patient_id VARCHAR(64) NOT NULL)"


MARKED_TABLES = ("administration", "observation", "adverse_event")
"""Tables whose writes mark their patients stale (blood pressure rows only, for observations;
adverse events for their kept attributions, ``app.store.event_attribution``)."""


def _sqlite_triggers() -> list[str]:
    mark = "INSERT OR IGNORE INTO bp_signal_stale (patient_id) VALUES ({}.patient_id);"
    statements = []
    for target, when_new, when_old in (
        ("administration", "", ""),
        ("observation", f" WHEN NEW.code IN ({_CODES})", f" WHEN OLD.code IN ({_CODES})"),
    ):
        statements += [
            f"CREATE TRIGGER IF NOT EXISTS bp_stale_{target}_insert AFTER INSERT ON {target}{when_new} "
            f"BEGIN {mark.format('NEW')} END",
            f"CREATE TRIGGER IF NOT EXISTS bp_stale_{target}_delete AFTER DELETE ON {target}{when_old} "
            f"BEGIN {mark.format('OLD')} END",
            # Both sides of an update: a reading may move to another patient or leave the codes.
            f"CREATE TRIGGER IF NOT EXISTS bp_stale_{target}_update AFTER UPDATE ON {target} "
            f"BEGIN {mark.format('OLD')} {mark.format('NEW')} END",
        ]
    return statements


def suspend_sqlite_marking(connection: Connection, table_name: str) -> list[str]:
    """Drop ``table_name``'s marking triggers for a bulk load (SQLite); return their DDL.

    For a table empty when a run first writes to it: a trigger per row costs ~7 µs a row, while
    every row of such a table comes from the run, so ``resume_sqlite_marking`` marks each of its
    patients once at the end instead. Inside the run's transaction: a rejected run keeps them.
    """
    if table_name not in MARKED_TABLES:
        return []
    found = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? "
        "AND name LIKE 'bp_stale_%' ORDER BY name",
        (table_name,),
    ).all()
    for name, _sql in found:
        connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
    return [sql for _name, sql in found]


def resume_sqlite_marking(connection: Connection, table_name: str, triggers: list[str]) -> None:
    """Re-create the triggers ``suspend_sqlite_marking`` dropped and mark, once each, the
    patients of every row they would have marked (the table's rows all came from the run)."""
    if not triggers:
        return
    for sql in triggers:
        connection.exec_driver_sql(sql)
    where = f" WHERE code IN ({_CODES})" if table_name == "observation" else ""
    connection.exec_driver_sql(
        "INSERT OR IGNORE INTO bp_signal_stale (patient_id) "  # noqa: S608 - fixed names
        f"SELECT DISTINCT patient_id FROM {table_name}{where}"
    )


def _postgres_triggers() -> list[str]:
    statements = []
    for target, condition in (
        ("administration", ""),
        ("observation", f" WHERE code IN ({_CODES})"),
    ):
        for event, rows, changed in (
            ("INSERT", "NEW TABLE AS new_rows", ("new_rows",)),
            ("DELETE", "OLD TABLE AS old_rows", ("old_rows",)),
            # Both sides of an update: a reading may move to another patient or leave the codes.
            ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", ("old_rows", "new_rows")),
        ):
            name = f"bp_stale_{target}_{event.lower()}"
            marked = " UNION ALL ".join(
                f"SELECT patient_id FROM {source}{condition}"  # noqa: S608 - fixed names
                for source in changed
            )
            statements += [
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "  # noqa: S608
                "INSERT INTO bp_signal_stale (patient_id) "
                f"SELECT DISTINCT patient_id FROM ({marked}) AS changed; "
                "RETURN NULL; END $$",
                f"DROP TRIGGER IF EXISTS {name} ON {target}",
                f"CREATE TRIGGER {name} AFTER {event} ON {target} REFERENCING {rows} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
            ]
    return statements


def create_dose_signal_tables(connection: Connection) -> None:
    """Create ``dose_bp_signal``, ``bp_signal_stale`` and the triggers that fill the latter
    (those missing: a store that has some keeps them).

    Every patient already in the store is marked stale, so the first read computes their signals.
    """
    DOSE_BP_SIGNAL.create(connection, checkfirst=True)
    DOSE_SHORT_INTERVAL.create(connection, checkfirst=True)
    postgres = connection.dialect.name == "postgresql"
    connection.exec_driver_sql(_POSTGRES_STALE if postgres else _SQLITE_STALE)
    for statement in _postgres_triggers() if postgres else _sqlite_triggers():
        connection.exec_driver_sql(statement)
    ignore = "" if postgres else " OR IGNORE"
    connection.exec_driver_sql(
        f"INSERT{ignore} INTO bp_signal_stale (patient_id) "  # noqa: S608 - fixed names
        "SELECT DISTINCT patient_id FROM administration"
    )


def refresh_dose_signals(connection: Connection) -> int:
    """Recompute the kept signals of every patient marked stale; return how many were marked.

    Runs in the caller's transaction (ingest's, or ``refresh_before_reading``'s own). On
    PostgreSQL, refreshes take turns (an advisory lock) and take the marks they handle out of the
    log first: marks a concurrent writer adds later stay for the next refresh.
    """
    stale = BP_SIGNAL_STALE
    if connection.execute(select(stale.c.patient_id).limit(1)).first() is None:
        return 0
    patients: Any = stale
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(REFRESH_LOCK)))
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS pg_temp.{REFRESHED}")
        connection.exec_driver_sql(
            f"CREATE TEMPORARY TABLE {REFRESHED} (patient_id VARCHAR(64) PRIMARY KEY) "
            "ON COMMIT DROP"
        )
        connection.exec_driver_sql(
            f"WITH marked AS (DELETE FROM bp_signal_stale RETURNING patient_id) "  # noqa: S608
            f"INSERT INTO {REFRESHED} SELECT DISTINCT patient_id FROM marked"
        )
        connection.exec_driver_sql(f"ANALYZE {REFRESHED}")
        patients = table(REFRESHED, column("patient_id", String))
    marked = select(patients.c.patient_id)
    count = connection.execute(select(func.count(distinct(patients.c.patient_id)))).scalar_one()
    signal = DOSE_BP_SIGNAL
    connection.execute(delete(signal).where(signal.c.patient_id.in_(marked)))
    doses = (
        _checked_on_a_timeline(marked)
        if connection.dialect.name == "postgresql"
        else _checked_by_lookups(marked)
    )
    connection.execute(insert(signal).from_select(list(doses.selected_columns.keys()), doses))
    short = DOSE_SHORT_INTERVAL
    if _every_patient_marked(connection, patients):
        # A bulk load into an empty store (or a refresh of all): one ordered scan of the table.
        connection.execute(delete(short))
        if connection.dialect.name == "postgresql":
            _keep_short_intervals_of_all_sorted(connection)
        else:
            _keep_short_intervals_of_all(connection)
    else:
        connection.execute(delete(short).where(short.c.patient_id.in_(marked)))
        intervals = _short_intervals(marked)
        connection.execute(
            insert(short).from_select(list(intervals.selected_columns.keys()), intervals)
        )
    refresh_event_attributions(connection, marked, analyze=count >= ANALYZE_FROM_PATIENTS)
    if connection.dialect.name != "postgresql":
        connection.execute(delete(stale))
    if count >= ANALYZE_FROM_PATIENTS:  # a first fill or a large import: the planner's numbers
        for kept in (signal, short):
            connection.exec_driver_sql(f"ANALYZE {kept.name}")
    return int(count)


def refresh_before_reading(connection: Connection) -> None:
    """Bring the kept signals up to date before ``connection`` reads them, in a transaction of
    their own (committed: the reading connection's may end in a rollback, as a read does).

    A no-op read when nothing is stale, which is the rule: ingest refreshes in its transaction.
    """
    with connection.engine.begin() as writer:
        refresh_dose_signals(writer)


def _short_intervals(patients: Any) -> Select[Any]:
    """Return the administrations of ``patients`` (None: of everyone) that end a short interval:
    one ordered pass, the previous administration's day by ``lag`` in (patient, instant, id)
    order."""
    adm = ADMINISTRATION
    ordered = select(
        adm.c.patient_id,
        adm.c.id,
        adm.c.at_s,
        adm.c.day,
        func.lag(adm.c.day)
        .over(partition_by=adm.c.patient_id, order_by=(adm.c.at_s, adm.c.id))
        .label("previous_day"),
        adm.c.record_key,
        adm.c.member_hash,
    )
    if patients is not None:
        ordered = ordered.where(adm.c.patient_id.in_(patients))
    o = ordered.subquery("dosing_sequence").c
    return select(
        o.patient_id,
        o.id.label("administration_id"),
        o.at_s,
        o.day,
        o.previous_day,
        o.record_key,
        o.member_hash,
    ).where(o.day - o.previous_day < SHORT_INTERVAL_DAYS)


SHORT_INTERVAL_BATCH = 2_000
"""Rows of ``dose_short_interval`` written per ``executemany`` by the scan of all patients."""


def _every_patient_marked(connection: Connection, marked: Any) -> bool:
    """Return True when every patient with an administration is among ``marked`` (a table
    with a ``patient_id`` column: the marks, or on PostgreSQL the refresh's own copy)."""
    patients, adm = RecordBase.metadata.tables["patient"], ADMINISTRATION
    # Every administration refers to a stored patient (foreign keys): one seek per patient.
    treated = select(adm.c.id).where(adm.c.patient_id == patients.c.id).exists()
    unmarked = select(patients.c.id).where(
        patients.c.id.not_in(select(marked.c.patient_id)), treated
    )
    return connection.execute(unmarked.limit(1)).first() is None


def _keep_short_intervals_of_all_sorted(connection: Connection) -> None:
    """Write ``dose_short_interval`` for every administration by ``lag()`` over the table read
    in its own order and sorted (PostgreSQL).

    The planner would read ``ix_administration_patient_at`` in order instead, an index-only
    scan on paper; but right after a bulk load no page of the table is all-visible yet (no
    vacuum has run), so it fetches every row from the table too: at 1,000,000 administrations
    3.0 s, against 1.6 s for a sequential scan and a sort (which may use parallel workers).
    The index scans are off for this one statement (``SET LOCAL``, then as they were).
    """
    switches = ("enable_indexscan", "enable_indexonlyscan")
    before = {name: connection.exec_driver_sql(f"SHOW {name}").scalar_one() for name in switches}
    for name in switches:
        connection.exec_driver_sql(f"SET LOCAL {name} = off")
    intervals = _short_intervals(None)
    connection.execute(
        insert(DOSE_SHORT_INTERVAL).from_select(list(intervals.selected_columns.keys()), intervals)
    )
    for name, value in before.items():
        connection.exec_driver_sql(f"SET LOCAL {name} = {'on' if value == 'on' else 'off'}")


def _keep_short_intervals_of_all(connection: Connection) -> None:
    """Write ``dose_short_interval`` for every administration from one ordered scan (SQLite).

    The same rows as ``_short_intervals`` over every patient (that pass is the reference; tests
    compare the two). That pass reads the administrations in (patient, instant, id) order from
    ``ix_administration_patient_at`` and looks each one's ``day`` and keys up in the table, in
    random page order: ~3 µs a row. Here the table is read once in its own order and SQLite's
    sorter puts the rows in that order (its memory bounded by the page cache, spilling to
    temporary files beyond it), and the previous day is the one of the row before when it is the
    same patient's: 0.36-0.40 s of CPU against 0.64 s at 200,000 administrations (SQLite's
    ``lag()`` over the same sorted scan: 0.50 s). Rows are written in batches, so memory stays
    flat.
    """
    driver = connection.connection.driver_connection
    assert driver is not None  # an open connection has its driver's
    columns = ", ".join(DOSE_SHORT_INTERVAL.c.keys())
    write = (
        f"INSERT INTO dose_short_interval ({columns}) "  # noqa: S608 - fixed names
        f"VALUES ({', '.join('?' * len(DOSE_SHORT_INTERVAL.c))})"
    )
    # NOT INDEXED: the table in its own order, sorted once (not the index plus a lookup per row).
    ordered = driver.execute(
        "SELECT patient_id, id, at_s, day, record_key, member_hash "
        "FROM administration NOT INDEXED ORDER BY patient_id, at_s, id"
    )
    rows: list[tuple[Any, ...]] = []
    previous_patient, previous_day = None, 0
    for patient, administration, at_s, day, record_key, member_hash in ordered:
        if patient == previous_patient and day - previous_day < SHORT_INTERVAL_DAYS:
            rows.append((patient, administration, at_s, day, previous_day, record_key, member_hash))
            if len(rows) >= SHORT_INTERVAL_BATCH:
                driver.executemany(write, rows)
                rows = []
        previous_patient, previous_day = patient, day
    if rows:
        driver.executemany(write, rows)


def _with_blood_pressure(patients: Any) -> Select[Any]:
    """Return those of ``patients`` (a selection of ids) with some SBP reading: one seek each, so
    that the doses of patients never measured cost nothing more."""
    marked = patients.subquery("marked")
    reading = OBSERVATION.alias("any_sbp")
    measured = (
        select(reading.c.id)
        .where(reading.c.patient_id == marked.c.patient_id, reading.c.code == "SBP")
        .exists()
    )
    return select(marked.c.patient_id).where(measured)


def _checked_by_lookups(patients: Any) -> Select[Any]:
    """Return the checked administrations of ``patients`` with their 0/1 ``rise`` and
    ``severe`` flags, by index seeks per dose (the portable form, SQLite).

    Every reading is found on the observations' (patient, code, instant) index by a range seek,
    never by scanning all of a patient's readings. A pair's SBP or DBP meeting a threshold is the
    same as the highest of several readings at that instant meeting it.
    """
    adm, later = ADMINISTRATION, ADMINISTRATION.alias("later_adm")
    sbp, dbp = OBSERVATION.alias("pre_sbp"), OBSERVATION.alias("pre_dbp")
    pre_at = (
        select(func.max(sbp.c.at_s))
        .where(
            sbp.c.patient_id == adm.c.patient_id,
            sbp.c.code == "SBP",
            sbp.c.at_s >= adm.c.at_s - WINDOW_S,
            sbp.c.at_s <= adm.c.at_s,
            select(dbp.c.id)
            .where(
                dbp.c.patient_id == sbp.c.patient_id, dbp.c.code == "DBP", dbp.c.at_s == sbp.c.at_s
            )
            .exists(),
        )
        .scalar_subquery()
    )
    doses = (
        select(*(adm.c[name] for name in KEPT), pre_at.label("pre_at"))
        .where(adm.c.patient_id.in_(_with_blood_pressure(patients)))
        .cte("bp_doses")
        .prefix_with("MATERIALIZED")
    )

    def highest(code: str) -> Any:
        reading = OBSERVATION.alias(f"pre_value_{code.lower()}")
        return (
            select(func.max(reading.c.value))
            .where(
                reading.c.patient_id == doses.c.patient_id,
                reading.c.code == code,
                reading.c.at_s == doses.c.pre_at,
            )
            .scalar_subquery()
        )

    # Only for the doses with a pre-dose pair (most doses of a registry without readings have
    # none): the next dose, whose instant ends the post-dose window (none: after t + 2 h).
    next_at = (
        select(func.min(later.c.at_s))
        .where(later.c.patient_id == doses.c.patient_id, later.c.at_s > doses.c.at_s)
        .scalar_subquery()
    )
    with_pre = (
        select(
            *doses.c,
            highest("SBP").label("pre_sbp"),
            highest("DBP").label("pre_dbp"),
            func.coalesce(next_at, doses.c.at_s + WINDOW_S + 1).label("next_at"),
        )
        .where(doses.c.pre_at.is_not(None))
        .cte("bp_pre")
        .prefix_with("MATERIALIZED")
    )

    def post_highest(code: str) -> Any:
        """The highest ``code`` value among the post-dose pairs (NULL: no post-dose pair).

        A pair meeting a rise or severe threshold is the same as the highest values meeting it
        (the conditions are ORs of lower bounds), so two lookups decide all three flags.
        """
        post_sbp, post_dbp = OBSERVATION.alias("post_sbp"), OBSERVATION.alias("post_dbp")
        value = post_sbp.c.value if code == "SBP" else post_dbp.c.value
        return (
            select(func.max(value))
            .select_from(post_sbp)
            .join(
                post_dbp,
                and_(
                    post_dbp.c.patient_id == post_sbp.c.patient_id,
                    post_dbp.c.code == "DBP",
                    post_dbp.c.at_s == post_sbp.c.at_s,
                ),
            )
            .where(
                post_sbp.c.patient_id == with_pre.c.patient_id,
                post_sbp.c.code == "SBP",
                post_sbp.c.at_s > with_pre.c.at_s,
                post_sbp.c.at_s <= with_pre.c.at_s + WINDOW_S,
                post_sbp.c.at_s < with_pre.c.next_at,
            )
            .scalar_subquery()
        )

    # Materialised, so that each lookup runs once per dose (a flattened subquery would repeat
    # it in every expression that reads its column).
    with_post = (
        select(
            *(with_pre.c[name] for name in KEPT),
            with_pre.c.pre_sbp,
            with_pre.c.pre_dbp,
            post_highest("SBP").label("post_sbp"),
            post_highest("DBP").label("post_dbp"),
        )
        .cte("bp_post")
        .prefix_with("MATERIALIZED")
    )
    p = with_post.c
    rise = or_(p.post_sbp >= p.pre_sbp + RISE_SBP_MMHG, p.post_dbp >= p.pre_dbp + RISE_DBP_MMHG)
    severe = or_(p.post_sbp >= SEVERE_SBP_MMHG, p.post_dbp >= SEVERE_DBP_MMHG)
    return select(
        *(p[name].label(SIGNAL_COLUMNS.get(name, name)) for name in KEPT),
        case((rise, 1), else_=0).label("rise"),
        case((severe, 1), else_=0).label("severe"),
    ).where(p.post_sbp.is_not(None))


def _checked_on_a_timeline(patients: Any) -> Select[Any]:
    """Return the same rows as ``_checked_by_lookups``, from one ordered pass (PostgreSQL).

    Per dose, the portable form makes about a dozen index seeks (next dose, pre-dose pair, its
    values, two post-dose lookups). Here the administrations and the blood pressure pairs (one
    row per patient and instant with both codes, the highest of each) are merged into one
    timeline per patient, in (patient, instant) order, which both come in from their indexes
    (``ix_administration_patient_at``, ``BP_INDEX``), and two window passes over it find, for
    every administration at ``t``:

    - *pre*: the latest pair at or before ``t`` (a RANGE frame takes pairs at ``t`` itself, its
      peers), kept when it lies in ``[t − 2 h, t]``;
    - *owner*: on each row, the latest administration instant at or before it (at its own
      instant too: a pair at a dose's instant is that dose's pre-dose pair only; on a dose, its
      own instant). The pairs a dose owns are those up to the next dose;
    - *post*: per patient and owner (a window partition, which an incremental sort makes from the
      timeline's order), the highest SBP and DBP among the owned pairs in ``(t, t + 2 h]``. A
      rise or severe pressure in some pair is the same as one in the highest values, so these
      decide all three flags.
    """
    adm, obs = ADMINISTRATION, OBSERVATION
    no_value = null().cast(Float)
    doses = select(
        adm.c.patient_id,
        adm.c.at_s,
        *(adm.c[name] for name in KEPT if name not in ("patient_id", "at_s")),
        no_value.label("sbp"),
        no_value.label("dbp"),
    ).where(adm.c.patient_id.in_(_with_blood_pressure(patients)))
    # Ordered in the branch, so that PostgreSQL reads it in order from ix_administration_patient_at
    # (which carries these columns): a branch of UNION ALL is planned on its own.
    doses = doses.order_by(adm.c.patient_id, adm.c.at_s)

    def highest(code: str) -> Any:
        return func.max(obs.c.value).filter(obs.c.code == literal_column(f"'{code}'"))

    codes = ", ".join(f"'{code}'" for code in BP_CODES)  # as BP_INDEX's predicate, for the planner
    pairs = (
        select(
            obs.c.patient_id,
            obs.c.at_s,
            *(null().label(name) for name in KEPT if name not in ("patient_id", "at_s")),
            highest("SBP").label("sbp"),
            highest("DBP").label("dbp"),
        )
        .where(literal_column(f"code IN ({codes})"), obs.c.patient_id.in_(patients))
        .group_by(obs.c.patient_id, obs.c.at_s)
        .having(highest("SBP").is_not(None), highest("DBP").is_not(None))
    )
    timeline = doses.union_all(pairs).subquery("bp_timeline")
    is_pair = timeline.c.sbp.is_not(None)
    pair = postgresql.array([timeline.c.at_s.cast(Float), timeline.c.sbp, timeline.c.dbp])

    def so_far(aggregate: Any) -> Any:  # rows up to and with the current instant
        return aggregate.over(
            partition_by=timeline.c.patient_id, order_by=timeline.c.at_s, range_=(None, 0)
        )

    passed = select(
        *timeline.c,
        so_far(func.max(pair).filter(is_pair)).label("pre"),
        so_far(func.max(timeline.c.at_s).filter(~is_pair)).label("owner_at"),
    ).subquery("bp_passed")
    p = passed.c
    owned = and_(p.sbp.is_not(None), p.at_s > p.owner_at, p.at_s <= p.owner_at + WINDOW_S)

    def highest_owned(value: Any) -> Any:  # over the pairs the row's owner dose owns
        return func.max(value).filter(owned).over(partition_by=(p.patient_id, p.owner_at))

    windowed = select(
        *passed.c,
        highest_owned(p.sbp).label("post_sbp"),
        highest_owned(p.dbp).label("post_dbp"),
    ).subquery("bp_windowed")
    w = windowed.c
    pre_sbp, pre_dbp = w.pre[2], w.pre[3]
    rise = or_(w.post_sbp >= pre_sbp + RISE_SBP_MMHG, w.post_dbp >= pre_dbp + RISE_DBP_MMHG)
    severe = or_(w.post_sbp >= SEVERE_SBP_MMHG, w.post_dbp >= SEVERE_DBP_MMHG)
    return select(
        *(w[name].label(SIGNAL_COLUMNS.get(name, name)) for name in KEPT),
        case((rise, 1), else_=0).label("rise"),
        case((severe, 1), else_=0).label("severe"),
    ).where(w.sbp.is_(None), w.pre[1] >= w.at_s - WINDOW_S, w.post_sbp.is_not(None))
