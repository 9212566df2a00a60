"""The configuration files of the models, read from disk and validated by ``models.config``: the one loader of
catalogs/assumptions.toml and catalogs/cooling.toml (or the files given instead)."""

from __future__ import annotations

from pathlib import Path

from models.config import (
    Assumptions,
    AssumptionsError,
    CoolingConfig,
    CoolingConfigError,
    parse_assumptions,
    parse_cooling_config,
)
from warehouse.settings import CATALOG_DIR

ASSUMPTIONS_PATH = CATALOG_DIR / "assumptions.toml"
COOLING_PATH = CATALOG_DIR / "cooling.toml"


def load_assumptions(path: Path | str | None = None) -> Assumptions:
    """catalogs/assumptions.toml (or ``path``), validated; errors name the file and the key."""
    path = Path(path) if path else ASSUMPTIONS_PATH
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AssumptionsError(f"{path}: assumptions file not found. To fix: restore catalogs/assumptions.toml") \
            from None
    return parse_assumptions(text, str(path))


def load_cooling_config(path: Path | str | None = None) -> CoolingConfig:
    """catalogs/cooling.toml (or ``path``), validated; errors name the file and the key."""
    path = Path(path) if path else COOLING_PATH
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CoolingConfigError(f"{path}: not found. To fix: restore catalogs/cooling.toml") from None
    return parse_cooling_config(text, str(path))
