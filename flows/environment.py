"""Prefect's environment for gapcast: its files under the gapcast home, telemetry off. No prefect import here."""

from __future__ import annotations

import os
from pathlib import Path


def prefect_environment(home: Path) -> dict[str, str]:
    """Variables to set before prefect is first imported (it reads them then)."""
    return {
        "PREFECT_HOME": str(home / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": os.environ.get("PREFECT_LOGGING_LEVEL", "WARNING"),
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": os.environ.get(
            "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90"),
    }


def apply(home: Path) -> None:
    """Set them in this process, keeping any the user set; PREFECT_HOME always follows the gapcast home."""
    for key, value in prefect_environment(home).items():
        if key == "PREFECT_HOME" or key not in os.environ:
            os.environ[key] = value


def _die_with_parent() -> None:
    """In a child, between fork and exec: ask Linux to send it SIGTERM when the process that started it dies (by
    SIGKILL included), so that Prefect's temporary API server never outlives a killed run."""
    import ctypes
    import signal

    libc = ctypes.CDLL(None, use_errno=True)
    PR_SET_PDEATHSIG = 1
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class _BoundSubprocess:
    """The subprocess module as Prefect's server module sees it, with Popen binding each child's life to ours."""

    def __init__(self, module):
        self._module = module

    def __getattr__(self, name):
        return getattr(self._module, name)

    def Popen(self, *args, **kwargs):  # noqa: N802 (the name Prefect calls)
        if "preexec_fn" not in kwargs:
            kwargs["preexec_fn"] = _die_with_parent
        return self._module.Popen(*args, **kwargs)


def bind_prefect_server_to_this_process() -> None:
    """Make the temporary API server Prefect starts (a uvicorn subprocess) end when this process ends, however it
    ends. Linux only (prctl); elsewhere nothing changes. Prefect must be importable; call before the first flow.
    The parent-death signal goes to the server when the thread that started it exits: Prefect starts it from the
    thread that first needs the API, the main thread of `gapcast run`."""
    import subprocess
    import sys

    if not sys.platform.startswith("linux"):
        return
    from prefect.server.api import server

    if not isinstance(server.subprocess, _BoundSubprocess):
        server.subprocess = _BoundSubprocess(subprocess)
