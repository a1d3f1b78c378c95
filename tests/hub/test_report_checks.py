"""A node that signs nonsense: the hub marks it ``invalid-report`` with a precise detail.

A real uvicorn server holds the node's real Ed25519 key and answers the hub's signed request with
a crafted MeasureReport, signed correctly; the hub runs a real fan-out to it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import Response

from app.catalogue import load_catalogue
from app.cli.init import scaffold_hub
from app.cli.peers import add_node
from app.cli.servers import ServerThread, free_port
from app.config import load_hub_settings
from app.exchange.answer import Cell, DisclosurePolicy, MeasureAnswer, PopulationResult
from app.exchange.measure_report import to_measure_report
from app.hub.report_checks import MAX_REPORT_BYTES
from app.hub.requests import query_from_request
from app.hub.service import HubService
from app.trust.keys import load_signing_key, write_key_pair
from app.trust.signatures import sign_response

FHIR = "application/fhir+json"
QUERY = {
    "measure": "treated-patients",
    "period": {"start": "2024-01-01", "end": "2025-06-30"},
    "stratify": ["route"],
}
Craft = Callable[[MeasureAnswer], bytes]


def _honest() -> MeasureAnswer:
    strata = {"route": {"iv": Cell(40), "im": Cell(25), "sc": Cell(None, ("small-cell",))}}
    return MeasureAnswer(
        measure="treated-patients",
        version=load_catalogue()["treated-patients"].version,
        period_start=date(2024, 1, 1),
        period_end=date(2025, 6, 30),
        populations=[PopulationResult("treated-patients", Cell(70), strata)],
        policy=DisclosurePolicy(min_cell=11),
        country="NO",
        node_id="no",
    )


def _report(answer: MeasureAnswer) -> bytes:
    return orjson.dumps(to_measure_report(answer))


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root: Path = tmp_path_factory.mktemp("report-checks")
    hub_config = scaffold_hub(root / "hub", port=free_port())
    write_key_pair(root / "no", "no")
    key = load_signing_key(root / "no" / "no.pem")
    state: dict[str, Craft] = {"craft": lambda answer: _report(answer)}
    app = FastAPI()

    @app.post("/fhir/Measure/$evaluate-measure")
    async def evaluate(request: Request) -> Response:
        await request.body()
        body = state["craft"](_honest())
        signed = sign_response(
            status=200,
            headers={"content-type": FHIR},
            body=body,
            request=request,
            key=key,
            now=time.time(),
        )
        return Response(body, media_type=FHIR, headers={k.lower(): v for k, v in signed.items()})

    port = free_port()
    server = ServerThread(app, port, name="crafty").start()
    add_node(
        hub_config,
        node_id="no",
        country="NO",
        url=f"http://127.0.0.1:{port}",
        jwk=root / "no" / "no.jwk.json",
    )
    yield {"settings": load_hub_settings(hub_config), "state": state}
    server.stop()


def _node_outcome(hub: dict[str, Any], craft: Craft) -> dict[str, Any]:
    hub["state"]["craft"] = craft
    service = HubService(hub["settings"])
    document = asyncio.run(service.run_query(query_from_request(QUERY), actor="test"))
    (node,) = document.model_dump()["nodes"]
    return node


def _with_strata(strata: dict[str, dict[str, Cell]], total: Cell | None = None) -> Craft:
    def craft(answer: MeasureAnswer) -> bytes:
        (result,) = answer.populations
        result = replace(result, strata=strata, total=total or result.total)
        return _report(replace(answer, populations=[result]))

    return craft


def test_consistent_report_is_ok(hub: dict[str, Any]) -> None:
    node = _node_outcome(hub, _report)
    assert (node["status"], node["detail"]) == ("ok", None)


def test_strata_summing_above_total_is_invalid_report(hub: dict[str, Any]) -> None:
    node = _node_outcome(hub, _with_strata({"route": {"iv": Cell(771), "im": Cell(25)}}))
    assert node["status"] == "invalid-report"
    assert "stratifier route: strata sum to at least 796, above the total's 70" in node["detail"]


def test_perturbation_within_its_declared_bound_is_ok(hub: dict[str, Any]) -> None:
    policy = DisclosurePolicy(min_cell=11, perturbation="cell-key", ckm_max=3)
    perturbed = ("perturbed",)

    def craft(answer: MeasureAnswer) -> bytes:
        strata = {"route": {"iv": Cell(46, perturbed), "im": Cell(27, perturbed)}}
        (result,) = answer.populations
        result = replace(result, total=Cell(70, perturbed), strata=strata)
        return _report(replace(answer, populations=[result], policy=policy))

    # 73 shown against 70: within 3 cells of +-3; an exact report this far off is refused
    assert _node_outcome(hub, craft)["status"] == "ok"
    exact = _with_strata({"route": {"iv": Cell(46), "im": Cell(27)}})
    assert _node_outcome(hub, exact)["status"] == "invalid-report"


def test_exact_count_below_declared_min_cell_is_invalid_report(hub: dict[str, Any]) -> None:
    node = _node_outcome(hub, _with_strata({"route": {"iv": Cell(40), "im": Cell(3)}}))
    assert node["status"] == "invalid-report"
    assert node["detail"] == (
        "population treated-patients, route=im: exact count below the report's own min-cell 11"
    )


def test_unknown_population_is_invalid_report(hub: dict[str, Any]) -> None:
    def craft(answer: MeasureAnswer) -> bytes:
        extra = PopulationResult("everyone-ever", Cell(5000))
        return _report(replace(answer, populations=[*answer.populations, extra]))

    node = _node_outcome(hub, craft)
    assert node["status"] == "invalid-report"
    assert node["detail"] == "unknown population 'everyone-ever' for treated-patients"


def test_markup_stratum_is_invalid_report_with_an_escaped_detail(hub: dict[str, Any]) -> None:
    node = _node_outcome(hub, _with_strata({"route": {"<script>alert(1)</script>": Cell(40)}}))
    assert node["status"] == "invalid-report"
    assert node["detail"].startswith(
        "population treated-patients, stratifier route: unknown stratum '\\u003cscript\\u003e"
    )
    assert "<" not in node["detail"] and ">" not in node["detail"]


def test_stratifier_not_asked_for_is_invalid_report(hub: dict[str, Any]) -> None:
    node = _node_outcome(hub, _with_strata({"sex": {"female": Cell(40)}}))
    assert node["status"] == "invalid-report"
    assert "stratifier 'sex' was not asked for" in node["detail"]


def test_oversized_report_is_refused_before_it_is_stored(hub: dict[str, Any]) -> None:
    junk = {"route": {f"junk-{n}": Cell(None, ("small-cell",)) for n in range(30_000)}}
    node = _node_outcome(hub, _with_strata(junk))
    assert node["status"] == "invalid-report"
    assert node["detail"] == f"report of more than {MAX_REPORT_BYTES} bytes: over the limit"
    database = Path(hub["settings"].hub.database_url.removeprefix("sqlite:///"))
    # the 30,000 junk strata (several MB) never reached the hub's database
    assert database.stat().st_size < MAX_REPORT_BYTES
