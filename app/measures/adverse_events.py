"""Measure ``adverse-events``: treated patients, administrations, events and patients with an event.

An event counts when its onset date is in the period and its patient is treated. Its attributed
administration is the linked one when the link names a known administration, else the patient's
latest administration (any drug, in or out of the period) with ``at ≤ onset ≤ at + 30 days``
(ties at one instant broken by id), else none. A drug, route or setting filter keeps only events
whose attributed administration matches it, so unattributed events drop out under such filters.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, case, func, literal, select

from app.measures.administrations import administrations_source
from app.measures.aggregate import PopulationSource
from app.measures.cohort import ADMINISTRATION, MeasureContext
from app.measures.treated_patients import treated_patients_source
from app.store.event_attribution import ATTRIBUTES, EVENT_ATTRIBUTION

UNATTRIBUTED = "unattributed"


def build_adverse_events(context: MeasureContext) -> dict[str, PopulationSource]:
    """Return the SQL sources of the four populations of ``adverse-events``."""
    attributed = attributed_events(context)
    counted = context.clipped(select(*attributed.c), "at_s", "id", name="counted_events")
    return {
        "treated-patients": treated_patients_source(context),
        "administrations": administrations_source(context),
        "events": PopulationSource("events", counted, (), additive=True),
        "patients-with-event": PopulationSource(
            "patients-with-event",
            attributed,
            (),
            additive=False,
            keys=("patient_record_key", "patient_member_hash"),
        ),
    }


def attributed_events(context: MeasureContext) -> Any:
    """Return a CTE of the counted events with their strata and attributed drug and route.

    The attributions are kept by the store (``app.store.event_attribution``): the events in the
    period are read from that table, joined to the index (treated patients only; the patient's
    keys come with it), and a link the store left unresolved (one to another patient's
    administration, or to none known when it was kept) is looked up by id. Before, SQLite sought the linked administration, the
    latest candidate, the attributed row and the patient per event (as much time as the bare
    aggregate at 1M), PostgreSQL two LATERAL lookups per event.
    """
    kept, index = EVENT_ATTRIBUTION, context.index
    linked = ADMINISTRATION.alias("linked")

    def linked_value(key: str) -> Any:
        # Looked up only for an unresolved link (rare): as a join, PostgreSQL hashed every
        # administration for it (~0.33 s at 1M, for no row at all).
        found = select(linked.c[key]).where(linked.c.id == kept.c.linked_id).scalar_subquery()
        return case((kept.c.linked_id.is_not(None), found))

    attributed = {key: func.coalesce(linked_value(key), kept.c[key]) for key in ATTRIBUTES}
    conditions = [
        attributed[key].in_(context.query.filters[key])
        for key in ATTRIBUTES
        if key in context.query.filters
    ]
    return (
        select(
            kept.c.event_id.label("id"),
            kept.c.patient_id,
            kept.c.at_s,
            kept.c.event,
            kept.c.severity,
            case((kept.c.serious, literal("yes", String)), else_=literal("no", String)).label(
                "serious"
            ),
            kept.c.record_key,
            kept.c.member_hash,
            func.coalesce(attributed["drug"], literal(UNATTRIBUTED, String)).label("drug"),
            func.coalesce(attributed["route"], literal(UNATTRIBUTED, String)).label("route"),
            index.c.record_key.label("patient_record_key"),
            index.c.member_hash.label("patient_member_hash"),
        )
        .select_from(kept.join(index, index.c.patient_id == kept.c.patient_id))
        .where(context.in_period(kept.c.day), *conditions)
        .cte("attributed_events")
    )
