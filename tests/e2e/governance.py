"""Support for the governance tests: node.toml edits, node and hub processes, their sockets."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx
import tomli_w

from app.trust.httpx_auth import SignedRequestAuth
from app.trust.keys import SigningKey, load_signing_key

KETANET = Path(sys.executable).parent / "ketanet"
T = TypeVar("T")


def edit_toml(config: Path, **tables: dict[str, Any]) -> Path:
    """Merge ``tables`` (table name → keys) into a TOML file; return its path."""
    document = tomllib.loads(config.read_text(encoding="utf-8"))
    for name, keys in tables.items():
        document[name] = {**document.get(name, {}), **keys}
    config.write_text(tomli_w.dumps(document), encoding="utf-8")
    return config


def node_key(root: Path, node_id: str) -> SigningKey:
    """Return a node's private key from the test network's folder."""
    return load_signing_key(root / node_id / "keys" / f"{node_id}.pem")


def signed_client(key: SigningKey, base_url: str) -> httpx.Client:
    """Return a client signing every request with ``key`` (as a node calls the hub)."""
    return httpx.Client(base_url=base_url, auth=SignedRequestAuth(key), timeout=30)


@contextmanager
def process(
    args: list[str], *, log: Path, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``ketanet ARGS`` as a separate process (output in ``log``) until the block ends."""
    with log.open("wb") as output:
        child = subprocess.Popen(
            [str(KETANET), *args],
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
        try:
            yield child
        finally:
            child.terminate()
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait(timeout=15)


def alive(child: subprocess.Popen[bytes], log: Path) -> bool:
    """Return True while ``child`` runs; raise with its log when it has exited."""
    if child.poll() is not None:
        raise AssertionError(f"process exited with {child.returncode}: {log.read_text()[-2000:]}")
    return True


def wait_until(probe: Callable[[], T | None], *, timeout_s: float = 60, what: str = "") -> T:
    """Return ``probe()``'s first truthy value, polling; raise after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what or probe}")


def wait_for_http(url: str, *, timeout_s: float = 60) -> None:
    """Wait until something answers HTTP at ``url``."""

    def answers() -> bool:
        try:
            httpx.get(url, timeout=2)
        except httpx.HTTPError:
            return False
        return True

    wait_until(answers, timeout_s=timeout_s, what=url)


def listening_ports(pid: int) -> set[int]:
    """Return the TCP ports a process listens on (its socket inodes matched in /proc/net/tcp*)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target.removeprefix("socket:[").removesuffix("]"))
    ports = set()
    for table in ("tcp", "tcp6"):
        path = Path(f"/proc/{pid}/net/{table}")
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and inode in inodes:  # 0A: TCP_LISTEN
                ports.add(int(local.rsplit(":", 1)[1], 16))
    return ports


def fresh_database_url(network: Any) -> str:
    """Return the URL of a new SQLite hub database in the test network's folder."""
    return f"sqlite:///{network.root / f'hub-{secrets.token_hex(4)}.db'}"
