"""Measure ``adverse-events``: treated patients, administrations, events and patients with an event.

An event counts when its onset date is in the period and its patient is treated. Its attributed
administration is the linked one when the link names a known administration, else the patient's
latest administration (any drug, in or out of the period) with ``at ≤ onset ≤ at + 30 days``
(ties at one instant broken by id), else none. A drug, route or setting filter keeps only events
whose attributed administration matches it, so unattributed events drop out under such filters.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, String, and_, case, func, literal, null, select, union_all

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
    # Every possible attribution of an event in one ranked set: the linked administration
    # (priority 0), those in the 30-day window (priority 1, latest first), none (priority 2).
    # Ranking a UNION ALL needs no join on a window's output, which SQLite and PostgreSQL may
    # plan as a nested scan when they misjudge CTE sizes.
    linked = ADMINISTRATION.alias("linked")
    candidate = ADMINISTRATION.alias("candidate")
    event_columns = list(in_period.c)
    options = union_all(
        _option(event_columns, linked, priority=0).join(
            linked, linked.c.id == in_period.c.administration_id
        ),
        _option(event_columns, candidate, priority=1).join(
            candidate,
            and_(
                candidate.c.patient_id == in_period.c.patient_id,
                candidate.c.at_s <= in_period.c.at_s,
                # at ≤ onset ≤ at + 30 d, written as a range on the indexed column.
                candidate.c.at_s >= in_period.c.at_s - ATTRIBUTION_WINDOW_S,
            ),
        ),
        _option(event_columns, None, priority=2),
    ).subquery("attribution_options")
    ranked = select(
        options,
        func.row_number()
        .over(
            partition_by=options.c.id,
            order_by=(options.c.priority, options.c.adm_at_s.desc(), options.c.adm_id.desc()),
        )
        .label("rn"),
    ).subquery("ranked_options")
    conditions = [
        ranked.c[f"adm_{key}"].in_(context.query.filters[key])
        for key in ("drug", "route", "setting")
        if key in context.query.filters
    ]
    return (
        select(
            *(
                ranked.c[column.name]
                for column in event_columns
                if column.name != "administration_id"
            ),
            func.coalesce(ranked.c.adm_drug, literal(UNATTRIBUTED, String)).label("drug"),
            func.coalesce(ranked.c.adm_route, literal(UNATTRIBUTED, String)).label("route"),
        )
        .where(ranked.c.rn == 1, *conditions)
        .cte("attributed_events")
    )


def _option(event_columns: list[Any], administration: Any, *, priority: int) -> Any:
    """Return a select of the event columns with one attribution option (``None``: none)."""
    fields = ("id", "at_s", "drug", "route", "setting")
    if administration is None:
        option = [null().cast(ADMINISTRATION.c[name].type).label(f"adm_{name}") for name in fields]
    else:
        option = [administration.c[name].label(f"adm_{name}") for name in fields]
    return select(*event_columns, literal(priority, Integer).label("priority"), *option)
