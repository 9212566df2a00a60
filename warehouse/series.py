"""What a catalog declares of one series and its payloads: the specification every adapter reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Mapping


@dataclass(frozen=True)
class PayloadSpec:
    path: Path
    retrieved_at: datetime | None
    params: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class SeriesSpec:
    id: str
    kind: str
    adapter: str
    frequency: str
    roles: tuple[str, ...] = ()
    unit: str = ""
    name: str = ""
    description: str = ""
    params: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    payloads: tuple[PayloadSpec, ...] = ()
    synthetic: bool = False
    ticker: str = ""

    @property
    def symbol(self) -> str:
        """The instrument a price or fundamentals series is about (its ticker, else its id)."""
        return self.ticker or self.id
