"""Measure ``adverse-events``: treated patients, administrations, events and patients with an event.

An event counts when its onset date is in the period and its patient is treated. Its attributed
administration is the linked one when the link names a known administration, else the patient's
latest administration (any drug, in or out of the period) with ``at ≤ onset ≤ at + 30 days``
(ties at one instant broken by id), else none. A drug, route or setting filter keeps only events
whose attributed administration matches it, so unattributed events drop out under such filters.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, and_, case, func, literal, select

from app.measures.administrations import administrations_source
from app.measures.aggregate import PopulationSource
from app.measures.calendar import SECONDS_PER_DAY
from app.measures.cohort import ADMINISTRATION, ADVERSE_EVENT, MeasureContext
from app.measures.treated_patients import treated_patients_source

ATTRIBUTION_WINDOW_S = 30 * SECONDS_PER_DAY
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
            "patients-with-event", attributed, (), additive=False
        ),
    }


def attributed_events(context: MeasureContext) -> Any:
    """Return a CTE of the counted events with their strata and attributed drug and route."""
    event = ADVERSE_EVENT
    in_period = (
        select(
            event.c.id,
            event.c.patient_id,
            event.c.at_s,
            event.c.event,
            event.c.severity,
            case((event.c.serious, literal("yes", String)), else_=literal("no", String)).label(
                "serious"
            ),
            event.c.administration_id,
        )
        .where(
            context.in_period(event.c.day),
            event.c.patient_id.in_(context.treated_patient_ids()),
        )
        .cte("events_in_period")
    )
    candidate = ADMINISTRATION.alias("candidate")
    ranked = (
        select(
            in_period.c.id.label("event_id"),
            candidate.c.drug,
            candidate.c.route,
            candidate.c.setting,
            func.row_number()
            .over(
                partition_by=in_period.c.id,
                order_by=(candidate.c.at_s.desc(), candidate.c.id.desc()),
            )
            .label("rn"),
        )
        .join(
            candidate,
            and_(
                candidate.c.patient_id == in_period.c.patient_id,
                candidate.c.at_s <= in_period.c.at_s,
                in_period.c.at_s <= candidate.c.at_s + ATTRIBUTION_WINDOW_S,
            ),
        )
        .subquery("ranked_candidates")
    )
    latest = select(ranked).where(ranked.c.rn == 1).subquery("latest_candidate")
    linked = ADMINISTRATION.alias("linked")
    # A valid link always wins; a link to an unknown administration finds no row and falls back.
    attributed = {
        key: func.coalesce(linked.c[key], latest.c[key]) for key in ("drug", "route", "setting")
    }
    conditions = [
        attributed[key].in_(context.query.filters[key])
        for key in ("drug", "route", "setting")
        if key in context.query.filters
    ]
    return (
        select(
            in_period.c.id,
            in_period.c.patient_id,
            in_period.c.at_s,
            in_period.c.event,
            in_period.c.severity,
            in_period.c.serious,
            func.coalesce(attributed["drug"], literal(UNATTRIBUTED, String)).label("drug"),
            func.coalesce(attributed["route"], literal(UNATTRIBUTED, String)).label("route"),
        )
        .select_from(
            in_period.outerjoin(linked, linked.c.id == in_period.c.administration_id).outerjoin(
                latest, latest.c.event_id == in_period.c.id
            )
        )
        .where(*conditions)
        .cte("attributed_events")
    )
