"""The hub's per-origin transport: one keep-alive pool per node origin, all closed together."""

from __future__ import annotations

import asyncio
import ssl

import httpx

from app.hub.transport import PerOriginTransport


def test_one_pool_per_origin_and_aclose_closes_them_all() -> None:
    transport = PerOriginTransport(verify=ssl.create_default_context(), limits=httpx.Limits())
    a = transport._pool(httpx.URL("http://127.0.0.1:8101/fhir/Measure/$evaluate-measure"))
    assert transport._pool(httpx.URL("http://127.0.0.1:8101/other")) is a
    assert transport._pool(httpx.URL("http://127.0.0.1:8102/fhir")) is not a
    assert transport._pool(httpx.URL("https://127.0.0.1:8101/fhir")) is not a
    asyncio.run(transport.aclose())
    assert transport._pools == {}
