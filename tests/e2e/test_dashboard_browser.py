"""The dashboard in a real browser (Playwright driving Debian's Chromium) against a real hub.

Runs a query from the pickers, sees the table and the plot, sees an API error message as the API
wrote it, downloads the CSV with the token, and checks that nothing is loaded from anywhere but
127.0.0.1. Screenshots go to ``test-artifacts/dashboard/`` (``KETANET_ARTIFACTS`` overrides).
Outside CI the tests skip with the reason when Playwright or Chromium is missing; in CI
(``CI=true``, ``.ci/run`` installs Chromium) they run.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest

from app.cli.servers import ServerThread, free_port
from app.hub.app import create_hub_app
from app.hub.tokens import TokenRegistry
from tests.e2e.network import Network, build_network

pytestmark = pytest.mark.e2e
ARTIFACTS = Path(os.environ.get("KETANET_ARTIFACTS", "test-artifacts")) / "dashboard"


def _chromium() -> str:
    """Return Chromium's path, or skip (outside CI) / fail (in CI) with the reason."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        reason = "Playwright is not installed (pip install playwright)"
    else:
        found = next((p for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None)
        if found:
            return found
        reason = "Chromium is not installed (apt-get install -y chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    network: Network
    for network in build_network(tmp_path_factory.mktemp("browser")):
        nodes = [network.serve_node(network.node_settings(n)) for n in ("no", "de", "pt")]
        settings = network.hub_settings(nodes, port=free_port())
        server = ServerThread(create_hub_app(settings), settings.hub.port, name="hub").start()
        token = TokenRegistry.from_file(settings.hub.api_token_file).first_token()
        yield server.url, token
        server.stop()


@pytest.fixture
def page(hub: tuple[str, str]) -> Iterator[tuple[Any, list[str]]]:
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    requested: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
        tab = context.new_page()
        tab.on("request", lambda request: requested.append(request.url))
        errors: list[str] = []
        tab.on("pageerror", lambda error: errors.append(str(error)))
        yield tab, requested
        assert errors == []  # no script error on the page
        context.close()
        browser.close()


def _open(tab: Any, hub: tuple[str, str]) -> None:
    url, token = hub
    tab.goto(f"{url}/#token={token}")
    tab.wait_for_selector("#measure option[value=treated-patients]", state="attached")


def test_a_query_from_the_pickers_shows_table_and_plot_and_downloads_csv(
    page: tuple[Any, list[str]], hub: tuple[str, str]
) -> None:
    tab, requested = page
    _open(tab, hub)
    tab.select_option("#measure", "treated-patients")
    tab.check("input[name=stratify][value=route]")
    tab.select_option("#filter-drug", ["esketamine"])  # nodes answer one value or every value
    tab.keyboard.press("Tab")
    tab.click("#run")
    tab.wait_for_selector("#result h4:has-text('treated-patients by route')")
    tab.wait_for_selector("#result b:has-text('complete')", timeout=30_000)
    assert tab.locator("#result table").count() >= 3  # totals, by route, nodes
    assert "filters: drug=esketamine" in tab.inner_text("#result")
    assert tab.locator("#result .legend").count() == 1
    cell = tab.locator("#result td[title]").first
    assert "true count in" in (cell.get_attribute("title") or "")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=ARTIFACTS / "query-1280.png", full_page=True)
    with tab.expect_download() as waiting:
        tab.click("[data-get=csv]")
    saved = waiting.value.path()
    assert Path(saved).read_text(encoding="utf-8").startswith("country,stratifier,stratum")
    tab.set_viewport_size({"width": 420, "height": 900})
    tab.screenshot(path=ARTIFACTS / "query-narrow.png", full_page=True)
    hosts = {urlparse(u).hostname for u in requested if u.startswith(("http:", "https:"))}
    assert hosts == {"127.0.0.1"}  # nothing from a CDN or anywhere else


def test_an_adverse_event_query_plots_rates_per_exposure(
    page: tuple[Any, list[str]], hub: tuple[str, str]
) -> None:
    tab, _requested = page
    _open(tab, hub)
    tab.select_option("#measure", "adverse-events")
    tab.click("#run")
    tab.wait_for_selector("#result b:has-text('complete')", timeout=30_000)
    tab.wait_for_selector("#result h4:has-text('events-per-1000-administrations')")
    assert tab.locator("#result svg").count() >= 1
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=ARTIFACTS / "adverse-events.png", full_page=True)


def test_an_api_error_is_shown_as_the_api_wrote_it(
    page: tuple[Any, list[str]], hub: tuple[str, str]
) -> None:
    tab, _requested = page
    url, token = hub
    _open(tab, hub)
    tab.select_option("#measure", "treated-patients")
    tab.fill("#end", "2023-01-01")  # before the start
    tab.click("#run")
    tab.wait_for_selector("#msg .error")
    shown = tab.inner_text("#msg")
    body = {"measure": "treated-patients", "period": {"start": "2024-01-01", "end": "2023-01-01"}}
    answer = httpx.post(
        f"{url}/api/queries", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    expected = answer.json()["issue"][0]["diagnostics"]
    assert expected in shown and "HTTP 400" in shown
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=ARTIFACTS / "api-error.png")
