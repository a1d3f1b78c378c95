"""Scaling curves (issue #16): node query time, hub fan-out and ingest as the data or network grows.

One command::

    .venv/bin/python bench/bench_scaling.py [--postgres postgresql://postgres@127.0.0.1:5432]
        [--sizes 10000,100000,1000000,5000000] [--parts measures,hub,ingest] [--markdown]

It reuses the other benches and prints three tables:

1. **measures**: for each size (administrations) a store is built directly (``bench_measures``:
   rows generated, inserted with ``executemany`` / ``COPY``) in a fresh child process, on SQLite
   and, with ``--postgres``, on a PostgreSQL database this script creates and drops; the bare
   aggregate (with the pipeline's own hints) and the node's pipeline for a few measures
   (``evaluate_measure`` → disclosure → MeasureReport → JSON) are timed, one warm-up and then
   ``--repeat`` interleaved runs, and the median printed with the growth per decade,
   ``(t(N2) / t(N1)) ** (1 / log10(N2 / N1))`` between neighbouring sizes (``time(10N)/time(N)``
   for sizes a decade apart): ≤ ~10× per decade is linear or better;
2. **hub**: ``bench_hub.py --json`` (fan-out to 1, 5, 10, 20, 50 delayed signing nodes);
3. **ingest**: ``bench_ingest``'s export and fresh-process ``ingest_export`` into SQLite at each
   ``--ingest-sizes`` (default 100,000 and 1,000,000 administrations), records/s per run.

Figures are printed, never asserted; run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

DEFAULT_MEASURES = "treated-patients,adverse-events,efficacy"
BARE_NAME = "bare aggregate"


def progress(message: str) -> None:
    """Progress goes to stderr, so stdout holds only the tables."""
    print(message, file=sys.stderr, flush=True)


def short(size: int) -> str:
    """10000 -> 10k, 1000000 -> 1M."""
    for unit, suffix in ((1_000_000, "M"), (1_000, "k")):
        if size >= unit and size % unit == 0:
            return f"{size // unit}{suffix}"
    return f"{size:,}"


def per_decade(n1: float, t1: float | None, n2: float, t2: float | None) -> float | None:
    """Growth of ``t`` per tenfold ``n`` between two points (``t2 / t1`` when ``n2 = 10 n1``)."""
    if not t1 or not t2 or n2 <= n1:
        return None
    return float((t2 / t1) ** (1 / math.log10(n2 / n1)))


# --- 1. measures ---------------------------------------------------------------------------


def timed_runs(runs: dict[str, Callable[[], object]], repeat: int) -> dict[str, dict[str, Any]]:
    """Time each run once to warm up, then ``repeat`` rounds interleaved (load hits all alike).

    A run that goes over the query time-out (``Unavailable``) is marked and not repeated.
    """
    from app.errors import Unavailable

    times: dict[str, list[float]] = {name: [] for name in runs}
    timed_out: set[str] = set()
    for round_ in range(repeat + 1):
        for name, run in runs.items():
            if name in timed_out:
                continue
            started = time.perf_counter()
            try:
                run()
            except Unavailable:
                timed_out.add(name)
                continue
            if round_:  # round 0 is the warm-up
                times[name].append(time.perf_counter() - started)
    return {
        name: {
            "timed_out": name in timed_out,
            "runs_ms": [t * 1000 for t in values],
            "median_ms": statistics.median(values) * 1000 if values else None,
            "min_ms": min(values) * 1000 if values else None,
            "max_ms": max(values) * 1000 if values else None,
        }
        for name, values in times.items()
    }


def measure_runs(engine: Any, measures: list[str]) -> dict[str, Callable[[], object]]:
    """The bare aggregate and, per measure id, the first benchmarked query without filters."""
    import bench_measures as bm

    runs: dict[str, Callable[[], object]] = {
        BARE_NAME: bm.bare_aggregate(engine, bm.QUERY_TIMEOUT_S[0])
    }
    for measure in measures:
        query = next(
            (q for q in bm.QUERIES if q.measure == measure and not q.filters),
            None,
        )
        if query is None:
            raise SystemExit(f"no benchmarked query for measure {measure!r} in bench_measures")
        name = f"{measure} by {'+'.join(query.stratify)}"
        runs[name] = lambda q=query: bm.pipeline(engine, q)  # type: ignore[misc]
    return runs


def child_measures(args: argparse.Namespace) -> None:
    """Build the stores for one size, time the runs, print one JSON line (child mode)."""
    import bench_measures as bm

    from app.store import create_store_engine, upgrade_schema

    bm.QUERY_TIMEOUT_S[0] = args.query_timeout_s
    measures = [m for m in args.measures.split(",") if m]
    started = time.perf_counter()
    rows = bm.generate(args.child_measures)
    administrations = len(rows["administration"])
    progress(
        f"  generated {administrations:,} administrations in {time.perf_counter() - started:.1f} s"
    )
    results: list[dict[str, Any]] = []

    def one(engine: Any, backend: str) -> None:
        upgrade_schema(engine)
        started = time.perf_counter()
        bm.load(engine, rows)
        load_s = time.perf_counter() - started
        progress(f"  {backend}: loaded in {load_s:.1f} s, timing")
        timings = timed_runs(measure_runs(engine, measures), args.repeat)
        engine.dispose()
        results.append({"backend": backend, "load_s": load_s, "timings": timings})

    with tempfile.TemporaryDirectory(dir=args.workdir) as folder:
        if not args.no_sqlite:
            one(create_store_engine(f"sqlite:///{folder}/bench.db"), "SQLite")
    if args.postgres:
        for url in bm.postgres_database(args.postgres.rstrip("/")):
            one(create_store_engine(url), "PostgreSQL")
    print(json.dumps({"administrations": administrations, "results": results}))


def run_measures(args: argparse.Namespace, sizes: list[int]) -> list[dict[str, Any]]:
    """Run one child per size (its memory, caches and store its own); return their results."""
    points = []
    for size in sizes:
        progress(f"measures: {size:,} administrations")
        command = [
            sys.executable,
            __file__,
            "--child-measures",
            str(size),
            "--measures",
            args.measures,
            "--repeat",
            str(args.repeat),
            "--query-timeout-s",
            str(args.query_timeout_s),
        ]
        if args.postgres:
            command += ["--postgres", args.postgres]
        if args.no_sqlite:
            command.append("--no-sqlite")
        if args.workdir:
            command += ["--workdir", str(args.workdir)]
        output = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
        point = json.loads(output.strip().splitlines()[-1])
        point["size"] = size
        points.append(point)
    return points


# --- 2. hub --------------------------------------------------------------------------------


def run_hub(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Run ``bench_hub.py --json`` and return its rows."""
    progress(f"hub: fan-out to {args.nodes} nodes, {args.hub_repeats} repeats")
    command = [
        sys.executable,
        str(HERE / "bench_hub.py"),
        "--json",
        "--repeats",
        str(args.hub_repeats),
        "--sizes",
        args.nodes,
        "--delay-ms",
        str(args.delay_ms),
    ]
    output = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
    rows: list[dict[str, Any]] = json.loads(output[output.index("[") :])
    return rows


# --- 3. ingest -----------------------------------------------------------------------------


def run_ingest(args: argparse.Namespace, sizes: list[int]) -> list[dict[str, Any]]:
    """Ingest ``bench_ingest``'s export at each size, ``--repeat`` times, each in a fresh process."""
    import bench_ingest as bi

    points = []
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        work = Path(tmp)
        for size in sizes:
            export = work / f"export-{size}"
            records = bi.write_export(export, administrations=size)
            progress(f"ingest: {size:,} administrations ({records:,} records)")
            runs = []
            for number in range(args.repeat):
                database = work / f"ingest-{size}-{number}.db"
                runs.append(bi.run_child("--child", "ingest", str(export), str(database)))
                database.unlink(missing_ok=True)
                for extra in ("-wal", "-shm"):
                    Path(f"{database}{extra}").unlink(missing_ok=True)
            rates = [run["records"] / run["seconds"] for run in runs]
            seconds = [run["seconds"] for run in runs]
            points.append(
                {
                    "size": size,
                    "records": runs[0]["records"],
                    "seconds": seconds,
                    "records_per_s": rates,
                    "median_s": statistics.median(seconds),
                    "peak_mib": max(run["peak_mib"] for run in runs),
                }
            )
    return points


# --- output --------------------------------------------------------------------------------


def table(headers: list[str], rows: list[list[str]], markdown: bool) -> str:
    """Render ``rows`` as a markdown or a plain aligned table (first column left-aligned)."""
    if markdown:
        lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
            for i, cell in enumerate(cells)
        )

    return "\n".join([line(headers), *(line(row) for row in rows)])


def ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}"


def factor(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}×"


def print_measures(points: list[dict[str, Any]], args: argparse.Namespace) -> None:
    backends = [r["backend"] for r in points[0]["results"]] if points else []
    for backend in backends:
        per_size = [
            (p["administrations"], next(r for r in p["results"] if r["backend"] == backend))
            for p in points
        ]
        labels = [short(p["size"]) for p in points]
        steps = list(zip(range(len(points) - 1), range(1, len(points)), strict=True))
        headers = [
            "query",
            *(f"{label} ms" for label in labels),
            *(f"{labels[i]}→{labels[j]} /decade" for i, j in steps),
        ]
        rows = []
        for name in per_size[0][1]["timings"]:
            cells = [r["timings"][name] for _, r in per_size]
            rows.append(
                [
                    name,
                    *("timeout" if cell["timed_out"] else ms(cell["median_ms"]) for cell in cells),
                    *(
                        factor(
                            per_decade(
                                per_size[i][0],
                                cells[i]["median_ms"],
                                per_size[j][0],
                                cells[j]["median_ms"],
                            )
                        )
                        for i, j in steps
                    ),
                ]
            )
        rows.append(
            [
                "(store load, s)",
                *(f"{r['load_s']:.1f}" for _, r in per_size),
                *("" for _ in steps),
            ]
        )
        print(
            f"\n{backend}: node query time, median of {args.repeat} after one warm-up (ms); "
            f"growth per decade of administrations (≤ ~10× is linear or better)"
        )
        print(table(headers, rows, args.markdown))
        spread = "; ".join(
            f"{short(p['size'])} {min_max(r)}" for p, (_, r) in zip(points, per_size, strict=True)
        )
        print(f"largest min–max spread over all queries: {spread}")


def min_max(result: dict[str, Any]) -> str:
    """The widest max/min ratio among one backend's queries at one size, as ±%."""
    spreads = [
        cell["max_ms"] / cell["min_ms"] - 1 for cell in result["timings"].values() if cell["min_ms"]
    ]
    return f"+{max(spreads) * 100:.0f}%" if spreads else "—"


def print_hub(rows: list[dict[str, Any]], args: argparse.Namespace) -> None:
    headers = [
        "nodes",
        "median ms",
        "p90 ms",
        "over slowest ms",
        "per extra node ms",
        "× one node",
        "hub CPU ms",
    ]
    body = [
        [
            str(row["nodes"]),
            ms(row["median_ms"]),
            ms(row["p90_ms"]),
            ms(row["over_slowest_ms"]),
            f"{row['per_extra_node_ms']:.2f}",
            f"{row['ratio_to_one_node']:.2f}",
            ms(row["hub_cpu_ms"]),
        ]
        for row in rows
    ]
    print(
        f"\nhub fan-out: nodes answer after {args.delay_ms:g} ms, median of {args.hub_repeats} "
        "(bench_hub.py, full run_query path)"
    )
    print(table(headers, body, args.markdown))


def print_ingest(points: list[dict[str, Any]], args: argparse.Namespace) -> None:
    headers = [
        "administrations",
        "records",
        "median s",
        "records/s (median)",
        "records/s (min–max)",
        "peak RSS MiB",
        "time /decade",
    ]
    body = []
    for index, point in enumerate(points):
        previous = points[index - 1] if index else None
        growth = (
            per_decade(
                previous["records"], previous["median_s"], point["records"], point["median_s"]
            )
            if previous
            else None
        )
        rates = point["records_per_s"]
        body.append(
            [
                f"{point['size']:,}",
                f"{point['records']:,}",
                f"{point['median_s']:.2f}",
                f"{statistics.median(rates):,.0f}",
                f"{min(rates):,.0f}–{max(rates):,.0f}",
                f"{point['peak_mib']:.0f}",
                factor(growth),
            ]
        )
    print(
        f"\ningest into SQLite (bench_ingest export and child ingest), {args.repeat} runs per size, "
        "each in a fresh process"
    )
    print(table(headers, body, args.markdown))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="server URL, e.g. postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--sizes", default="10000,100000,1000000,5000000")
    parser.add_argument("--parts", default="measures,hub,ingest")
    parser.add_argument("--measures", default=DEFAULT_MEASURES, help="measure ids to time")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per point")
    parser.add_argument(
        "--query-timeout-s", type=float, default=20.0, help="per query (the node's default 20 s)"
    )
    parser.add_argument("--no-sqlite", action="store_true", help="measures on PostgreSQL only")
    parser.add_argument("--nodes", default="1,5,10,20,50", help="hub network sizes")
    parser.add_argument("--hub-repeats", type=int, default=15)
    parser.add_argument("--delay-ms", type=float, default=100)
    parser.add_argument("--ingest-sizes", default="100000,1000000")
    parser.add_argument("--markdown", action="store_true", help="print markdown tables")
    parser.add_argument("--json-out", type=Path, help="also write every figure here as JSON")
    parser.add_argument("--workdir", type=Path, help="folder for temporary stores and exports")
    parser.add_argument("--child-measures", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_measures:
        child_measures(args)
        return
    parts = set(args.parts.split(","))
    unknown = parts - {"measures", "hub", "ingest"}
    if unknown:
        parser.error(f"unknown part(s): {', '.join(sorted(unknown))}")
    started = time.perf_counter()
    figures: dict[str, Any] = {}
    if "measures" in parts:
        sizes = sorted(int(s) for s in args.sizes.split(","))
        figures["measures"] = run_measures(args, sizes)
        print_measures(figures["measures"], args)
    if "hub" in parts:
        figures["hub"] = run_hub(args)
        print_hub(figures["hub"], args)
    if "ingest" in parts:
        sizes = sorted(int(s) for s in args.ingest_sizes.split(","))
        figures["ingest"] = run_ingest(args, sizes)
        print_ingest(figures["ingest"], args)
    if args.json_out:
        args.json_out.write_text(json.dumps(figures, indent=2))
    progress(f"done in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
