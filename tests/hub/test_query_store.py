"""The hub's task queue in the database: claims skip rows another process holds, and a task's
result is recorded once, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from app.database import create_store_engine
from app.hub import query_store, task_store
from app.hub.migrations import upgrade_hub_schema
from app.hub.task_store import Task, write_transaction

NOW_S = 1_800_000_000


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    url = (
        f"sqlite:///{tmp_path / 'hub.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_schema_url")
    )
    engine = create_store_engine(url)
    upgrade_hub_schema(engine)
    try:
        yield engine
    finally:
        engine.dispose()


def _query_with_tasks(engine: Engine, query_id: str, nodes: int, *, mode: str = "pull") -> None:
    rows = [
        {
            "id": f"{query_id}-{n}", "query_id": query_id, "node_id": f"n{n}", "country": "NO",
            "position": n, "mode": mode, "kind": "evaluate-measure", "method": "POST",
            "url": f"http://127.0.0.1:1/fhir/Measure/$evaluate-measure?task={query_id}-{n}",
            "body_base64": "e30=", "request_headers_json": None, "status": "pending",
            "detail": "awaiting-pull", "stage": task_store.QUEUED, "lease_until_s": None,
            "attempts": 0, "created_s": NOW_S, "deadline_s": NOW_S + 3600,
            "approval_ref": None, "finished_s": None,
        }
        for n in range(nodes)
    ]  # fmt: skip
    with write_transaction(engine) as connection:
        query_store.insert_query(
            connection, query_id=query_id, created_at="2027-01-15T08:00:00Z", actor="test",
            measure="treated-patients", request={"measure": "treated-patients"},
        )  # fmt: skip
        task_store.insert_tasks(connection, rows)


def _claim(engine: Engine, **where: str) -> list[Task]:
    with write_transaction(engine) as connection:
        return task_store.claim_tasks(connection, now_s=NOW_S, lease_s=60, mode="pull", **where)


def test_a_claimed_task_is_not_handed_out_again_until_its_lease_ends(engine: Engine) -> None:
    _query_with_tasks(engine, "q1", 2)
    first = _claim(engine, node_id="n0")
    assert [task.id for task in first] == ["q1-0"]
    assert _claim(engine, node_id="n0") == []
    with write_transaction(engine) as connection:
        later = task_store.claim_tasks(
            connection, now_s=NOW_S + 61, lease_s=60, mode="pull", node_id="n0"
        )
    assert [(task.id, task.attempts) for task in later] == [("q1-0", 1)]  # attempts before this


@pytest.mark.postgres
def test_claims_skip_rows_another_transaction_holds_on_postgresql(
    postgres_schema_url: str,
) -> None:
    engine = create_store_engine(postgres_schema_url)
    upgrade_hub_schema(engine)
    try:
        _query_with_tasks(engine, "q2", 1)
        _query_with_tasks(engine, "q3", 1)
        with engine.connect() as holder:
            held = task_store.claim_tasks(
                holder, now_s=NOW_S, lease_s=60, mode="pull", query_id="q2"
            )
            assert [task.id for task in held] == ["q2-0"]  # locked until `holder` commits
            other = _claim(engine, node_id="n0")  # another process: skips q2-0, never waits
            assert [task.id for task in other] == ["q3-0"]
            holder.rollback()
        assert [task.id for task in _claim(engine, node_id="n0")] == ["q2-0"]
    finally:
        engine.dispose()


def test_a_task_result_is_recorded_once_by_concurrent_finishers(engine: Engine) -> None:
    _query_with_tasks(engine, "q4", 1)
    with engine.connect() as connection:
        [task] = task_store.tasks_of(connection, "q4")
    barrier = threading.Barrier(4)
    accepted: list[bool] = []

    def finish(number: int) -> None:
        barrier.wait()
        with write_transaction(engine) as connection:
            query_store.lock_query(connection, "q4")
            accepted.append(
                task_store.finish_task(
                    connection,
                    task,
                    status="ok",
                    detail=f"finisher {number}",
                    receipt=None,
                    now_s=NOW_S,
                )
            )

    threads = [threading.Thread(target=finish, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(accepted) == [False, False, False, True]
    with engine.connect() as connection:
        [outcome] = query_store.outcomes_of(connection, "q4")
        assert len(query_store.receipts_of(connection, "q4")) == 1
    assert outcome.status == "ok"


def test_settled_running_queries_are_found_for_finalising(engine: Engine) -> None:
    _query_with_tasks(engine, "q5", 1)
    _query_with_tasks(engine, "q6", 1)
    with engine.connect() as connection:
        [task] = task_store.tasks_of(connection, "q5")
    with write_transaction(engine) as connection:
        task_store.finish_task(
            connection, task, status="ok", detail=None, receipt=None, now_s=NOW_S
        )
    with engine.connect() as connection:
        assert query_store.settled_running(connection) == [("q5", "treated-patients")]
