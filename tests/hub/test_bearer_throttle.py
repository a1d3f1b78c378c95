"""Guessing analysts' tokens is throttled per client address: 401s up to the rate, then 429."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.cli.init import scaffold_hub
from app.cli.servers import ServerThread, free_port
from app.config import load_hub_settings
from app.hub.app import create_hub_app
from app.hub.tokens import TokenRegistry
from app.trust.audit import AuditLog

RATE = 3


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[tuple[ServerThread, str, Clock, AuditLog]]:
    settings = load_hub_settings(scaffold_hub(tmp_path / "hub", port=free_port()))
    settings = settings.model_copy(
        update={"hub": settings.hub.model_copy(update={"bearer_failures_per_minute": RATE})}
    )
    token = TokenRegistry.from_file(settings.hub.api_token_file).first_token()
    clock = Clock()
    app = create_hub_app(settings, clock=clock)
    server = ServerThread(app, settings.hub.port, name="hub").start()
    yield server, token, clock, app.state.service.audit
    server.stop()
    app.state.service.engine.dispose()


def test_refused_tokens_are_throttled_per_address(
    hub: tuple[ServerThread, str, Clock, AuditLog],
) -> None:
    server, token, clock, audit = hub
    url = f"{server.url}/api/queries"
    right = {"Authorization": f"Bearer {token}"}
    wrong = {"Authorization": "Bearer not-the-token"}
    with httpx.Client() as client:
        assert client.get(url, headers=right).status_code == 200
        statuses = [client.get(url, headers=wrong).status_code for _ in range(RATE + 2)]
        assert statuses == [401] * RATE + [429, 429]
        throttled = client.get(url, headers=right)  # the right token too: no lucky guess
        assert throttled.status_code == 429
        assert throttled.headers["Retry-After"] == "20"
        outcome = throttled.json()
        assert outcome["resourceType"] == "OperationOutcome"
        assert outcome["issue"][0]["code"] == "throttled"

        # another address is not held back by this one's guesses
        elsewhere = httpx.HTTPTransport(local_address="127.0.0.2")
        with httpx.Client(transport=elsewhere) as other:
            assert other.get(url, headers=right).status_code == 200
            assert other.get(url, headers=wrong).status_code == 401

        clock.now += 60 / RATE  # one failure's worth refilled
        assert client.get(url, headers=right).status_code == 200
        assert client.get(url, headers=wrong).status_code == 401
        assert client.get(url, headers=wrong).status_code == 429
    server.stop()  # every entry written (uvicorn finishes its requests before it exits)

    # each refusal within the rate is audited; the four throttled requests are not
    actors = [entry.actor for entry in audit.entries()]
    assert actors.count("anonymous") == RATE + 2
    assert len(actors) == RATE + 2 + 3
