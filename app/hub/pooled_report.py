"""The pooled international result as a FHIR ``MeasureReport`` (bounds and masks as extensions)."""

from __future__ import annotations

from typing import Any

from app.hub.document import CountRow, QueryDocument

BOUNDS_URL = "https://ketanet.org/fhir/StructureDefinition/count-bounds"
STATUS_URL = "https://ketanet.org/fhir/StructureDefinition/pooled-status"
DATA_ABSENT_URL = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
POPULATION_SYSTEM = "https://ketanet.org/fhir/CodeSystem/measure-population"


def _population(row: CountRow) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "code": {"coding": [{"system": POPULATION_SYSTEM, "code": row.population}]}
    }
    if row.count is not None and row.status == "exact":
        entry["count"] = row.count
        return entry
    # Not a node's cell-disclosure label: a pooled count is "bounded" because some input was
    # masked, rounded or noised; its value is withheld and its bounds given.
    entry["_count"] = {
        "extension": [
            {"url": DATA_ABSENT_URL, "valueCode": "masked"},
            {"url": STATUS_URL, "valueCode": row.status},
            {
                "url": BOUNDS_URL,
                "extension": [
                    {"url": "lower", "valueInteger": row.lower},
                    {"url": "upper", "valueInteger": row.upper},
                ],
            },
        ]
    }
    return entry


def pooled_measure_report(document: QueryDocument) -> dict[str, Any]:
    """Return the international (``ALL``) rows of a query document as a summary MeasureReport."""
    groups: dict[str, dict[str, Any]] = {}
    for row in document.rows:
        if row.country != "ALL":
            continue
        group = groups.setdefault(
            row.population,
            {"code": {"text": row.population}, "population": [], "stratifier": []},
        )
        if row.stratifier is None:
            group["population"].append(_population(row))
            continue
        stratifier = next(
            (s for s in group["stratifier"] if s["code"][0]["text"] == row.stratifier), None
        )
        if stratifier is None:
            stratifier = {"code": [{"text": row.stratifier}], "stratum": []}
            group["stratifier"].append(stratifier)
        stratifier["stratum"].append(
            {"value": {"text": row.stratum}, "population": [_population(row)]}
        )
    countries = sorted({node.country for node in document.nodes if node.status == "ok"})
    measure = f"https://ketanet.org/fhir/Measure/{document.measure}"
    return {
        "resourceType": "MeasureReport",
        "id": document.query_id,
        "status": "complete",
        "type": "summary",
        "measure": f"{measure}|{document.version}" if document.version else measure,
        "date": document.created_at,
        "reporter": {"display": "KetaNet hub (pooled: " + ", ".join(countries) + ")"},
        "period": {"start": document.period.start, "end": document.period.end},
        "group": [{k: v for k, v in group.items() if v} for group in groups.values()],
    }
