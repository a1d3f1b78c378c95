"""An httpx transport with one connection pool per node origin, for the hub's fan-outs.

httpcore's connection pool walks every connection it holds (asking each socket whether it is
still readable, and counting idle connections once per connection) whenever a request starts or
ends. With one shared pool for N nodes that is O(N²) work per request and O(N³) per fan-out,
most of the hub's CPU at 20 nodes. One small pool per origin (scheme, host, port) keeps the
bookkeeping per request constant; connections, TLS and timeouts are otherwise unchanged.
"""

from __future__ import annotations

import ssl

import httpx

Origin = tuple[bytes, bytes, int | None]


class PerOriginTransport(httpx.AsyncBaseTransport):
    """Route every request to the keep-alive pool of its origin, created on first use."""

    def __init__(self, *, verify: ssl.SSLContext, limits: httpx.Limits) -> None:
        self._verify = verify
        self._limits = limits
        self._pools: dict[Origin, httpx.AsyncHTTPTransport] = {}

    def _pool(self, url: httpx.URL) -> httpx.AsyncHTTPTransport:
        origin = (url.raw_scheme, url.raw_host, url.port)
        pool = self._pools.get(origin)
        if pool is None:
            pool = self._pools[origin] = httpx.AsyncHTTPTransport(
                verify=self._verify, limits=self._limits
            )
        return pool

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through its origin's pool."""
        return await self._pool(request.url).handle_async_request(request)

    async def aclose(self) -> None:
        """Close every pool and its connections."""
        pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            await pool.aclose()
