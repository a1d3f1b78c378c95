"""``ketanet node pull`` and ``ketanet node serve`` in pull mode: answer the hub's tasks, no socket."""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from app.cli.output import exit_on_error
from app.errors import ConfigError

if TYPE_CHECKING:  # the node's application and settings load when a command runs
    from app.config import NodeSettings

ConfigOption = Annotated[Path, typer.Option("--config", help="node.toml")]


def serve_pull(settings: NodeSettings) -> None:
    """Long-poll the hub and answer each task until interrupted; opens no listening socket."""
    from app.node.app import node_app_for
    from app.node.context import build_node_context
    from app.node.pull import PullWorker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not every long-poll
    link = settings.hub
    if link is None:
        raise ConfigError("hub: node.toml has no [hub] table (url of the hub)")
    context = build_node_context(settings)
    typer.echo(
        f"node {settings.node.id}: pull mode, fetching tasks from {link.url} "
        f"(long-poll {link.poll_wait_s:g} s); no listening socket. Ctrl-C stops."
    )

    async def run() -> None:
        async with PullWorker(context, node_app_for(context)) as worker:
            await worker.run_forever()

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        typer.echo("stopping")
    finally:
        context.engine.dispose()


def node_pull(
    config: ConfigOption,
    once: Annotated[
        bool, typer.Option("--once", help="Fetch and answer what is waiting, then exit.")
    ] = False,
) -> None:
    """Fetch this node's tasks from the hub and answer them (for a scheduler: --once)."""
    from app.config import load_node_settings
    from app.node.app import node_app_for
    from app.node.context import build_node_context
    from app.node.pull import PullWorker

    with exit_on_error():
        settings = load_node_settings(config)
        if settings.hub is None:
            raise ConfigError("hub: node.toml has no [hub] table (url of the hub)")
        if not once:
            serve_pull(settings)
            return
        context = build_node_context(settings)

        async def run() -> int:
            async with PullWorker(context, node_app_for(context)) as worker:
                return await worker.run_once(0.0)

        try:
            answered = asyncio.run(run())
        finally:
            context.engine.dispose()
    typer.echo(f"{answered} task(s) answered")


class PullNodeThread:
    """A pull node answering the hub's tasks in a daemon thread (the demo); no socket."""

    def __init__(self, settings: NodeSettings) -> None:
        from app.node.context import build_node_context

        self.context = build_node_context(settings)
        self.name = settings.node.id
        self.thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None

    def _run(self) -> None:
        from app.node.app import node_app_for
        from app.node.pull import PullWorker

        async def main() -> None:
            self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
            self._ready.set()
            async with PullWorker(self.context, node_app_for(self.context)) as worker:
                await worker.run_forever(self._stop)

        asyncio.run(main())

    def start(self) -> PullNodeThread:
        """Start polling the hub; return when the worker runs."""
        self.thread.start()
        self._ready.wait(timeout=20)
        return self

    def stop(self) -> None:
        """End the long-poll and wait for the thread."""
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self.thread.join(timeout=20)
        self.context.engine.dispose()
