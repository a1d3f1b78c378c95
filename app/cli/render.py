"""Human output of a query document (its JSON form): rich tables, countries as rows, ALL last."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

STATUS_STYLE = {
    "ok": "green",
    "refused": "yellow",
    "timeout": "red",
    "unreachable": "red",
    "bad-signature": "red",
    "invalid-report": "red",
}


def format_count(row: dict[str, Any]) -> str:
    """Return a count cell as text: exact, ``≈`` rounded, ``~`` noised, ``[lo–hi]`` masked/bounded."""
    status = row["status"]
    if status == "exact":
        return f"{row['count']:,}"
    if status == "rounded":
        return f"≈{row['count']:,}"
    if status == "noised":
        return f"~{row['count']:,}"
    return f"[{row['lower']:,}–{row['upper']:,}]"


def format_estimate(value: float) -> str:
    """Return a proportion with three decimals and a rate with one."""
    return f"{value:.3f}" if abs(value) < 10 else f"{value:,.1f}"


def _country_order(document: dict[str, Any]) -> list[str]:
    countries = [node["country"] for node in document.get("nodes", []) if node["status"] == "ok"]
    return [*dict.fromkeys(countries), "ALL"]


def _table(title: str, rows: list[dict[str, Any]], column_key: str, countries: list[str]) -> Table:
    columns = list(dict.fromkeys(str(row[column_key]) for row in rows))
    table = Table(title=title, title_justify="left")
    table.add_column("country", style="bold")
    for column in columns:
        table.add_column(column, justify="right")
    cells = {(row["country"], str(row[column_key])): format_count(row) for row in rows}
    for country in countries:
        style = "bold cyan" if country == "ALL" else None
        table.add_row(country, *(cells.get((country, c), "0") for c in columns), style=style)
    return table


def _statistics_table(document: dict[str, Any]) -> Table | None:
    stats = [s for s in document.get("statistics", []) if s.get("stratifier") is None]
    if not stats:
        return None
    table = Table(title="statistics (95% intervals)", title_justify="left")
    for column in ("country", "statistic", "estimate", "interval", "method / note"):
        table.add_column(column, justify="right" if column in {"estimate", "interval"} else "left")
    for stat in stats:
        estimate = stat.get("estimate")
        if estimate is None:
            low, high = stat.get("lower_bound"), stat.get("upper_bound")
            shown = f"[{low:.3g}–{high:.3g}]" if low is not None and high is not None else "—"
            interval = "—"
        else:
            shown = format_estimate(estimate)
            interval = f"{format_estimate(stat['ci_low'])}–{format_estimate(stat['ci_high'])}"
        note = stat.get("method", "")
        if stat.get("note"):
            note = f"{note}; {stat['note']}"
        if stat.get("i2") is not None:
            note = f"{note}; τ²={stat['tau2']:.3g}, I²={stat['i2']:.2f}"
        table.add_row(stat["country"], stat["statistic"], shown, interval, note)
    return table


def render_document(document: dict[str, Any], console: Console) -> None:
    """Print a query document: totals, one table per stratifier, statistics, node status."""
    countries = _country_order(document)
    rows = document.get("rows", [])
    period = document["period"]
    console.print(
        f"[bold]{document['measure']}[/bold] {period['start']}..{period['end']}  "
        f"filters={document.get('filters') or {}}  parameters={document.get('parameters') or {}}"
    )
    totals = [
        row
        for row in rows
        if row["stratifier"] is None and row["population"] != "distinct-patients"
    ]
    if totals:
        console.print(_table("totals", totals, "population", countries))
    for stratifier in document.get("stratify", []):
        for population in dict.fromkeys(
            r["population"] for r in rows if r["stratifier"] == stratifier
        ):
            strata = [
                r for r in rows if r["stratifier"] == stratifier and r["population"] == population
            ]
            console.print(_table(f"{population} by {stratifier}", strata, "stratum", countries))
    pairs = [r for r in rows if r["population"] == "overlap" and r["stratifier"] == "pair"]
    if pairs:
        table = Table(
            title="cross-border overlap: patients treated in both countries", title_justify="left"
        )
        table.add_column("pair", style="bold")
        table.add_column("patients", justify="right")
        for row in pairs:
            table.add_row(row["stratum"], format_count(row))
        for row in rows:
            if row["population"] == "distinct-patients":
                table.add_row("distinct patients (ALL)", format_count(row), style="bold cyan")
        console.print(table)
    stats = _statistics_table(document)
    if stats is not None:
        console.print(stats)
    status = Table(title="nodes", title_justify="left")
    for column in ("node", "country", "status", "detail", "data as of"):
        status.add_column(column)
    for node in document.get("nodes", []):
        style = STATUS_STYLE.get(node["status"], "")
        status.add_row(
            node["id"],
            node["country"],
            f"[{style}]{node['status']}[/{style}]",
            node.get("detail") or "",
            node.get("data_as_of") or "",
        )
    console.print(status)
    console.print(
        "[dim]≈ rounded, ~ noised, \\[lo–hi] masked or bounded (docs/disclosure.md)[/dim]"
    )
    for caveat in document.get("caveats", []):
        console.print(f"[dim]note: {caveat}[/dim]")
