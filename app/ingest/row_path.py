"""What the row path makes of one source row, in this process or in worker processes.

``RowPath.outcome`` maps, de-identifies and validates one row and builds its store row (with its
``row_hash`` and record keys): everything about a row that depends on the row alone. What depends
on the rows before it (is its patient known, is its id a duplicate) stays with the pipeline, which
settles outcomes in file order.

``parallel_outcomes`` spreads chunks of rows over forked worker processes (they inherit the bound
mapping, the de-identifier and the secrets; only rows and outcomes cross the pipes) and yields the
outcomes back in file order, one chunk in flight per worker, so memory stays flat. Workers never touch
the store: the parent keeps the one connection and its transaction.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
from collections import deque
from collections.abc import Iterable, Iterator
from enum import Enum
from hashlib import blake2b
from itertools import islice
from multiprocessing.connection import Connection
from typing import Any

import orjson

from app.deid import Deidentifier
from app.deid.record_keys import RecordKeyer
from app.errors import Issue
from app.ingest.fused_row import fused_row_function
from app.mapping import RowMapper
from app.profiles import RecordValidator, to_store_row
from app.sources import SourceRow

CHUNK_ROWS = 2_000
"""Rows per task sent to a worker."""


class Dropped(Enum):
    """A row left out without an error."""

    SKIPPED = "skipped"  # a row filter of the mapping leaves it out
    ERASED = "erased"  # its patient asked for erasure


Outcome = Dropped | list[Issue] | tuple[dict[str, Any], str] | None
"""Dropped, the row's issues, or (store row, patient pseudonym to check); None: unreadable row."""


def row_hash(row: dict[str, Any]) -> str:
    """Return the digest of a store row's values (tells a changed row from an unchanged one)."""
    return blake2b(
        orjson.dumps(tuple(row.values()), default=_hex_of_bytes), digest_size=16
    ).hexdigest()


def _hex_of_bytes(value: object) -> str:
    """JSON form of the one non-JSON value a store row holds: a linkage token (bytes)."""
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(type(value).__name__)


class RowPath:
    """Map → de-identify → validate → store row, for the rows of one file of one kind."""

    def __init__(
        self,
        kind: str,
        mapper: RowMapper,
        deid: Deidentifier,
        validator: RecordValidator,
        record_keys: RecordKeyer | None,
        erased: frozenset[str],
    ) -> None:
        self.kind = kind
        self.mapper = mapper
        self._deid = deid
        self._validator = validator
        self._record_keys = record_keys
        self._erased = erased
        self._reference = "id" if kind == "patient" else "patient_id"
        self._fused = fused_row_function(
            kind, mapper, deid, validator, record_keys, erased, _hex_of_bytes
        )
        if self._fused is None:
            self.outcome = self.general_outcome  # type: ignore[method-assign]

    def outcome(self, values: Any, line: int) -> Outcome:
        """Return what becomes of the row ``values`` read at ``line``.

        The fused row function (``app.ingest.fused_row``) makes the store row of a good row in one
        call; any other row goes through ``general_outcome``, which finds its issues.
        """
        fused = self._fused
        if fused is not None:
            done = fused(values)
            if done is not None:
                return done
        return self.general_outcome(values, line)

    def general_outcome(self, values: Any, line: int) -> Outcome:
        """``outcome`` step by step: map, de-identify, validate, store row (every row)."""
        kind = self.kind
        mapper = self.mapper
        mapped, issues = mapper.map(values, line)
        if mapped is None:
            return Dropped.SKIPPED if issues is None else issues
        record = self._deid.apply(kind, mapped)
        reference = record.get(self._reference)
        if self._erased and reference in self._erased:
            return Dropped.ERASED
        problems = self._validator.validate(kind, record)
        if problems:
            unreadable = bool(issues)
            issues = issues or []
            for name, rule in problems:
                # A field the mapping could not read is already reported; derived ones follow it.
                if name in mapped or not unreadable:
                    issues.append(Issue(rule, mapper.file, line, mapper.labels.get(name, name)))
        if issues:
            return issues
        store_row = to_store_row(kind, record)
        store_row["row_hash"] = row_hash(store_row)
        if self._record_keys is not None:
            # After the hash: keys derive from the id, so they never make a row look changed.
            self._record_keys.add_keys(kind, store_row)
        return store_row, str(reference)


def readable(row: SourceRow) -> bool:
    """True when the reader split the row without a problem (else only its issues count)."""
    return row.values is not None and not row.issues


def default_workers(cores: int | None = None) -> int:
    """Worker processes ``ketanet ingest`` uses: one per core beyond two, at most four.

    The command's own process (reading, settling, writing) and the database's writing keep about
    two cores busy, and handing rows to a worker and back costs CPU too: on a 2-core machine one
    or two workers ran 0.95-0.97x the speed of one process on SQLite and 0.59x on PostgreSQL
    (bench/README.md), so there are none on two cores or fewer, and none where the platform cannot
    fork. Beyond four the writer, not the row path, sets the pace.
    """
    cores = (os.cpu_count() or 1) if cores is None else cores
    return max(0, min(4, cores - 2)) if can_fork() else 0


def can_fork() -> bool:
    """True where worker processes can be forked (they inherit the row path instead of pickling it)."""
    return "fork" in multiprocessing.get_all_start_methods()


def _serve(row_path: RowPath, tasks: Connection, results: Connection) -> None:
    """A worker's loop: a chunk of ``(values, line)`` (None: unreadable) in, its outcomes out."""
    while (message := tasks.recv_bytes()) != _STOP:
        items: list[tuple[Any, int] | None] = pickle.loads(message)  # noqa: S301 - from the parent
        outcomes = [None if item is None else row_path.outcome(*item) for item in items]
        # Joined rows this worker used: the parent reports the unused ones once the file is done.
        used = [index.take_newly_used() for index, _key in row_path.mapper.joins]
        results.send_bytes(pickle.dumps((outcomes, used), protocol=pickle.HIGHEST_PROTOCOL))


_STOP = b"stop"


def parallel_outcomes(
    row_path: RowPath, rows: Iterator[SourceRow], *, workers: int
) -> Iterator[tuple[SourceRow, Outcome]]:
    """Yield ``(row, outcome)`` for ``rows`` in order, the outcomes computed by ``workers`` processes.

    Chunks go round-robin, one at a time per worker: the next chunk is sent to a worker right after
    its last result was read, so neither side ever waits on the other while holding data the other
    needs (no deadlock), and no helper thread is needed in this process.
    """
    context = multiprocessing.get_context("fork")
    pool = []
    try:
        for _ in range(workers):
            task_in, task_out = context.Pipe(duplex=False)
            result_in, result_out = context.Pipe(duplex=False)
            process = context.Process(
                target=_serve, args=(row_path, task_in, result_out), daemon=True
            )
            process.start()
            task_in.close()
            result_out.close()
            pool.append((process, task_out, result_in))
        chunks = _chunks(rows)
        in_flight: deque[tuple[int, list[SourceRow]]] = deque()
        for worker, (_process, tasks, _results) in enumerate(pool):
            if (chunk := next(chunks, None)) is None:
                break
            tasks.send_bytes(_task(chunk))
            in_flight.append((worker, chunk))
        while in_flight:
            worker, chunk = in_flight.popleft()
            _process, tasks, results = pool[worker]
            outcomes, used = pickle.loads(results.recv_bytes())  # noqa: S301 - from our worker
            for (index, _key), keys in zip(row_path.mapper.joins, used, strict=True):
                index.mark_used(keys)
            if (following := next(chunks, None)) is not None:
                tasks.send_bytes(_task(following))
                in_flight.append((worker, following))
            yield from zip(chunk, outcomes, strict=True)
    finally:
        for process, tasks, results in pool:
            with contextlib.suppress(OSError):
                tasks.send_bytes(_STOP)
            tasks.close()
            results.close()
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()


def _task(chunk: list[SourceRow]) -> bytes:
    items = [(row.values, row.line) if readable(row) else None for row in chunk]
    return pickle.dumps(items, protocol=pickle.HIGHEST_PROTOCOL)


def _chunks(rows: Iterable[SourceRow]) -> Iterator[list[SourceRow]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, CHUNK_ROWS)):
        yield chunk
