"""A folder of JSON files by key, shared between homes (GAPCAST_CACHE_DIR): written atomically, and a file that
cannot be read is a miss, never an error."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path


def read_json(folder: Path | None, key: str) -> tuple[dict | None, str | None]:
    """The value stored under ``key`` (None when absent), and why a file that exists could not be used."""
    if folder is None:
        return None, None
    path = Path(folder) / f"{key}.json"
    if not path.exists():
        return None, None
    try:
        return json.loads(path.read_text(encoding="utf-8")), None
    except (OSError, ValueError) as exc:
        return None, f"cache {path} unreadable ({exc})"


def write_json(folder: Path | None, key: str, value: dict) -> str | None:
    """Store ``value`` under ``key`` (write a temporary file, then rename it); returns why it could not be stored."""
    if folder is None:
        return None
    path = Path(folder) / f"{key}.json"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(value, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        return f"not cached at {path}: {exc}"
    return None
