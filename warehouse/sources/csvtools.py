"""Strict CSV reading shared by the file adapters: every problem names the file, series and line."""

from __future__ import annotations

import csv
import gc
import io
from collections import OrderedDict
from collections.abc import Sequence
from datetime import timedelta

import numpy as np
import pandas as pd

from warehouse.sources.base import Payload

MISSING_MARKERS = frozenset({"", ".", "na", "n/a", "nan", "null", "none", "#n/a"})
_HTML_SIGNS = (b"<!doctype", b"<html", b"<head", b"<body", b"<?xml")
EARLIEST_DATE = "1800-01-01"  # no series gapcast reads starts earlier: an older year is a typo
# A date, optionally followed by a time and a zone offset (Yahoo's history files): nothing else.
_DATE_TEXT = r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*([+-]\d{2}:?\d{2}|Z)?)?"
# Thousands separators only in their place: 1,200 or 12,345.6 — never a decimal comma like 4,07.
_THOUSANDS = r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?"


_DECODED: "OrderedDict[tuple[str, bool], pd.DataFrame]" = OrderedDict()
_DECODED_KEEP = 4  # several series often read the same file (one sector each): decode it once


def read_table(payload: Payload, required: Sequence[str] = (), *, drop_empty_unnamed: bool = False) -> pd.DataFrame:
    """Decode a CSV payload into a frame of strings with a ``_line`` column (1-based file line).

    Refuses empty files, HTML pages, rows whose field count differs from the header
    (a truncated or mangled file), and a header lacking a required column. With ``drop_empty_unnamed``,
    columns whose header is blank (trailing ``,,,`` a spreadsheet export leaves) are dropped, provided
    no row puts anything in them.
    """
    content = payload.content
    head = content[:512].lstrip().lower()
    if not content.strip():
        raise payload.error("the file is empty", hint="re-download it; the source returned nothing")
    if head.startswith(_HTML_SIGNS) or b"<html" in head:
        raise payload.error(
            "the file is an HTML page, not CSV (an error or login page was saved instead of data)",
            line=1,
            hint="re-download it from the source and check the URL",
        )
    key = (payload.sha256, drop_empty_unnamed)
    frame = _DECODED.get(key)
    if frame is None:
        frame = _frame(payload, drop_empty_unnamed)
        _DECODED[key] = frame
        while len(_DECODED) > _DECODED_KEEP:
            _DECODED.popitem(last=False)
    header = list(frame.columns[:-1])
    missing = [c for c in required if c not in header]
    if missing:
        raise payload.error(
            f"missing column(s) {', '.join(repr(m) for m in missing)}; the header has {header}",
            line=1,
            hint="check that the catalog names the right adapter for this file",
        )
    return frame


def _frame(payload: Payload, drop_empty_unnamed: bool = False) -> pd.DataFrame:
    # A file of 10^5 rows allocates 10^5 lists, which sets off the cyclic garbage collector's full passes over every
    # object the process holds (most of the time of decoding, measured); those lists hold no cycles.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _rows_frame(payload, drop_empty_unnamed)
    finally:
        if enabled:
            gc.enable()


def _rows_frame(payload: Payload, drop_empty_unnamed: bool) -> pd.DataFrame:
    header, body, lines = _decode(payload, drop_empty_unnamed)
    width = len(header)
    unnamed = [j for j, h in enumerate(header) if not h] if drop_empty_unnamed else []
    widths = [len(row) for row in body]
    if width > 1 and not unnamed and all(w == width for w in widths):  # the common case: all rows whole, none blank
        if not body:
            raise payload.error("the file has a header but no data rows", line=1)
        frame = pd.DataFrame(body, columns=header, dtype=object)
        frame["_line"] = lines
        return frame
    keep: list[list[str]] = []
    keep_lines: list[int] = []
    for i, row in enumerate(body):
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # blank line
        if len(row) != width:
            problem = f"the row has {len(row)} field(s) but the header has {width}"
            if i == len(body) - 1 and len(row) < width:
                problem += ": the file looks truncated"
            raise payload.error(problem, line=lines[i])
        filled = [j for j in unnamed if row[j].strip()]
        if filled:
            raise payload.error(f"column {filled[0] + 1} has no name in the header but holds {row[filled[0]]!r}",
                                line=lines[i], hint="check that the file has the layout the catalog expects")
        if unnamed:
            row = [v for j, v in enumerate(row) if j not in unnamed]
        keep.append(row)
        keep_lines.append(lines[i])
    if not keep:
        raise payload.error("the file has a header but no data rows", line=1)
    if unnamed:
        header = [h for h in header if h]
    frame = pd.DataFrame(keep, columns=header, dtype=object)
    frame["_line"] = keep_lines
    return frame


def decoded_text(payload: Payload) -> str:
    """A text payload (JSON, YAML) as a string: not UTF-8, or nothing but whitespace, is refused with the line."""
    try:
        text = payload.content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = payload.content[: exc.start].count(b"\n") + 1
        raise payload.error("the file is not UTF-8 text", line=line) from None
    if not text.strip():
        raise payload.error("the file is empty", hint="re-download it; the source returned nothing")
    return text


def _decode(payload: Payload, allow_unnamed: bool = False) -> tuple[list[str], list[list[str]], list[int]]:
    """Header, rows and the first physical line of each row (a quoted field may span lines)."""
    text = decoded_text(payload)  # not UTF-8, or nothing but a byte-order mark: refused
    # strict: a quote left open (a file cut inside a quoted field) is an error, not a silently cut value
    limit = csv.field_size_limit()  # csv.reader refuses a longer field; a file with so long a line goes to it
    if '"' not in text and "\0" not in text and (
            len(text) <= limit or max(map(len, text.splitlines()), default=0) <= limit):
        # No quoted field, so one physical line is one row: split in C rather than row by row through csv.reader
        # (with the collector paused, 1.5 s -> 0.5 s over the snapshot's 159 files). Same rows as csv.reader gives:
        # any of \r\n, \r, \n ends a line.
        physical = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        if physical[-1] == "":
            physical.pop()  # the newline that ends the last line does not start another
        rows = [line.split(",") if line else [] for line in physical]
        lines = list(range(1, len(rows) + 1))
        return _header(payload, rows, allow_unnamed), rows[1:], lines[1:]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows = []
    lines = []
    previous_end = 0
    try:
        for row in reader:
            rows.append(row)
            lines.append(previous_end + 1)
            previous_end = reader.line_num
    except csv.Error as exc:
        problem = f"the CSV is malformed ({exc})"
        if "unexpected end of data" in str(exc) or "EOF" in str(exc):
            problem += ": the file looks truncated inside a quoted field"
        raise payload.error(problem, line=previous_end + 1) from None
    return _header(payload, rows, allow_unnamed), rows[1:], lines[1:]


def _header(payload: Payload, rows: list[list[str]], allow_unnamed: bool) -> list[str]:
    header = [h.strip() for h in rows[0]]
    repeated = sorted({h for h in header if header.count(h) > 1 and (h or not allow_unnamed)})
    if repeated:
        raise payload.error(f"the header names column(s) {repeated} more than once", line=1,
                            hint="give each column its own name, or re-download the file")
    return header


def is_missing(values: pd.Series) -> pd.Series:
    return values.isna() | values.astype(str).str.strip().str.lower().isin(MISSING_MARKERS)


def numbers_and_bad(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Floats from text (missing markers -> NaN) and a mask of values that are neither numbers nor missing."""
    numbers = pd.to_numeric(raw, errors="coerce").astype("float64")
    bad = pd.Series(False, index=raw.index)
    unparsed = numbers.isna()
    if unparsed.any():
        # Slow path only for what the fast parse missed: spaces, thousands separators, missing markers.
        rest = raw[unparsed]
        missing = is_missing(rest)
        stripped = rest[~missing].astype(str).str.strip()
        separated = stripped.str.fullmatch(_THOUSANDS)
        cleaned = stripped.where(~separated, stripped.str.replace(",", "", regex=False))
        numbers.loc[cleaned.index] = pd.to_numeric(cleaned, errors="coerce").astype("float64")
        bad = numbers.isna() & unparsed
        bad.loc[missing[missing].index] = False
    bad |= ~np.isfinite(numbers.fillna(0.0))  # 'inf', '1e999'
    return numbers.where(~bad), bad


def parse_numbers(payload: Payload, frame: pd.DataFrame, column: str, *, what: str = "value") -> pd.Series:
    """Parse a column as floats; missing markers become NaN; anything else unparseable is refused."""
    numbers, bad = numbers_and_bad(frame[column])
    if bad.any():
        i = bad.idxmax()
        raise payload.error(
            f"column {column!r} has a non-numeric {what} {str(frame[column][i])!r}", line=int(frame["_line"][i])
        )
    return numbers


def to_dates(raw: pd.Series, formats: Sequence[str]) -> pd.Series:
    """Dates from text in any of the formats (first that fits), NaT where none does; any year 1..9999."""
    parsed = None
    for fmt in formats:
        attempt = pd.to_datetime(raw, format=fmt, errors="coerce")
        if attempt.dtype != "datetime64[us]":
            attempt = attempt.astype("datetime64[us]")
        parsed = attempt if parsed is None else parsed.fillna(attempt)
    return parsed


def parse_dates(
    payload: Payload, frame: pd.DataFrame, column: str, *, formats: Sequence[str] = ("%Y-%m-%d",)
) -> pd.Series:
    """Parse a date column (a time and zone offset after the date are dropped: the local date counts)."""
    raw = frame[column].astype(str).str.strip()
    iso = formats == ("%Y-%m-%d",)
    head = raw.str.slice(0, 10) if iso else raw
    parsed = to_dates(head, formats)
    bad = parsed.isna()
    if iso:
        bad |= ~raw.str.fullmatch(_DATE_TEXT)
    if bad.any():
        i = bad.idxmax()
        problem = f"column {column!r} has {raw[i]!r}, which is not a date"
        if i == frame.index[-1]:
            problem += " (the last row: is the file truncated?)"
        raise payload.error(problem, line=int(frame["_line"][i]))
    early = parsed < pd.Timestamp(EARLIEST_DATE)
    if early.any():
        i = early.idxmax()
        raise payload.error(f"column {column!r} has {raw[i]!r}, before {EARLIEST_DATE} (a typo in the year?)",
                            line=int(frame["_line"][i]))
    return parsed.dt.date


def refuse_future(payload: Payload, frame: pd.DataFrame, dates: pd.Series, column: str) -> None:
    """No observation may be dated after the payload was retrieved (one day of slack for time zones)."""
    limit = payload.retrieved_at.date() + timedelta(days=1)
    future = dates > limit
    if future.any():
        i = future.idxmax()
        raise payload.error(
            f"column {column!r} has {dates[i]}, after the payload was retrieved "
            f"({payload.retrieved_at:%Y-%m-%d}): a date in the future",
            line=int(frame["_line"][i]),
        )


def refuse_conflicting_duplicates(
    payload: Payload, frame: pd.DataFrame, key: Sequence[str], value: str = "value"
) -> pd.DataFrame:
    """Drop exact repeats of a key; refuse the same key with different values."""
    dup = frame.duplicated(list(key), keep=False)
    if not dup.any():
        return frame
    groups = frame[dup].groupby(list(key), sort=False, dropna=False)
    for keys, group in groups:
        if group[value].nunique(dropna=False) > 1:
            lines = ", ".join(str(x) for x in group["_line"].tolist()[:5])
            first = group.iloc[0]
            raise payload.error(
                f"duplicate {first['obs_date']} ({first['field']}) with different values "
                f"{group[value].tolist()[:5]} on lines {lines}",
                line=int(group["_line"].iloc[1]),
            )
    return frame.drop_duplicates(list(key), keep="first")


def check_positive(payload: Payload, frame: pd.DataFrame, column: str, label: str) -> None:
    bad = frame[column] <= 0
    if bad.any():
        i = bad.idxmax()
        raise payload.error(
            f"{label} {float(frame[column][i])!r} on {frame['obs_date'][i]} is zero or negative",
            line=int(frame["_line"][i]),
            hint="a price must be positive; if this series is a yield or spread, give it unit = \"percent\" "
            "in the catalog",
        )


JUMP_LIMIT = 50.0  # a price or index level moving more than 50-fold from one observation to the next is an error
LEVEL_LIMIT = 1e9  # no share price or index gapcast reads comes near this (the snapshot's largest: about 2,300)
PRICE_FIELDS = ("open", "high", "low", "close", "adj_close")


def refuse_implausible_levels(payload: Payload, records: pd.DataFrame, fields, what: str) -> None:
    """Value checks for levels (every price and index series, not only the basket's): a value over LEVEL_LIMIT
    (1e308, a misplaced exponent) or a move of more than JUMP_LIMIT-fold between consecutive observations (a 1000x
    typo, a unit change, an unadjusted split larger than any real one; the real data move at most 2.3-fold in a
    step) refuses the payload, naming the field, the dates and the line. The payloads loaded before stay; a
    corrected file loads as usual, since the refused one never landed."""
    part = records[records["field"].isin(tuple(fields))]
    if part.empty:
        return
    part = part.sort_values(["entity", "field", "obs_date"], kind="stable")
    big = part["value"].abs() > LEVEL_LIMIT
    if big.any():
        row = part[big].iloc[0]
        raise payload.error(f"{what} {row['field']} {float(row['value']):.6g} on {row['obs_date']} is implausibly "
                            f"large (over {LEVEL_LIMIT:.0e})", line=int(row["_line"]),
                            hint="correct the file, or load the source's corrected copy")
    previous = part.groupby(["entity", "field"], sort=False)["value"].shift()
    before = part.groupby(["entity", "field"], sort=False)["obs_date"].shift()
    ratio = part["value"] / previous.where(previous > 0)
    jump = (ratio > JUMP_LIMIT) | (ratio < 1 / JUMP_LIMIT)
    if jump.any():
        i = jump.to_numpy().argmax()
        row, r = part.iloc[i], float(ratio.iloc[i])
        raise payload.error(
            f"{what} {row['field']} moves from {float(previous.iloc[i]):.6g} on {before.iloc[i]} to "
            f"{float(row['value']):.6g} on {row['obs_date']} ({r:.3g}-fold in one step, more than the "
            f"{JUMP_LIMIT:.0f}-fold any real series shows): a typo, a unit change or an unadjusted split in the file",
            line=int(row["_line"]), hint="correct the file, or load the source's corrected copy")


def long_frame(frame: pd.DataFrame, dates: pd.Series, fields: dict[str, pd.Series], unit: str,
               entity: str = "", published_at: pd.Series | None = None) -> pd.DataFrame:
    """Stack wide columns into (entity, obs_date, field, value, unit, published_at, _line)."""
    parts = []
    for name, values in fields.items():
        part = pd.DataFrame(
            {
                "entity": entity,
                "obs_date": dates,
                "field": name,
                "value": values,
                "unit": unit,
                "published_at": published_at if published_at is not None else None,
                "_line": frame["_line"],
            }
        )
        parts.append(part[part["value"].notna()])
    out = pd.concat(parts, ignore_index=True)
    return out

