"""The signal forest plots (``app/hub/static/forest.js``): served with the dashboard, and drawn
by Node.js from a real pooled document: one plot per signal meta-analysis, an axis scaled to it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from app.cli.init import scaffold_hub
from app.cli.servers import free_port
from app.config import load_hub_settings
from app.hub.app import create_hub_app
from tests.hub.test_safety_statistics import _safety_doc

SCRIPT = Path(__file__).resolve().parents[2] / "app" / "hub" / "static" / "forest.js"
DRAW = """
const {drawSignalForests} = require(process.argv[1]);
const doc = JSON.parse(require("fs").readFileSync(0, "utf8"));
const element = {innerHTML: ""};
const plots = drawSignalForests(element, doc);
process.stdout.write(JSON.stringify({plots, html: element.innerHTML}));
"""


def _draw(document: dict[str, object]) -> dict[str, object]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed")
    result = subprocess.run(
        [node, "-e", DRAW, str(SCRIPT)],
        input=json.dumps(document),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    drawn: dict[str, object] = json.loads(result.stdout)
    return drawn


def test_forest_plots_draw_every_signal_meta_analysis_on_a_scaled_axis() -> None:
    drawn = _draw(_safety_doc())
    assert drawn["plots"] == 4
    html = str(drawn["html"])
    assert html.count("<svg") == 4
    assert html.index("administrations-bp-rise") < html.index("patients-lft-3x-uln")
    for country in ("NO (n=900)", "DE (n=1500)", "PT (n=400)", "pooled"):
        assert country in html
    # The BP rises are 1–5% (upper limits up to ~6%): the axis ends at 8%, not at 100%.
    first = html.split("<svg", 2)[1].split("</svg>", 1)[0]
    ticks = re.findall(r'text-anchor="middle">([0-9.]+)%<', first)
    assert [float(t) for t in ticks] == [0.0, 2.0, 4.0, 6.0, 8.0]


def test_forest_plots_name_a_country_left_out_and_draw_nothing_for_other_measures() -> None:
    drawn = _draw(_safety_doc(masked=("PT", "administrations-bp-rise")))
    assert "left out: PT" in str(drawn["html"])
    other = _safety_doc() | {"measure": "efficacy"}
    assert _draw(other) == {"plots": 0, "html": ""}


async def test_dashboard_loads_the_forest_script_from_the_hub(tmp_path: Path) -> None:
    settings = load_hub_settings(scaffold_hub(tmp_path / "hub", port=free_port()))
    app = create_hub_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
        page = await client.get("/")
        script = await client.get("/static/forest.js")
    app.state.service.engine.dispose()
    assert '<script src="/static/forest.js"></script>' in page.text
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert script.text == SCRIPT.read_text(encoding="utf-8")
