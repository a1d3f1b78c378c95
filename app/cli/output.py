"""Shared CLI plumbing: turning domain errors into one-line reasons and exit codes."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import orjson
import typer
from rich.console import Console

from app.errors import KetanetError


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
        for issue in error.issues[:200]:
            err.print(f"  {issue}", highlight=False, markup=False)
        if len(error.issues) > 200:
            err.print(f"  … and {len(error.issues) - 200} more", highlight=False, markup=False)
        raise typer.Exit(error.exit_code) from None


def print_json(document: object) -> None:
    """Write ``document`` as indented JSON to standard output."""
    sys.stdout.write(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode() + "\n")
