"""The one interface every source adapter implements: query -> payload -> typed records."""

from __future__ import annotations

import hashlib
import os
import stat
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Literal

import pandas as pd

if TYPE_CHECKING:
    from warehouse.http import HttpClient
    from warehouse.series import SeriesSpec
    from warehouse.settings import Settings

RecordType = Literal["observations", "layoff_events"]

# Columns of a parsed observation frame, in order, as raw.observations stores them.
OBSERVATION_COLUMNS = ("entity", "obs_date", "field", "value", "unit", "published_at")
LAYOFF_COLUMNS = (
    "row_number",
    "company",
    "location",
    "country",
    "industry",
    "stage",
    "event_date",
    "laid_off",
    "pct_laid_off",
    "funds_raised_musd",
    "source_url",
)


class PayloadError(ValueError):
    """A payload gapcast refuses, with where it is wrong and what to do about it."""

    def __init__(
        self,
        origin: str,
        series_id: str,
        problem: str,
        *,
        line: int | None = None,
        hint: str = "fix or re-download the file, then run gapcast ingest again",
    ):
        self.origin = origin
        self.series_id = series_id
        self.line = line
        self.problem = problem
        self.hint = hint
        where = f"{origin}, series {series_id}" + (f", line {line}" if line is not None else "")
        super().__init__(f"{where}: {problem}. To fix: {hint}.")


@dataclass(frozen=True)
class Query:
    """One request to a source for one series: where to look and with which parameters."""

    series: "SeriesSpec"
    location: str
    params: Mapping[str, object] = field(default_factory=dict)
    retrieved_at: datetime | None = None


@dataclass(frozen=True)
class Payload:
    """Exactly what a source returned for a query, with when it was retrieved."""

    query: Query
    content: bytes
    origin: str
    retrieved_at: datetime

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def series_id(self) -> str:
        return self.query.series.id

    def error(self, problem: str, *, line: int | None = None, hint: str | None = None) -> PayloadError:
        kwargs = {"line": line}
        if hint:
            kwargs["hint"] = hint
        return PayloadError(self.origin, self.series_id, problem, **kwargs)


@dataclass(frozen=True)
class RejectedRow:
    """A row a lenient adapter set aside instead of loading, kept in meta.rejected_rows."""

    line: int
    reason: str
    content: str


@dataclass(frozen=True)
class Records:
    """Typed records parsed from one payload, ready for raw."""

    record_type: RecordType
    frame: pd.DataFrame
    rejected: tuple[RejectedRow, ...] = ()
    skipped_missing: int = 0


@dataclass
class SourceContext:
    """What live adapters are handed: settings (with credentials), the HTTP client, what raw already holds."""

    settings: "Settings"
    http: "HttpClient | None" = None
    last_observed: Mapping[tuple[str, str], date] = field(default_factory=dict)
    yahoo: object | None = None
    batches: dict[str, object] = field(default_factory=dict)
    loaded_origins: frozenset[str] = frozenset()
    today: date = field(default_factory=lambda: datetime.now(UTC).date())

    def last_date(self, series_id: str, field_name: str) -> date | None:
        return self.last_observed.get((series_id, field_name))


DEFAULT_MAX_PAYLOAD_MB = 256


def read_payload_file(path: Path, series_id: str, limit: int) -> bytes:
    """The bytes of a payload file, refusing what is not a regular file (a FIFO would block the run while it holds
    the pipeline lock, a device would read for ever) and what is larger than ``limit`` bytes (checked on the size
    before reading and on the bytes read, so a file that grows while read is refused too)."""
    try:
        # O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting; fstat then refuses it.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise PayloadError(str(path), series_id, "file not found", hint="check the path in the catalog") from None
    except OSError as exc:
        raise PayloadError(str(path), series_id, f"cannot read file ({exc.strerror})") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        what = ("a FIFO (named pipe)" if stat.S_ISFIFO(info.st_mode) else "a directory"
                if stat.S_ISDIR(info.st_mode) else "a device" if stat.S_ISCHR(info.st_mode)
                or stat.S_ISBLK(info.st_mode) else "a socket" if stat.S_ISSOCK(info.st_mode) else "not a file")
        raise PayloadError(str(path), series_id, f"is {what}, not a regular file",
                           hint="put the data file itself at this path")
    with os.fdopen(fd, "rb") as handle:
        mb = limit // (1024 * 1024)
        if info.st_size > limit:
            raise PayloadError(str(path), series_id, f"is {info.st_size / 1e6:,.0f} MB, over the payload limit of "
                               f"{mb} MB", hint="check the file (a wrong or corrupt download?), or raise "
                                                "GAPCAST_MAX_PAYLOAD_MB")
        try:
            content = handle.read(limit + 1)
        except OSError as exc:
            raise PayloadError(str(path), series_id, f"cannot read file ({exc.strerror})") from None
    if len(content) > limit:
        raise PayloadError(str(path), series_id, f"grew past the payload limit of {mb} MB while being read",
                           hint="load it once it is complete, or raise GAPCAST_MAX_PAYLOAD_MB")
    return content


class Adapter(ABC):
    """A source. Subclasses set ``name`` and implement :meth:`parse`; live ones override queries and fetch."""

    name: ClassVar[str]
    record_type: ClassVar[RecordType] = "observations"
    live: ClassVar[bool] = False
    # Adapter parameters a catalog entry may set, with a one-line meaning each.
    params_doc: ClassVar[Mapping[str, str]] = {}
    # For the README and --dry-run: what the source provides and its limits.
    about: ClassVar[str] = ""

    def prepare(self, series: list["SeriesSpec"], context: SourceContext) -> None:
        """Work done once for all the adapter's series before any fetch (e.g. one batched download)."""

    def probe(self, context: SourceContext) -> str | None:
        """A reason the source cannot be used at all right now (no credentials, host unreachable), or None."""
        return None

    def queries(self, series: "SeriesSpec", context: SourceContext | None = None) -> list[Query]:
        """One query per payload the catalog lists for the series."""
        return [
            Query(
                series=series,
                location=str(p.path),
                params={**series.params, **p.params},
                retrieved_at=p.retrieved_at,
            )
            for p in series.payloads
        ]

    def fetch(self, query: Query, context: SourceContext | None = None) -> Payload:
        """Read the payload. File adapters read a file (a regular one, within the size limit); live adapters
        override this."""
        path = Path(query.location)
        limit = (context.settings.max_payload_mb if context is not None and context.settings is not None
                 else DEFAULT_MAX_PAYLOAD_MB) * 1024 * 1024
        content = read_payload_file(path, query.series.id, limit)
        retrieved_at = query.retrieved_at or datetime.now(UTC).replace(tzinfo=None)
        return Payload(query=query, content=content, origin=str(path), retrieved_at=retrieved_at)

    @abstractmethod
    def parse(self, payload: Payload) -> Records:
        """Turn the payload into typed records, or raise PayloadError naming file, series, line."""

