"""Command groups whose commands are imported only when they run (fast ``--help``, fast start).

A group made by ``lazy_group`` knows its commands by name, module and one-line help; listing them
(the group's help) imports nothing, running one imports only its module.
"""

from __future__ import annotations

import importlib
from difflib import get_close_matches
from typing import Any, NamedTuple

import typer
from typer import _click
from typer.core import TyperCommand, TyperGroup


class LazyCommand(NamedTuple):
    """Where a command lives (``module``, ``attribute``), whether it is a group, its help line."""

    module: str
    attribute: str
    group: bool
    help: str


def load_command(name: str, spec: LazyCommand) -> _click.Command:
    """Import a command's module and return its click command (a group for a sub-app)."""
    target: Any = getattr(importlib.import_module(spec.module), spec.attribute)
    if spec.group:
        command: _click.Command = typer.main.get_group(target)
    else:
        single = typer.Typer(pretty_exceptions_enable=False)
        single.command(name)(target)
        command = typer.main.get_command(single)
    command.name = name
    return command


def lazy_group(commands: dict[str, LazyCommand]) -> type[TyperGroup]:
    """Return a group class whose ``commands`` are imported only when they run."""

    class LazyGroup(TyperGroup):
        """Real commands only for the one that runs, help lines for the listing."""

        _resolving = False

        def list_commands(self, ctx: _click.Context) -> list[str]:
            """Return the registered commands, then the lazy ones in their order."""
            return [*super().list_commands(ctx), *commands]

        def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
            """Return the command to run (imported now), or a help-only stand-in for a listing."""
            found = super().get_command(ctx, cmd_name)
            spec = commands.get(cmd_name)
            if found is not None or spec is None:
                return found
            loaded: dict[str, _click.Command] = self.__dict__.setdefault("_loaded", {})
            if cmd_name in loaded:
                return loaded[cmd_name]
            if not self._resolving:
                return TyperCommand(cmd_name, help=spec.help, short_help=spec.help)
            loaded[cmd_name] = load_command(cmd_name, spec)
            return loaded[cmd_name]

        def resolve_command(
            self, ctx: _click.Context, args: list[str]
        ) -> tuple[str | None, _click.Command | None, list[str]]:
            """Resolve the command that runs (the only one imported)."""
            self._resolving = True
            try:
                return super().resolve_command(ctx, args)
            except _click.exceptions.UsageError as error:
                # Typer suggests among registered commands only; the lazy ones count too.
                matches = get_close_matches(args[0], self.list_commands(ctx)) if args else []
                if matches and "Did you mean" not in error.message:
                    names = ", ".join(repr(m) for m in matches)
                    error.message = f"{error.message.rstrip('.')}. Did you mean {names}?"
                raise
            finally:
                self._resolving = False

    return LazyGroup
