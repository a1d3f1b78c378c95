"""Which node URLs the hub will call: http(s) only, and no link-local or cloud-metadata address.

A node URL comes from ``hub add-node`` (an operator typing what a registry sent them) and is called
with the hub's signature. A ``file:`` URL, or ``http://169.254.169.254/`` (the metadata service of
most clouds, which hands out credentials), must never be one: ``node_url_problem`` names the rule
broken. ``hub add-node`` refuses such a URL; a hub.toml edited by hand to hold one gives that node
the ``unreachable`` status with this reason, never a crash of the query. A node really reached
over a link-local address is allowed with ``allow_link_local = true`` on its ``[[nodes]]`` entry.
"""

from __future__ import annotations

import functools
import ipaddress
from urllib.parse import urlsplit

METADATA_HOSTS = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "instance-data",
        "instance-data.ec2.internal",
    }
)
"""Host names of cloud metadata services (their addresses are link-local and refused as such)."""
METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("fd00:ec2::254"), ipaddress.ip_address("100.100.100.200")}
)
"""Metadata addresses outside the link-local ranges (AWS over IPv6, Alibaba Cloud)."""


@functools.lru_cache(maxsize=1024)
def node_url_problem(url: str, *, allow_link_local: bool = False) -> str | None:
    """Return why the hub must not call ``url``, or None when it is an acceptable node URL.

    Cached (a pure function of its arguments): every fan-out checks every node's URL.
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 (raises ValueError for a port out of range)
    except ValueError:
        return "node URL: not a valid URL"
    if parts.scheme not in ("http", "https"):
        return "node URL: must be http:// or https://"
    if not host:
        return "node URL: has no host"
    if parts.username is not None or parts.password is not None:
        return "node URL: must not carry credentials"
    if allow_link_local:
        return None
    if host.lower().rstrip(".") in METADATA_HOSTS:
        return "node URL: a cloud metadata host (allow_link_local = true to call it anyway)"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None  # a DNS name: resolved when called
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_link_local or address in METADATA_ADDRESSES:
        return (
            "node URL: a link-local or metadata address (allow_link_local = true to call it anyway)"
        )
    return None
