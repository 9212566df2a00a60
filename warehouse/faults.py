"""Fault injection for the reliability tests: crash this process at a named point, as `kill -9` would.

Inert unless GAPCAST_FAULT_CRASH_AT is set, to `point` or `point#n` (the n-th time the point is reached).
"""

from __future__ import annotations

import os
import signal

_seen: dict[str, int] = {}


def crash_point(name: str) -> None:
    """Die here, at once and without cleanup, when the environment asks for this point."""
    wanted = os.environ.get("GAPCAST_FAULT_CRASH_AT")
    if not wanted:
        return
    point, _, nth = wanted.partition("#")
    if point != name:
        return
    _seen[name] = _seen.get(name, 0) + 1
    if _seen[name] == int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)
