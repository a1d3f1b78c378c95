"""Human output of a query document (its JSON form): tables that fit the terminal, ALL last.

Count tables have a row per stratum (full labels, wrapped) and a column per country; when the
countries do not fit the width they become rows too (long format: stratum, country, count).
Disclosure statuses are short markers explained by one legend; the node table and the notes are
printed once per run (``render_run_footer``), not after every measure.
"""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

STATUS_STYLE = {
    "ok": "green",
    "pending": "cyan",
    "refused": "yellow",
    "denied": "yellow",
    "timeout": "red",
    "unreachable": "red",
    "bad-signature": "red",
    "invalid-report": "red",
}

LEGEND = (
    "Counts: 120 exact; ±120 cell-key perturbed (within a few of the truth); ≈120 rounded; "
    "~120 noised. Withheld or inexact counts show the interval holding the true count: "
    "[1–10]s small cell (fewer than min_cell patients), [0–40]c complementary (withheld so "
    "that a small cell cannot be recovered by subtraction), [80–95]b a pooled sum with "
    "withheld or inexact parts. A statistic from perturbed counts is an unbiased estimate; one "
    "with withheld inputs shows only the range it lies in (docs/disclosure.md)."
)
"""The one legend of the count markers (printed once per run)."""
PERTURBED_NOTE = "estimate from perturbed counts"
"""How a statistic's note starts when its inputs were perturbed only (the ``±`` marker says it)."""


def format_parameters(values: dict[str, Any]) -> str:
    """Return parameters or filters as ``instrument=MADRS, timepoint=day28`` (lists joined by ``,``)."""
    shown = []
    for key, value in values.items():
        if isinstance(value, list | tuple):
            value = ",".join(str(v) for v in value)
        elif isinstance(value, float):
            value = f"{value:g}"
        shown.append(f"{key}={value}")
    return ", ".join(shown)


def _masked_marker(row: dict[str, Any], policy: dict[str, Any] | None) -> str:
    """Return ``s`` (small cell) or ``c`` (complementary) for a masked cell, ``b`` for a sum.

    The document carries the interval, not the reason; the interval tells them apart: a small
    cell's interval starts at 1 (at 0 only with ``mask_zero``, ending at the small-cell bound),
    a complementary one starts at 0 and reaches up to what the shown strata leave.
    """
    if row["status"] == "bounded":
        return "b"
    if row["lower"] >= 1:
        return "s"
    if policy and policy.get("mask_zero"):
        small_upper = policy["min_cell"] - 1 + policy.get("ckm_max", 0)
        if row["upper"] <= small_upper:
            return "s"
    return "c"


def format_count(row: dict[str, Any], policy: dict[str, Any] | None = None) -> str:
    """Return a count cell as text with its marker (see ``LEGEND``)."""
    status = row["status"]
    if status == "exact":
        return f"{row['count']:,}"
    if status == "rounded":
        return f"≈{row['count']:,}"
    if status == "noised":
        return f"~{row['count']:,}"
    if status == "perturbed" and row.get("count") is not None:
        return f"±{row['count']:,}"
    return f"[{row['lower']:,}–{row['upper']:,}]{_masked_marker(row, policy)}"


def format_estimate(value: float) -> str:
    """Return a proportion with three decimals and a rate with one."""
    return f"{value:.3f}" if abs(value) < 10 else f"{value:,.1f}"


def _country_order(document: dict[str, Any]) -> list[str]:
    countries = [node["country"] for node in document.get("nodes", []) if node["status"] == "ok"]
    return [*dict.fromkeys(countries), "ALL"]


def _policies(document: dict[str, Any]) -> dict[str, dict[str, Any] | None]:
    return {node["country"]: node.get("policy") for node in document.get("nodes", [])}


def _wide_table(
    title: str, labels: list[str], cells: dict[tuple[str, str], str], countries: list[str]
) -> Table:
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("", overflow="fold", ratio=1, min_width=12)
    for country in countries:
        table.add_column(
            country, justify="right", no_wrap=True, style="bold cyan" if country == "ALL" else None
        )
    for label in labels:
        table.add_row(label, *(cells.get((country, label), "0") for country in countries))
    return table


def _long_table(
    title: str, labels: list[str], cells: dict[tuple[str, str], str], countries: list[str]
) -> Table:
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("", overflow="fold", ratio=1)
    table.add_column("country")
    table.add_column("count", justify="right", no_wrap=True)
    for label in labels:
        for country in countries:
            style = "bold cyan" if country == "ALL" else None
            table.add_row(label, country, cells.get((country, label), "0"), style=style)
    return table


def _count_table(
    console: Console,
    title: str,
    rows: list[dict[str, Any]],
    label_key: str,
    document: dict[str, Any],
) -> Table:
    """Return a table with a row per label (stratum or population) and a column per country."""
    countries = _country_order(document)
    policies = _policies(document)
    labels = list(dict.fromkeys(str(row[label_key]) for row in rows))
    cells = {
        (row["country"], str(row[label_key])): format_count(row, policies.get(row["country"]))
        for row in rows
    }
    wide = _wide_table(title, labels, cells, countries)
    widest = max((len(cell) for cell in cells.values()), default=1)
    needed = 12 + len(countries) * (max(widest, 3) + 2)
    if needed <= console.width:
        return wide
    return _long_table(title, labels, cells, countries)


def _explanations(document: dict[str, Any]) -> list[str]:
    """Return one line per statistic saying what it counts (numerator over denominator)."""
    lines: dict[str, str] = {}
    for stat in document.get("statistics", []):
        name = stat["statistic"]
        if name in lines or not stat.get("numerator") or not stat.get("denominator"):
            continue
        text = f"{name} = {stat['numerator']} / {stat['denominator']}"
        if "per-100" in name or "per-1000" in name:
            scale = "1000" if "per-1000" in name else "100"
            text = f"{name} = {stat['numerator']} per {scale} {stat['denominator']}"
            if stat.get("method") == "garwood":
                text += (
                    " (a Poisson rate with a Garwood interval: one patient can count several "
                    f"times, so it may exceed {scale} when events are frequent)"
                )
        elif stat.get("method") == "wilson":
            text += " (a proportion with a Wilson interval)"
        lines[name] = text
    return list(lines.values())


def _bound_text(stat: dict[str, Any]) -> str:
    low, high = stat.get("lower_bound"), stat.get("upper_bound")
    return f"[{low:.3g}–{high:.3g}]" if low is not None and high is not None else "—"


def _statistics_table(document: dict[str, Any]) -> tuple[Table, list[str]] | None:
    """Return the overall statistics table and its notes (those the legend does not cover)."""
    stats = [s for s in document.get("statistics", []) if s.get("stratifier") is None]
    if not stats:
        return None
    table = Table(
        title="statistics (95% intervals)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("country", no_wrap=True)
    table.add_column("statistic", overflow="fold")
    table.add_column("estimate", justify="right", no_wrap=True)
    table.add_column("interval", justify="right", no_wrap=True)
    table.add_column("method", overflow="fold")
    notes: list[str] = []
    for stat in stats:
        estimate = stat.get("estimate")
        if estimate is None:
            shown, interval = _bound_text(stat), "—"
        else:
            shown = format_estimate(estimate)
            interval = f"{format_estimate(stat['ci_low'])}–{format_estimate(stat['ci_high'])}"
        method = stat.get("method", "")
        if stat.get("i2") is not None:
            method = f"{method}; τ²={stat['tau2']:.3g}, I²={stat['i2']:.2f}"
        note = stat.get("note") or ""
        if note and not note.startswith(PERTURBED_NOTE):
            notes.append(f"{stat['country']} {stat['statistic']}: {note}")
        style = "bold cyan" if stat["country"] == "ALL" else None
        table.add_row(stat["country"], stat["statistic"], shown, interval, method, style=style)
    return table, notes


def render_heading(document: dict[str, Any], console: Console) -> None:
    """Print the measure, its period, and its parameters and filters as ``key=value`` lists."""
    period = document["period"]
    console.print(f"[bold]{document['measure']}[/bold]  {period['start']}..{period['end']}")
    if document.get("parameters"):
        console.print(f"  parameters: {format_parameters(document['parameters'])}", markup=False)
    if document.get("filters"):
        console.print(f"  filters: {format_parameters(document['filters'])}", markup=False)


def render_measure(document: dict[str, Any], console: Console) -> None:
    """Print a query document's heading, count tables and statistics (no node table, no notes)."""
    render_heading(document, console)
    rows = document.get("rows", [])
    totals = [
        row
        for row in rows
        if row["stratifier"] is None and row["population"] != "distinct-patients"
    ]
    if totals:
        console.print(_count_table(console, "totals", totals, "population", document))
    for stratifier in document.get("stratify", []):
        for population in dict.fromkeys(
            r["population"] for r in rows if r["stratifier"] == stratifier
        ):
            strata = [
                r for r in rows if r["stratifier"] == stratifier and r["population"] == population
            ]
            title = f"{population} by {stratifier}"
            console.print(_count_table(console, title, strata, "stratum", document))
    pairs = [r for r in rows if r["population"] == "overlap" and r["stratifier"] == "pair"]
    if pairs:
        policies = _policies(document)
        table = Table(
            title="cross-border overlap: patients treated in both countries",
            title_justify="left",
            box=box.SIMPLE_HEAD,
            pad_edge=False,
        )
        table.add_column("pair", style="bold")
        table.add_column("patients", justify="right")
        for row in pairs:
            table.add_row(row["stratum"], format_count(row, policies.get(row["country"])))
        for row in rows:
            if row["population"] == "distinct-patients":
                table.add_row("distinct patients (ALL)", format_count(row), style="bold cyan")
        console.print(table)
    stats = _statistics_table(document)
    if stats is not None:
        table, notes = stats
        console.print(table)
        for line in [*_explanations(document), *notes]:
            console.print(f"  {line}", style="dim", markup=False)


def nodes_table(document: dict[str, Any]) -> Table:
    """Return the node status table of a document."""
    status = Table(title="nodes", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    status.add_column("node", no_wrap=True)
    status.add_column("country", no_wrap=True)
    status.add_column("status", no_wrap=True)
    status.add_column("detail", overflow="fold", ratio=1)
    status.add_column("data as of", overflow="fold")
    for node in document.get("nodes", []):
        style = STATUS_STYLE.get(node["status"], "white")
        status.add_row(
            node["id"],
            node["country"],
            f"[{style}]{node['status']}[/{style}]",
            node.get("detail") or "",
            node.get("data_as_of") or "",
        )
    return status


def render_footer(documents: list[dict[str, Any]], console: Console) -> None:
    """Print the node table (of the last document), the legend and each distinct note once."""
    if documents:
        console.print(nodes_table(documents[-1]))
    console.print(LEGEND, style="dim", markup=False)
    notes = dict.fromkeys(
        caveat for document in documents for caveat in document.get("caveats", [])
    )
    for note in notes:
        console.print(f"note: {note}", style="dim", markup=False)


def render_document(document: dict[str, Any], console: Console) -> None:
    """Print a query document: heading, tables, statistics, node status, legend and notes."""
    render_measure(document, console)
    render_footer([document], console)
