"""The dashboard's answer-distribution plot: served by the hub, hooked into the page by one
script line, and drawing one stacked bar per country from a real pooled query document."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from importlib import resources
from pathlib import Path

import httpx
import pytest

from app.cli.init import scaffold_hub
from app.cli.servers import free_port
from app.config import load_hub_settings
from app.exchange.answer import Cell, MeasureAnswer, PopulationResult
from app.hub.app import create_hub_app
from app.hub.pooling import PooledQuery, pool_answers
from app.hub.replies import NodeReply

SCRIPT = resources.files("app.hub").joinpath("static/experience.js")
START, END = date(2024, 1, 1), date(2024, 12, 31)


async def test_dashboard_loads_the_plot_script_and_the_hub_serves_only_dashboard_files(
    tmp_path: Path,
) -> None:
    settings = load_hub_settings(scaffold_hub(tmp_path / "hub", port=free_port()))
    app = create_hub_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
        page = (await client.get("/")).text
        assert page.count('<script src="/static/experience.js"></script>') == 1
        script = await client.get("/static/experience.js")
        assert script.status_code == 200
        assert script.headers["content-type"].startswith("text/javascript")
        assert "drawAnswerDistribution" in script.text
        for name in ("missing.js", "..%2Fapp.py", "__init__.py"):
            response = await client.get(f"/static/{name}")
            assert response.status_code == 404
            assert response.json()["resourceType"] == "OperationOutcome"
    app.state.service.engine.dispose()


def _document() -> str:
    def reply(country: str, answers: dict[str, Cell]) -> NodeReply:
        total = Cell(sum(cell.count or 0 for cell in answers.values()))
        populations = [PopulationResult("respondents", total, {"answer": answers})]
        answer = MeasureAnswer("patient-experience", "1", START, END, populations)
        return NodeReply(country.lower(), country, "ok", answer=answer)

    masked = Cell(None, ("small-cell",))
    query = PooledQuery(
        "q-1",
        "patient-experience",
        START,
        END,
        stratify=("answer",),
        parameters={"item": "felt-safe"},
    )
    replies = [
        reply("NO", {"1": Cell(12), "3": Cell(20), "5": Cell(30)}),
        reply("PT", {"2": masked, "4": Cell(15)}),
    ]
    return pool_answers(query, replies).model_dump_json()


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_plot_draws_a_stacked_bar_per_country_hatching_masked_counts(tmp_path: Path) -> None:
    harness = tmp_path / "draw.js"
    harness.write_text(
        "globalThis.window = globalThis;\n"
        "globalThis.document = {getElementById: () => null};\n"
        f"{SCRIPT.read_text('utf-8')}\n"
        "const element = {innerHTML: ''};\n"
        f"window.drawAnswerDistribution(element, {_document()});\n"
        "process.stdout.write(JSON.stringify(element.innerHTML));\n",
        encoding="utf-8",
    )
    output = subprocess.run(
        ["node", str(harness)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    svg = json.loads(output)
    assert svg.startswith("<h4>answer distribution per country — felt-safe</h4><svg")
    for country in ("NO", "PT", "ALL"):
        assert f">{country}</text>" in svg
    # NO: 3 answers; PT: 2; ALL: 5 answers. Bars and hatches carry a tooltip each.
    assert svg.count("<title>NO ") == 3
    assert svg.count('fill="url(#xp-hatch)"') == 2  # PT's masked "2", and ALL's bounded "2"
    assert "<title>NO 5: 30 (48%)</title>" in svg
