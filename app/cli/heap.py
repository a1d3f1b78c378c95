"""The garbage collector in a long-running server: objects of the start-up left out of its walks.

A server's start-up (imports, settings, keys, the app and its routes) leaves some 150,000 objects
that live as long as the process. CPython's collector walks them all again at every full
collection and many of them at every intermediate one; at 50 nodes the hub spent 8–12 ms of a
query's ~55 ms of CPU in the collector (``bench/README.md``, round 5). ``gc.freeze`` moves every
object alive at that moment to a permanent generation the collector skips; reference counting
still frees them, and objects made later are collected as before.
"""

from __future__ import annotations

import gc


def freeze_startup_objects() -> int:
    """Collect the start-up's garbage, then leave every live object out of later collections.

    Call once, when the server is ready to serve (``ketanet node serve``, ``ketanet hub serve``);
    return how many objects are frozen. Not for test processes: an object frozen there and
    later part of a reference cycle is never collected.
    """
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
