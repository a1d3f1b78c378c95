"""The per-peer token bucket."""

from __future__ import annotations

import pytest

from app.errors import BudgetExhausted
from app.node.ratelimit import RateLimiter


def test_rate_limit_refuses_beyond_capacity_and_refills() -> None:
    now = [0.0]
    limiter = RateLimiter(60, clock=lambda: now[0])
    for _ in range(60):
        limiter.take("hub")
    with pytest.raises(BudgetExhausted) as refused:
        limiter.take("hub")
    assert refused.value.headers() == {"Retry-After": "1"}
    limiter.take("other-peer")  # buckets are per peer
    now[0] += 1.0
    limiter.take("hub")
