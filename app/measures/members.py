"""Count populations together with sums over their members: what cell keys are made of.

For disclosure control by cell keys the database returns, for every cell and every bucket
(``member_hash mod 32``), the number of members, the sum of their record keys and the sum of their
member hashes (``app.deid.record_keys``), in one ``UNION ALL`` like ``count_populations``: the
counts are the bucket counts summed, so counts and keys come from one statement. A member is a
row of an additive source, or a distinct patient of any other (``SELECT DISTINCT`` first, so a
patient with several rows in a cell adds its keys once). Set-based SQL only: nothing per record
reaches Python, at most 32 rows per cell.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Connection, String, cast, func, literal, null, select, union_all

from app.exchange.answer import Cell, PopulationResult
from app.measures.aggregate import PopulationSource, column_name, filtered, shared_cubes

BUCKETS = 32
CellAddress = tuple[str, str | None, str | None]
"""(population, stratifier or None for the total, stratum value or None)."""


@dataclass(frozen=True)
class BucketSums:
    """One cell's members in one bucket: how many, and the sums of their keys and hashes."""

    bucket: int
    members: int
    key_sum: int
    hash_sum: int


def count_with_members(
    connection: Connection, sources: Sequence[PopulationSource]
) -> tuple[list[PopulationResult], dict[CellAddress, list[BucketSums]]]:
    """Return each population's total and strata (zero strata omitted) and per-cell bucket sums."""
    branches = [branch for group in shared_cubes(sources) for branch in _group_branches(group)]
    sums: dict[CellAddress, list[BucketSums]] = defaultdict(list)
    if branches:
        for population, stratifier, value, bucket, members, keys, hashes in connection.execute(
            union_all(*branches)
        ):
            if bucket is None:
                raise ValueError(
                    f"population {population}: rows without record keys; the node assigns "
                    "them at start and every ingest does (app.ingest.record_keys)"
                )
            address = (population, stratifier, None if stratifier is None else str(value))
            sums[address].append(BucketSums(int(bucket), int(members), int(keys), int(hashes)))
    results = []
    for source in sources:
        total = sum(b.members for b in sums.get((source.population, None, None), []))
        strata: dict[str, dict[str, Cell]] = {key: {} for key in source.stratifiers}
        for (population, stratifier, value), buckets in sums.items():
            if population == source.population and stratifier is not None and value is not None:
                count = sum(b.members for b in buckets)
                if count:
                    strata[stratifier][value] = Cell(count)
        results.append(PopulationResult(source.population, Cell(total), strata))
    return results, dict(sums)


def _group_branches(group: list[PopulationSource]) -> list[Any]:
    """Return the branches of a group of ``shared_cubes``: one cube for several populations."""
    if len(group) == 1:
        return _branches(group[0])
    first = group[0]
    key_column, hash_column = first.keys
    columns = [first.source.c[column_name(key)] for key in first.stratifiers]
    record_key = first.source.c[key_column]
    member_hash = first.source.c[hash_column]
    bucket = (member_hash % BUCKETS).label("bucket")
    cube = (
        select(
            *columns,
            bucket,
            *(
                aggregate
                for i, spec in enumerate(group)
                for aggregate in (
                    filtered(func.count(), spec).label(f"member_count_{i}"),
                    filtered(func.sum(record_key), spec).label(f"key_sum_{i}"),
                    filtered(func.sum(member_hash), spec).label(f"hash_sum_{i}"),
                )
            ),
        )
        .select_from(first.source)
        .group_by(*columns, bucket)
        .cte(f"members_{column_name(first.population)}")
    )
    branches = []
    for i, spec in enumerate(group):
        label = literal(spec.population, String).label("population")
        no_key = cast(null(), String)
        sums = (cube.c[f"member_count_{i}"], cube.c[f"key_sum_{i}"], cube.c[f"hash_sum_{i}"])
        branches += [
            _summed(cube, label, no_key, None, None, sums),
            *(
                _summed(cube, label, no_key, cube.c[column_name(k)], k, sums)
                for k in spec.stratifiers
            ),
        ]
    return branches


def _branches(spec: PopulationSource) -> list[Any]:
    label = literal(spec.population, String).label("population")
    no_key = cast(null(), String)
    key_column, hash_column = spec.keys
    columns = [spec.source.c[column_name(key)] for key in spec.stratifiers]
    where = [] if spec.where is None else [spec.where]
    record_key = spec.source.c[key_column]
    member_hash = spec.source.c[hash_column]
    if spec.additive:
        # One scan: group the units by every stratum column and bucket at once, then re-sum.
        bucket = (member_hash % BUCKETS).label("bucket")
        cube = (
            select(
                *columns,
                bucket,
                func.count().label("member_count"),
                func.sum(record_key).label("key_sum"),
                func.sum(member_hash).label("hash_sum"),
            )
            .select_from(spec.source)
            .where(*where)
            .group_by(*columns, bucket)
            .cte(f"members_{column_name(spec.population)}")
        )
        return [
            _summed(cube, label, no_key, None, None),
            *(_summed(cube, label, no_key, cube.c[column_name(k)], k) for k in spec.stratifiers),
        ]
    branches = []
    for stratum, name in [(None, None), *zip(columns, spec.stratifiers, strict=True)]:
        picked = [spec.source.c.patient_id, *([] if stratum is None else [stratum])]
        # One row per patient (and stratum) before summing, as COUNT(DISTINCT patient_id) counts.
        units = (
            select(*picked, record_key.label("record_key"), member_hash.label("member_hash"))
            .select_from(spec.source)
            .where(*where)
            .distinct()
            .subquery()
        )
        bucket = (units.c.member_hash % BUCKETS).label("bucket")
        value = no_key if stratum is None else cast(units.c[stratum.name], String)
        branches.append(
            select(
                label,
                no_key.label("stratifier") if name is None else literal(name, String),
                value.label("value"),
                bucket,
                func.count().label("member_count"),
                cast(func.coalesce(func.sum(units.c.record_key), 0), BigInteger),
                cast(func.coalesce(func.sum(units.c.member_hash), 0), BigInteger),
            ).group_by(*([] if stratum is None else [units.c[stratum.name]]), bucket)
        )
    return branches


def _summed(
    cube: Any,
    label: Any,
    no_key: Any,
    column: Any | None,
    name: str | None,
    shared: tuple[Any, Any, Any] | None = None,
) -> Any:
    """Return one branch re-summing the cube over a stratifier (or over all, for the total).

    ``shared``: the population's count and sum columns in a cube of several populations, whose
    rows include cells and buckets without its members (left out: a cube of its own has none).
    """
    count, keys, hashes = shared or (cube.c.member_count, cube.c.key_sum, cube.c.hash_sum)
    value = no_key if column is None else cast(column, String)
    branch = select(
        label,
        no_key.label("stratifier") if name is None else literal(name, String),
        value.label("value"),
        cube.c.bucket,
        cast(func.sum(count), BigInteger),
        cast(func.coalesce(func.sum(keys), 0), BigInteger),
        cast(func.coalesce(func.sum(hashes), 0), BigInteger),
    ).group_by(*([] if column is None else [column]), cube.c.bucket)
    return branch if shared is None else branch.having(func.sum(count) > 0)
