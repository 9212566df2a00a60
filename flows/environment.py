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
