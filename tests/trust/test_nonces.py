"""The replay store on SQLite and PostgreSQL: one winner under concurrency, expired nonces collected."""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, func, select

from app.database import create_store_engine
from app.errors import Conflict
from app.trust.nonces import NonceStore
from app.trust.tables import request_nonce

from .support import FakeClock

WORKERS = 8


def _count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(request_nonce)).scalar_one())


def test_remember_same_nonce_from_threads_accepts_exactly_one(trust_engine: Engine) -> None:
    store = NonceStore(trust_engine)
    barrier = threading.Barrier(WORKERS)

    def attempt(_: int) -> str:
        barrier.wait()
        try:
            store.remember("kid-a", "n" * 32, 2_000_000_000)
        except Conflict:
            return "replay"
        return "accepted"

    with ThreadPoolExecutor(WORKERS) as pool:
        outcomes = list(pool.map(attempt, range(WORKERS)))
    assert outcomes.count("accepted") == 1
    assert outcomes.count("replay") == WORKERS - 1
    assert _count(trust_engine) == 1


def _remember_in_process(url: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    engine = create_store_engine(url)
    try:
        NonceStore(engine).remember("kid-a", "p" * 32, 2_000_000_000)
        queue.put("accepted")
    except Conflict:
        queue.put("replay")
    finally:
        engine.dispose()


def test_remember_same_nonce_from_processes_accepts_exactly_one(trust_engine: Engine) -> None:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    url = trust_engine.url.render_as_string(hide_password=False)
    processes = [context.Process(target=_remember_in_process, args=(url, queue)) for _ in range(4)]
    for process in processes:
        process.start()
    outcomes = [queue.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    assert sorted(outcomes) == ["accepted", "replay", "replay", "replay"]


def test_remember_same_nonce_other_key_accepted(trust_engine: Engine) -> None:
    store = NonceStore(trust_engine)
    store.remember("kid-a", "n" * 32, 2_000_000_000)
    store.remember("kid-b", "n" * 32, 2_000_000_000)
    with pytest.raises(Conflict, match="replayed nonce"):
        store.remember("kid-b", "n" * 32, 2_000_000_000)


def test_collect_deletes_expired_nonces_only(trust_engine: Engine) -> None:
    store = NonceStore(trust_engine)
    store.remember("kid", "old" * 8, 1_000)
    store.remember("kid", "new" * 8, 3_000)
    assert store.collect(now=2_000) == 1
    assert not store.seen("kid", "old" * 8)
    assert store.seen("kid", "new" * 8)


def test_remember_collects_expired_nonces_every_n_inserts(trust_engine: Engine) -> None:
    clock = FakeClock(now=2_000)
    store = NonceStore(trust_engine, clock=clock, collect_every=3)
    store.remember("kid", "a" * 24, 1_000)
    store.remember("kid", "b" * 24, 1_500)
    assert _count(trust_engine) == 2
    store.remember("kid", "c" * 24, 3_000)  # the third insert collects the two expired ones
    assert _count(trust_engine) == 1
