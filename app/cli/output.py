"""Shared CLI plumbing: turning domain errors into one-line reasons and exit codes."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import orjson
import typer
from rich.console import Console

from app.errors import Issue, KetanetError


def stderr_console() -> Console:
    """Return a console writing to standard error."""
    return Console(stderr=True, emoji=False, highlight=False)


@contextmanager
def exit_on_error() -> Iterator[None]:
    """Print a ``KetanetError`` as a one-line reason (plus its issues) and exit with its code."""
    try:
        yield
    except KetanetError as error:
        err = stderr_console()
        err.print(f"error: {error.message}", highlight=False, markup=False)
        for line in summarised_issues(error.issues, prefix="  "):
            err.print(line, highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(error.exit_code) from None


SHOWN_PER_KIND = 3
"""Issues shown per kind (same file, field and rule) before the rest are summarised."""


def summarised_issues(issues: list[Issue], *, prefix: str = "") -> list[str]:
    """Return issue lines: the first few of each kind (file, field, rule), then one summary line.

    A mapping that fails on a column fails on every row; hundreds of near-identical lines hide
    the one other problem. Every kind keeps its first lines (with their line numbers).
    """
    kinds: dict[tuple[str | None, str | None, str], list[Issue]] = {}
    for issue in issues:
        kinds.setdefault((issue.file, issue.field, issue.rule), []).append(issue)
    lines: list[str] = []
    for (file, field, rule), members in kinds.items():
        lines.extend(f"{prefix}{issue}" for issue in members[:SHOWN_PER_KIND])
        rest = members[SHOWN_PER_KIND:]
        if rest:
            where = ":".join(part for part in (file, field) if part)
            last = next((i.line for i in reversed(rest) if i.line is not None), None)
            upto = f", up to line {last}" if last is not None else ""
            lines.append(f"{prefix}{where}: … {len(rest)} more of the same ({rule}{upto})")
    if len(kinds) > 1 and len(issues) > len(kinds):
        lines.append(f"{prefix}{len(issues)} problem(s) of {len(kinds)} kind(s)")
    return lines


def print_json(document: object) -> None:
    """Write ``document`` as indented JSON to standard output."""
    sys.stdout.write(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode() + "\n")
