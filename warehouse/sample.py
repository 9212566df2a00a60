"""Deterministic synthetic payload files in the exact formats and paths of the real snapshot."""

from __future__ import annotations

import csv
import re
import zlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Iterable, NamedTuple, Sequence
from zoneinfo import ZoneInfo

import numpy as np

# ---------------------------------------------------------------------------------------------
# Constants
# ---------------------------------------------------------------------------------------------

START = date(2015, 1, 1)
MIN_END_MONTH = "2016-01"
MAX_END_MONTH = "2100-12"
AI_BASKET = ("NVDA", "MSFT", "GOOGL", "META", "AMZN", "AMD", "AVGO", "TSM", "ORCL", "PLTR", "SMCI")
BENCHMARKS = ("SPY", "QQQ", "SOXX", "SMH", "IGV")
TNX = "^TNX"
TWD_PER_USD = 32.0
NVDA_SPLITS = {date(2021, 7, 20): 4.0, date(2024, 6, 10): 10.0}
OHLCV_LAST_MONTH = "2024-11"
INDEED_START = date(2020, 2, 1)
SECTOR_FILE_LAST_DAY = date(2024, 9, 27)
LAYOFFS_FIRST_MONTH = "2020-03"
FILING_LAG_DAYS = (30, 45)

_END_MONTH_RE = re.compile(r"\d{4}-\d{2}")
_TRADING_YEAR = 252
_PRICE_PHI = 1.0 - 1.0 / 126  # price noise mean-reverts to the drift path over ~6 months
_REVENUE_GROWTH_LONG = 0.05  # revenue growth after 2026, so far end months stay plausible

# Price regimes: first day of each regime, then per-series annual log drift in each regime:
# base, 2020-21 rally, 2022 tech sell-off, AI run-up (2023-01..2025-06), correction, plateau.
_REGIME_STARTS = np.array(
    ["2015-01-01", "2020-01-01", "2022-01-01", "2023-01-01", "2025-07-01", "2026-04-01"],
    dtype="datetime64[D]",
)
_DRIFTS = {
    "ai": (0.15, 0.30, -0.40, 0.75, -0.30, 0.04),
    "SPY": (0.09, 0.14, -0.20, 0.18, -0.05, 0.06),
    "QQQ": (0.13, 0.22, -0.35, 0.28, -0.10, 0.06),
    "SOXX": (0.16, 0.30, -0.45, 0.45, -0.20, 0.05),
    "SMH": (0.17, 0.30, -0.45, 0.50, -0.20, 0.05),
    "IGV": (0.14, 0.20, -0.40, 0.25, -0.15, 0.05),
}
_BENCHMARK_PRICE0 = {"SPY": 170.0, "QQQ": 95.0, "SOXX": 30.0, "SMH": 22.0, "IGV": 19.0}


class _Company(NamedTuple):
    cik: int
    price0: float  # split-adjusted price on the first trading day of 2015 (USD)
    shares_bn: float  # weighted average shares in 2015, split-adjusted to today (billions)
    revenue0_bn: float  # quarterly revenue around 2015Q1 (USD billions)
    growth: float  # annual revenue growth through 2026
    run_up: float  # multiplier on the AI basket's price drift
    vol: float  # daily idiosyncratic volatility
    gross_margin: float
    op_margin: float
    capex_ratio: float  # capex / revenue before the AI capex boom
    share_drift: float  # annual change of the share count (buybacks < 0 < issuance)
    capex_boom: bool  # hyperscalers whose capex intensity doubles in 2023-2025


_COMPANIES = {
    "NVDA": _Company(1045810, 0.48, 24.5, 1.15, 0.25, 1.35, 0.022, 0.62, 0.30, 0.04, -0.002, False),
    "MSFT": _Company(789019, 40.0, 7.9, 21.0, 0.15, 0.90, 0.011, 0.68, 0.38, 0.10, -0.006, True),
    "GOOGL": _Company(1652044, 26.0, 13.8, 17.0, 0.18, 0.90, 0.013, 0.58, 0.28, 0.12, -0.012, True),
    "META": _Company(1326801, 78.0, 2.8, 3.5, 0.25, 1.05, 0.018, 0.82, 0.38, 0.15, -0.008, True),
    "AMZN": _Company(1018724, 15.0, 10.5, 23.0, 0.18, 0.90, 0.015, 0.42, 0.06, 0.08, 0.002, True),
    "AMD": _Company(2488, 2.7, 1.6, 1.0, 0.20, 1.00, 0.025, 0.45, 0.10, 0.03, 0.010, False),
    "AVGO": _Company(1730168, 9.0, 4.6, 1.6, 0.22, 1.15, 0.017, 0.62, 0.30, 0.03, 0.005, False),
    "TSM": _Company(1046179, 17.0, 5.19, 6.5, 0.18, 0.95, 0.015, 0.50, 0.38, 0.35, 0.000, False),
    "ORCL": _Company(1341439, 38.0, 2.8, 9.0, 0.15, 0.95, 0.014, 0.78, 0.33, 0.05, -0.015, True),
    "PLTR": _Company(1321655, 5.0, 2.3, 0.25, 0.25, 1.30, 0.030, 0.72, 0.05, 0.02, 0.020, False),
    "SMCI": _Company(1375365, 3.5, 0.6, 0.45, 0.20, 1.30, 0.030, 0.15, 0.06, 0.01, 0.010, False),
}
_SEASONALITY = (0.97, 0.99, 1.00, 1.04)  # quarterly revenue factor, Q1..Q4

_FUNDAMENTAL_COLUMNS = (
    "date", "symbol", "reportedCurrency", "cik", "fillingDate", "acceptedDate", "calendarYear",
    "period", "revenue", "costOfRevenue", "grossProfit", "operatingIncome", "netIncome", "eps",
    "weightedAverageShsOut", "weightedAverageShsOutDil", "marketCap", "priceToSalesRatio",
    "capexPerShare",
)  # fmt: skip

# Anchored paths: (date, level) points, linearly interpolated and held flat beyond the ends.
Anchors = Sequence[tuple[str, float]]

_TNX_ANCHORS: Anchors = (
    ("2015-01-01", 2.1), ("2015-06-15", 2.35), ("2016-07-08", 1.45), ("2016-12-15", 2.5),
    ("2018-10-08", 3.15), ("2019-09-03", 1.55), ("2020-03-09", 0.7), ("2020-08-04", 0.6),
    ("2021-03-31", 1.65), ("2021-12-15", 1.5), ("2022-06-14", 3.3), ("2022-10-21", 4.2),
    ("2023-04-05", 3.4), ("2023-10-19", 4.9), ("2023-12-27", 3.85), ("2024-04-25", 4.65),
    ("2024-09-16", 3.65), ("2025-01-14", 4.75), ("2025-09-15", 4.05), ("2026-03-15", 4.3),
    ("2026-08-01", 4.65), ("2026-12-01", 4.5),
)  # fmt: skip
_VIX_ANCHORS: Anchors = (
    ("2015-01-01", 16), ("2015-08-25", 26), ("2016-01-20", 24), ("2017-06-01", 11),
    ("2018-02-06", 28), ("2018-06-01", 14), ("2018-12-24", 28), ("2019-06-01", 15),
    ("2020-02-14", 15), ("2020-03-16", 75), ("2020-06-15", 32), ("2021-06-01", 18),
    ("2022-03-07", 32), ("2022-10-12", 31), ("2023-06-01", 14), ("2024-06-01", 13),
    ("2024-08-05", 30), ("2024-09-15", 17), ("2025-04-08", 45), ("2025-06-15", 18),
    ("2025-12-15", 16), ("2026-04-15", 24), ("2026-08-01", 17),
)  # fmt: skip

# FRED monthly `date,value` series: anchors, AR(1) noise sd, decimals (0 = integer).
_FRED_MONTHLY: dict[str, tuple[Anchors, float, int]] = {
    "USINFO": (
        (("2015-01-01", 2750), ("2019-12-01", 2880), ("2020-03-01", 2860), ("2020-05-01", 2610),
         ("2022-06-01", 3050), ("2023-06-01", 3010), ("2024-06-01", 2950), ("2025-06-01", 2880),
         ("2026-06-01", 2780)),
        4.0, 0,
    ),
    "PAYEMS": (
        (("2015-01-01", 140600), ("2020-02-01", 152400), ("2020-03-01", 151000),
         ("2020-04-01", 130400), ("2020-12-01", 142500), ("2022-08-01", 152700),
         ("2024-12-01", 158600), ("2026-06-01", 158900)),
        60.0, 0,
    ),
    "UNRATE": (
        (("2015-01-01", 5.7), ("2019-09-01", 3.5), ("2020-02-01", 3.5), ("2020-03-01", 4.4),
         ("2020-04-01", 14.8), ("2020-12-01", 6.7), ("2022-03-01", 3.6), ("2023-04-01", 3.4),
         ("2024-08-01", 4.2), ("2025-08-01", 4.3), ("2026-07-01", 4.1)),
        0.08, 1,
    ),
    "FEDFUNDS": (
        (("2015-11-01", 0.12), ("2016-01-01", 0.36), ("2016-12-01", 0.41), ("2017-01-01", 0.65),
         ("2018-12-01", 2.27), ("2019-07-01", 2.40), ("2019-11-01", 1.55), ("2020-03-01", 0.65),
         ("2020-04-01", 0.05), ("2022-02-01", 0.08), ("2022-03-01", 0.20), ("2023-08-01", 5.33),
         ("2024-08-01", 5.33), ("2024-12-01", 4.48), ("2025-09-01", 4.22), ("2025-12-01", 3.72),
         ("2026-03-01", 3.63)),
        0.01, 2,
    ),
}  # fmt: skip
_CES_ANCHORS: Anchors = (
    ("2015-01-01", 1900), ("2019-12-01", 2220), ("2020-05-01", 2140), ("2022-01-01", 2407),
    ("2023-02-01", 2500), ("2024-06-01", 2440), ("2025-08-01", 2394), ("2026-08-01", 2362),
)  # fmt: skip
_JOLTS_INFO_LEVEL_ANCHORS: Anchors = (  # thousands; the file holds an index with Dec 2000 = 130k
    ("2015-01-01", 115), ("2018-12-01", 140), ("2020-05-01", 90), ("2021-12-01", 230),
    ("2022-04-01", 255), ("2022-12-01", 170), ("2023-12-01", 130), ("2024-12-01", 112),
    ("2025-12-01", 100), ("2026-06-01", 95),
)  # fmt: skip
_JOLTS_BASE_THOUSANDS = 1.30

# Indeed Hiring Lab indexes (100 = 1 Feb 2020).
_SOFTDEV_ANCHORS: Anchors = (
    ("2020-02-01", 100), ("2020-03-10", 98), ("2020-05-15", 66), ("2020-09-01", 73),
    ("2021-01-01", 93), ("2021-06-01", 130), ("2021-11-01", 155), ("2022-03-15", 165),
    ("2022-06-15", 158), ("2022-10-01", 132), ("2023-03-01", 102), ("2023-09-01", 78),
    ("2024-03-01", 72), ("2024-09-01", 70), ("2025-03-01", 66), ("2025-06-01", 67),
    ("2025-10-01", 68), ("2026-01-15", 66), ("2026-03-15", 60), ("2026-05-01", 59),
    ("2026-06-15", 62), ("2026-09-01", 64), ("2026-12-01", 65),
)  # fmt: skip
_AGGREGATE_ANCHORS: dict[str, Anchors] = {  # in the real file's variable order
    "total postings": (
        ("2020-02-01", 100), ("2020-03-10", 99), ("2020-05-01", 62), ("2020-09-01", 86),
        ("2021-03-01", 110), ("2021-09-01", 143), ("2022-03-15", 161), ("2022-09-01", 151),
        ("2023-03-01", 135), ("2023-09-01", 127), ("2024-03-01", 118), ("2024-09-01", 112),
        ("2025-03-01", 108), ("2025-09-01", 103), ("2026-03-01", 103), ("2026-08-01", 101.5),
    ),
    "new postings": (
        ("2020-02-01", 100), ("2020-03-10", 98), ("2020-04-20", 78), ("2020-09-01", 100),
        ("2021-05-01", 162), ("2022-04-01", 181), ("2023-01-01", 156), ("2023-09-01", 147),
        ("2024-09-01", 120), ("2025-03-01", 108), ("2025-09-01", 105), ("2026-03-01", 100),
        ("2026-08-01", 96),
    ),
}  # fmt: skip
_SECTOR_ANCHOR_DATES = (
    "2020-02-01", "2020-07-30", "2021-01-26", "2021-07-25", "2022-01-21", "2022-07-20",
    "2023-01-16", "2023-07-15", "2024-01-11", "2024-07-09",
)  # fmt: skip
_SECTOR_LEVELS = {  # in the real file's sector order; Software Development follows the FRED series
    "Banking & Finance": (100, 70, 96, 134, 182, 177, 133, 103, 94, 90),
    "Mathematics": (100, 67, 90, 132, 184, 165, 124, 83, 84, 78),
    "IT Operations & Helpdesk": (100, 71, 83, 118, 155, 150, 123, 93, 87, 77),
    "Software Development": None,
}

# Layoffs: expected events per month by period (first month of the period, rate).
_LAYOFF_RATES = (
    ("2020-03", 140), ("2020-07", 15), ("2021-01", 4), ("2022-01", 40), ("2022-06", 140),
    ("2023-01", 220), ("2023-04", 70), ("2024-01", 50), ("2025-01", 28), ("2026-03", 45),
    ("2026-06", 25),
)  # fmt: skip
_LAYOFF_LOCATIONS = (  # (location, country, weight)
    ("SF Bay Area", "United States", 25), ("New York City", "United States", 10),
    ("Seattle", "United States", 5), ("Boston", "United States", 5),
    ("Austin", "United States", 3), ("Los Angeles", "United States", 3),
    ("Bengaluru, Non-U.S.", "India", 7), ("Toronto, Non-U.S.", "Canada", 3),
    ("Tel Aviv, Non-U.S.", "Israel", 3), ("London, Non-U.S.", "United Kingdom", 3),
    ("Berlin, Non-U.S.", "Germany", 2),
)  # fmt: skip
_LAYOFF_INDUSTRIES = (
    "Finance", "Healthcare", "Other", "Consumer", "Retail", "Transportation", "Marketing",
    "Real Estate", "Security", "Food", "Media", "Data", "Crypto", "HR", "Education", "Travel",
    "Infrastructure", "Hardware", "Sales", "Support", "Logistics", "Recruiting", "Product", "AI",
)  # fmt: skip
_LAYOFF_STAGES = (
    ("Post-IPO", 10), ("Unknown", 7), ("Series B", 5), ("Series C", 4), ("Series A", 3),
    ("Series D", 2), ("Seed", 2), ("Acquired", 2),
)  # fmt: skip

# OWID private AI investment (USD): entity, code, level by year 2015..2024, growth afterwards.
_OWID_ENTITIES = (
    ("China", "CHN", (2.4, 5.1, 7.3, 15.1, 14.9, 17.9, 25.9, 14.0, 8.4, 8.0), 0.03),
    ("United States", "USA", (10.6, 11.5, 15.5, 22.7, 34.0, 46.3, 86.9, 56.7, 64.4, 94.2), 0.08),
)  # fmt: skip
_OWID_REST_OF_WORLD_SHARE = 0.3


@dataclass(frozen=True)
class SampleManifest:
    """What :func:`generate_sample` wrote: payload files relative to ``out_dir``."""

    out_dir: Path
    end_month: str
    seed: int
    files: tuple[str, ...]
    retrieved_at: date


# ---------------------------------------------------------------------------------------------
# Public entry point
# ---------------------------------------------------------------------------------------------


def generate_sample(out_dir: Path, end_month: str = "2026-10", seed: int = 20151) -> SampleManifest:
    """Write a deterministic synthetic copy of the real data snapshot.

    The files use exactly the relative paths, columns, date formats, number formatting and
    row order of the real files under ``shared/data``, so the same adapters read both. The
    story is built in: the AI basket's prices run up far faster than its revenue from 2023-01
    to 2025-06, and software-development job postings cool in 2022-2023 and again in spring
    2026.

    Parameters
    ----------
    out_dir : Path
        Directory to write into (created if missing). Files already there are overwritten.
    end_month : str, default "2026-10"
        Last month of data, ``"YYYY-MM"`` between 2016-01 and 2100-12. Daily series end on
        the last business day of this month; JOLTS ends two months earlier.
    seed : int, default 20151
        Non-negative seed for ``numpy.random.default_rng``; each series draws from its own
        stream, so the same arguments give byte-identical files.

    Returns
    -------
    SampleManifest
        ``out_dir``, ``end_month``, ``seed``, the sorted relative paths of the payload files
        written (``SYNTHETIC.md`` excluded) and ``retrieved_at``, the 5th day of the month
        after ``end_month``.

    Raises
    ------
    ValueError
        If ``end_month`` is not a valid ``"YYYY-MM"`` month in range, or ``seed`` is not a
        non-negative integer.
    """
    year, month = _parse_end_month(end_month)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    seed = int(seed)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    retrieved_at = date(year + month // 12, month % 12 + 1, 5)
    month_end = retrieved_at.replace(day=1) - timedelta(days=1)
    holidays = _market_holidays(START.year, year)
    last_day = _to_date(
        np.busday_offset(np.datetime64(month_end), 0, roll="backward", holidays=holidays)
    )
    trading_days = _days(START, last_day, holidays=holidays)

    prices = _price_paths(trading_days, seed)
    tnx = _tnx_path(trading_days, seed)

    files = [
        *_write_adjclose(out_dir, trading_days, prices, tnx),
        _write_ohlcv_nvda(out_dir, trading_days, prices["NVDA"], seed),
        *_write_fundamentals(out_dir, trading_days, prices, seed, retrieved_at),
        *_write_fred(out_dir, seed, end_month, trading_days, holidays, tnx),
        *_write_indeed(out_dir, seed, last_day),
        _write_layoffs(out_dir, seed, end_month, month_end),
        _write_owid(out_dir, seed, year - 1),
    ]
    _write_readme(out_dir, end_month, seed, retrieved_at)
    return SampleManifest(out_dir, end_month, seed, tuple(sorted(files)), retrieved_at)


# ---------------------------------------------------------------------------------------------
# Small helpers: validation, randomness, calendars, paths, formatting, writing
# ---------------------------------------------------------------------------------------------


def _parse_end_month(end_month: object) -> tuple[int, int]:
    if not isinstance(end_month, str) or not _END_MONTH_RE.fullmatch(end_month):
        raise ValueError(
            f"end_month must be a 'YYYY-MM' string such as '2026-10', got {end_month!r}"
        )
    year, month = int(end_month[:4]), int(end_month[5:])
    if not 1 <= month <= 12:
        raise ValueError(f"end_month {end_month!r} has month {month}; months run 01..12")
    if not MIN_END_MONTH <= end_month <= MAX_END_MONTH:
        raise ValueError(
            f"end_month {end_month!r} is out of range; "
            f"it must be between {MIN_END_MONTH} and {MAX_END_MONTH}"
        )
    return year, month


def _rng(seed: int, *keys: str) -> np.random.Generator:
    """An independent, stable random stream per (seed, series) pair."""
    return np.random.default_rng([seed, *(zlib.crc32(k.encode()) for k in keys)])


def _market_holidays(first_year: int, last_year: int) -> np.ndarray:
    """New Year's Day, Independence Day, Thanksgiving and Christmas (no weekend shifting)."""
    days = []
    for y in range(first_year, last_year + 1):
        days += [f"{y}-01-01", f"{y}-07-04", f"{y}-12-25"]
        days.append(str(np.busday_offset(f"{y}-11-01", 3, roll="forward", weekmask="Thu")))
    return np.array(days, dtype="datetime64[D]")


def _days(
    first: date, last: date, holidays: np.ndarray | None = None, weekdays_only: bool = True
) -> np.ndarray:
    """Calendar days, weekdays, or business days (weekdays minus ``holidays``), first..last."""
    days = np.arange(np.datetime64(first), np.datetime64(last) + 1, dtype="datetime64[D]")
    if not weekdays_only:
        return days
    return days[np.is_busday(days, holidays=holidays if holidays is not None else [])]


def _months(first: str, last: str) -> np.ndarray:
    """First days of the months first..last ("YYYY-MM"), as datetime64[D]."""
    first_m, last_m = np.datetime64(first, "M"), np.datetime64(last, "M")
    return np.arange(first_m, last_m + 1, dtype="datetime64[M]").astype("datetime64[D]")


def _to_date(day: np.datetime64) -> date:
    return date.fromisoformat(str(day))


def _iso(days: np.ndarray) -> list[str]:
    return list(np.datetime_as_string(days, unit="D"))


def _interp(days: np.ndarray, anchors: Anchors) -> np.ndarray:
    """Linear interpolation through (date, level) anchors, flat beyond the first and last."""
    x = np.array([a for a, _ in anchors], dtype="datetime64[D]").astype(np.int64)
    y = np.array([v for _, v in anchors], dtype=np.float64)
    return np.interp(days.astype("datetime64[D]").astype(np.int64), x, y)


def _ar1(shocks: np.ndarray, phi: float) -> np.ndarray:
    """AR(1) filter along axis 0: out[t] = phi * out[t-1] + shocks[t]."""
    out = np.empty_like(shocks, dtype=np.float64)
    acc = np.zeros(shocks.shape[1:])
    for i in range(len(shocks)):
        acc = phi * acc + shocks[i]
        out[i] = acc
    return out


def _f32(values: np.ndarray) -> np.ndarray:
    """Round to float32 precision, as yfinance prices are, keeping float64 dtype."""
    return np.asarray(values, dtype=np.float64).astype(np.float32).astype(np.float64)


def _reprs(values: Iterable[float]) -> list[str]:
    """Shortest round-trip text of each float ("207.03509521484375", "4.6")."""
    return [repr(float(v)) for v in values]


def _rounded(values: np.ndarray, decimals: int) -> list[str]:
    """FRED-style: rounded, trailing zeros dropped but at least one decimal ("4.0"); ints if 0."""
    if decimals == 0:
        return [str(int(v)) for v in np.rint(values)]
    return _reprs(np.round(values, decimals))


def _index_text(values: np.ndarray) -> list[str]:
    """Indeed-style 2-decimal index without trailing zeros ("100", "99.8", "100.05")."""
    return [f"{v:.2f}".rstrip("0").rstrip(".") for v in values]


def _millions(value: float) -> float:
    """Round a currency amount to whole millions, as filings report them."""
    return float(round(float(value) / 1e6)) * 1e6


def _write_csv(
    out_dir: Path, rel: str, header: Sequence[str], rows: Iterable[Sequence[str]]
) -> str:
    """Write one CSV (``\\n`` line endings, minimal quoting); return its relative path."""
    path = out_dir / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return rel


# ---------------------------------------------------------------------------------------------
# Market paths
# ---------------------------------------------------------------------------------------------


def _price_paths(days: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    """Split-adjusted daily closes (float32 precision) for the AI basket and benchmarks.

    log price = log p0 + cumulative regime drift + market factor + idiosyncratic noise; the
    noise terms are slowly mean-reverting so the run-up and correction show in every seed.
    """
    n = len(days)
    regime = np.searchsorted(_REGIME_STARTS, days, side="right") - 1
    market = _ar1(_rng(seed, "prices", "market").normal(0.0, 0.010, n), _PRICE_PHI)
    paths = {}
    for ticker in AI_BASKET + BENCHMARKS:
        company = _COMPANIES.get(ticker)
        if company is not None:
            drift = np.array(_DRIFTS["ai"])[regime] * company.run_up
            price0, vol, beta = company.price0, company.vol, 0.7 + 0.4 * company.run_up
        else:
            drift = np.array(_DRIFTS[ticker])[regime]
            price0, vol, beta = _BENCHMARK_PRICE0[ticker], 0.004, 1.0
        idio = _ar1(_rng(seed, "prices", ticker).normal(0.0, vol, n), _PRICE_PHI)
        trend = np.cumsum(drift / _TRADING_YEAR) - drift[0] / _TRADING_YEAR
        noise = beta * market + idio
        paths[ticker] = _f32(price0 * np.exp(trend + noise - noise[0]))
    return paths


def _tnx_path(days: np.ndarray, seed: int) -> np.ndarray:
    """10-year Treasury yield in percent, 3 decimals, within [0.5, 6]."""
    level = _interp(days, _TNX_ANCHORS)
    noise = _ar1(_rng(seed, "tnx").normal(0.0, 0.035, len(days)), 0.97)
    return np.round(np.clip(level + noise * np.minimum(1.0, level / 2.0), 0.5, 6.0), 3)


# ---------------------------------------------------------------------------------------------
# Writers, one per format
# ---------------------------------------------------------------------------------------------


def _write_adjclose(
    out_dir: Path, days: np.ndarray, prices: dict[str, np.ndarray], tnx: np.ndarray
) -> list[str]:
    """prices_adjclose/<T>.csv: `Date,Close`, float32-precision closes on trading days."""
    dates = _iso(days)
    series = {**prices, TNX: _f32(tnx)}
    return [
        _write_csv(out_dir, f"prices_adjclose/{t}.csv", ("Date", "Close"), zip(dates, _reprs(p)))
        for t, p in series.items()
    ]


def _ny_midnight(day: date) -> str:
    """yfinance history timestamp: '2024-06-10 00:00:00-04:00' (America/New_York offset)."""
    new_york = ZoneInfo("America/New_York")  # cached by zoneinfo after the first call
    return datetime(day.year, day.month, day.day, tzinfo=new_york).isoformat(sep=" ")


def _write_ohlcv_nvda(out_dir: Path, days: np.ndarray, close: np.ndarray, seed: int) -> str:
    """prices_ohlcv_to2024/NVDA.csv in yfinance Ticker.history format, through 2024-11.

    Close is the adjclose path itself; splits are marked on their days and small quarterly
    dividends (0.004, then 0.01 after the 10:1 split) paid near the 5th of Mar/Jun/Sep/Dec.
    """
    last = np.datetime64(OHLCV_LAST_MONTH, "M") + 1
    keep = days < last.astype("datetime64[D]")
    days, close = days[keep], close[keep]
    n = len(days)
    rng = _rng(seed, "ohlcv", "NVDA")
    prev_close = np.concatenate([close[:1], close[:-1]])
    open_ = prev_close * np.exp(rng.normal(0.0, 0.012, n))
    high = np.maximum(open_, close) * np.exp(np.abs(rng.normal(0.0, 0.01, n)))
    low = np.minimum(open_, close) * np.exp(-np.abs(rng.normal(0.0, 0.01, n)))
    volume = np.rint(rng.lognormal(np.log(450e6), 0.35, n)).astype(np.int64)

    day_list = [_to_date(d) for d in days]
    splits = [NVDA_SPLITS.get(d, 0.0) for d in day_list]
    dividends = [0.0] * n
    for year in range(START.year, day_list[-1].year + 1 if n else START.year):
        for month in (3, 6, 9, 12):
            i = int(np.searchsorted(days, np.datetime64(date(year, month, 5))))
            if i < n and splits[i]:
                i += 1  # never pay on a split day
            if i < n:
                dividends[i] = 0.01 if day_list[i] >= max(NVDA_SPLITS) else 0.004

    rows = zip(
        (_ny_midnight(d) for d in day_list), _reprs(open_), _reprs(high), _reprs(low),
        _reprs(close), (str(v) for v in volume), _reprs(dividends), _reprs(splits),
    )  # fmt: skip
    header = ("Date", "Open", "High", "Low", "Close", "Volume", "Dividends", "Stock Splits")
    return _write_csv(out_dir, "prices_ohlcv_to2024/NVDA.csv", header, rows)


def _quarter_ends(retrieved_at: date) -> list[date]:
    """Calendar quarter ends from 2015-03-31 whose latest filing fits before retrieved_at."""
    ends, year, quarter = [], START.year, 1
    while True:
        month = 3 * quarter
        end = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
        if end + timedelta(days=FILING_LAG_DAYS[1]) > retrieved_at:
            return ends
        ends.append(end)
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)


def _write_fundamentals(
    out_dir: Path, days: np.ndarray, prices: dict[str, np.ndarray], seed: int, retrieved_at: date
) -> list[str]:
    """fundamentals_quarterly/<T>.csv: FMP-style quarterly rows, newest first."""
    quarter_ends = _quarter_ends(retrieved_at)
    written = []
    for ticker in AI_BASKET:
        rng = _rng(seed, "fundamentals", ticker)
        rows = []
        for q_end in quarter_ends:
            # first trading day on/after the period end (always exists: filings precede it)
            close = float(prices[ticker][int(np.searchsorted(days, np.datetime64(q_end)))])
            rows.append(_fundamental_row(ticker, q_end, close, rng))
        rel = f"fundamentals_quarterly/{ticker}.csv"
        written.append(_write_csv(out_dir, rel, _FUNDAMENTAL_COLUMNS, rows[::-1]))
    return written


def _fundamental_row(ticker: str, q_end: date, close: float, rng: np.random.Generator) -> tuple:
    """One quarter: revenue grows steadily, market cap follows the (run-up) price."""
    c = _COMPANIES[ticker]
    fx = TWD_PER_USD if ticker == "TSM" else 1.0
    years = (q_end - START).days / 365.25
    years_fast = min(years, 12.0)  # c.growth through 2026, then _REVENUE_GROWTH_LONG
    log_growth = np.log1p(c.growth) * years_fast
    log_growth += np.log1p(_REVENUE_GROWTH_LONG) * (years - years_fast)
    quarter = (q_end.month - 1) // 3 + 1
    noise = rng.normal(0.0, [0.03, 0.01, 0.015, 0.01, 0.1])
    filing = q_end + timedelta(days=int(rng.integers(FILING_LAG_DAYS[0], FILING_LAG_DAYS[1] + 1)))

    seasonal = _SEASONALITY[quarter - 1]
    revenue = _millions(c.revenue0_bn * 1e9 * fx * seasonal * np.exp(log_growth + noise[0]))
    gross = _millions(revenue * (c.gross_margin + noise[1]))
    operating = _millions(revenue * (c.op_margin + noise[2]))
    net = _millions(operating * (0.85 + noise[3]))
    shares = int(round(c.shares_bn * 1e9 * float(np.exp(c.share_drift * years)), -3))
    market_cap = close * shares * fx
    boom = 1.0 + (1.2 * float(np.clip((years - 8.0) / 2.5, 0.0, 1.0)) if c.capex_boom else 0.0)
    capex_per_share = revenue * c.capex_ratio * boom * float(np.exp(noise[4])) / shares
    return (
        q_end.isoformat(), ticker, "TWD" if ticker == "TSM" else "USD", str(c.cik),
        filing.isoformat(), f"{filing.isoformat()} 16:30:00", str(q_end.year), f"Q{quarter}",
        repr(revenue), repr(revenue - gross), repr(gross), repr(operating), repr(net),
        repr(round(net / shares, 2)), str(shares), str(int(round(shares * 1.012, -3))),
        repr(market_cap), repr(market_cap / revenue), repr(capex_per_share),
    )  # fmt: skip


def _write_fred(
    out_dir: Path,
    seed: int,
    end_month: str,
    trading_days: np.ndarray,
    holidays: np.ndarray,
    tnx: np.ndarray,
) -> list[str]:
    """fred/: monthly `date,value` and `observation_date,<ID>` files; DGS10, VIXCLS daily."""
    months = _months("2015-01", end_month)
    written = []
    for series_id, (anchors, noise_sd, decimals) in _FRED_MONTHLY.items():
        noise = _ar1(_rng(seed, "fred", series_id).normal(0.0, noise_sd, len(months)), 0.8)
        values = np.maximum(_interp(months, anchors) + noise, 0.04)
        rows = zip(_iso(months), _rounded(values, decimals))
        written.append(_write_csv(out_dir, f"fred/{series_id}.csv", ("date", "value"), rows))

    noise = _ar1(_rng(seed, "fred", "CES6054150001").normal(0.0, 3.0, len(months)), 0.8)
    rows = zip(_iso(months), (f"{v:.1f}" for v in _interp(months, _CES_ANCHORS) + noise))
    header = ("observation_date", "CES6054150001")
    written.append(_write_csv(out_dir, "fred/CES6054150001.csv", header, rows))

    # JOLTS lags two months; the file is an index (Dec 2000 = 100) of integer thousands.
    jolts_months = months[:-2]
    shock = _rng(seed, "fred", "JTU5100JOL").normal(0.0, 0.18, len(jolts_months))
    level = np.rint(_interp(jolts_months, _JOLTS_INFO_LEVEL_ANCHORS) * np.exp(shock))
    index = np.maximum(level, 20) / _JOLTS_BASE_THOUSANDS
    rows = zip(_iso(jolts_months), (f"{v:.5f}" for v in index))
    header = ("observation_date", "JTU5100JOL_NBD20001201")
    written.append(_write_csv(out_dir, "fred/JTU5100JOL_Information_Technology.csv", header, rows))

    rows = zip(_iso(trading_days), _rounded(tnx, 2))
    written.append(_write_csv(out_dir, "fred/DGS10.csv", ("date", "DGS10"), rows))

    # VIXCLS lists every weekday and leaves market holidays blank.
    weekdays = _days(START, _to_date(trading_days[-1]))
    noise = _ar1(_rng(seed, "fred", "VIXCLS").normal(0.0, 0.06, len(weekdays)), 0.95)
    vix = _rounded(np.clip(_interp(weekdays, _VIX_ANCHORS) * np.exp(noise), 9.0, 85.0), 2)
    vix = ["" if holiday else v for holiday, v in zip(np.isin(weekdays, holidays), vix)]
    rows = zip(_iso(weekdays), vix)
    written.append(_write_csv(out_dir, "fred/VIXCLS.csv", ("date", "value"), rows))
    return written


def _index_path(days: np.ndarray, anchors: Anchors, rng: np.random.Generator) -> np.ndarray:
    """A 7-day trailing average of a noisy anchored path, rebased to exactly 100 on day one."""
    if len(days) == 0:
        return np.zeros(0)
    raw = _interp(days, anchors) * np.exp(_ar1(rng.normal(0.0, 0.006, len(days)), 0.97))
    csum = np.concatenate([[0.0], np.cumsum(raw)])
    idx = np.arange(1, len(raw) + 1)
    window = np.minimum(idx, 7)
    smooth = (csum[idx] - csum[idx - window]) / window
    return np.round(smooth / smooth[0] * 100.0, 2)


def _write_indeed(out_dir: Path, seed: int, last_day: date) -> list[str]:
    """indeed_hiring_lab/: aggregate postings, four sectors (to 2024-09-27), FRED software dev."""
    days = _days(INDEED_START, last_day, weekdays_only=False)
    dates = _iso(days)
    softdev = _index_path(days, _SOFTDEV_ANCHORS, _rng(seed, "indeed", "softdev"))

    rows = []
    day_number = (days - np.datetime64(INDEED_START)).astype(np.int64)
    season = 1.0 + 0.035 * np.sin(2 * np.pi * day_number / 365.25)  # NSA / SA factor
    for variable, anchors in _AGGREGATE_ANCHORS.items():
        sa = _index_path(days, anchors, _rng(seed, "indeed", variable))
        nsa = np.round(sa * season, 2)
        n = len(days)
        rows += zip(dates, ["US"] * n, _index_text(sa), _index_text(nsa), [variable] * n)
    header = (
        "date", "jobcountry", "indeed_job_postings_index_SA", "indeed_job_postings_index_NSA",
        "variable",
    )  # fmt: skip
    written = [_write_csv(out_dir, "indeed_hiring_lab/aggregate_job_postings_US.csv", header, rows)]

    n_sector = int(np.sum(days <= np.datetime64(SECTOR_FILE_LAST_DAY)))
    rows = []
    for sector, levels in _SECTOR_LEVELS.items():
        if levels is None:  # older vintage of the FRED series: revised by ~0.3 points
            revision = 0.3 * np.minimum(1.0, np.arange(n_sector) / 30)
            values = np.round(softdev[:n_sector] + revision, 2)
        else:
            anchors = tuple(zip(_SECTOR_ANCHOR_DATES, levels))
            values = _index_path(days[:n_sector], anchors, _rng(seed, "indeed", sector))
        n = n_sector
        variable = ["total postings"] * n
        rows += zip(dates[:n], ["US"] * n, _index_text(values), variable, [sector] * n)
    header = ("date", "jobcountry", "indeed_job_postings_index", "variable", "display_name")
    rel = "indeed_hiring_lab/job_postings_by_sector_US.csv"
    written.append(_write_csv(out_dir, rel, header, rows))

    rows = zip(dates, (f"{v:.2f}" for v in softdev))
    header = ("observation_date", "IHLIDXUSTPSOFTDEVE")
    written.append(_write_csv(out_dir, "indeed_hiring_lab/IHLIDXUSTPSOFTDEVE.csv", header, rows))
    return written


def _layoff_rate(month: str) -> float:
    rate = 0.0
    for first, value in _LAYOFF_RATES:
        if month >= first:
            rate = value
    return rate


def _write_layoffs(out_dir: Path, seed: int, end_month: str, month_end: date) -> str:
    """layoffs_databyab/layoffs.csv: synthetic layoffs.fyi-style events, newest first."""
    events = []  # (day, sequence number, row)
    if end_month >= LAYOFFS_FIRST_MONTH:
        for month_start in _months(LAYOFFS_FIRST_MONTH, end_month):
            first = _to_date(month_start)
            rng = _rng(seed, "layoffs", first.isoformat())
            n_days = ((first.replace(day=28) + timedelta(days=4)).replace(day=1) - first).days
            for _ in range(int(rng.poisson(_layoff_rate(first.isoformat()[:7])))):
                day = first + timedelta(days=int(rng.integers(0, n_days)))
                added = min(day + timedelta(days=int(rng.integers(0, 8))), month_end)
                source = f"https://example.com/synthetic-layoffs/{first:%Y%m}-{len(events)}"
                events.append((day, len(events), _layoff_row(rng, day, added, source)))
    events.sort(key=lambda e: (-e[0].toordinal(), e[1]))
    header = (
        "company", "location", "total_laid_off", "date", "percentage_laid_off", "industry",
        "source", "stage", "funds_raised", "country", "date_added",
    )  # fmt: skip
    return _write_csv(out_dir, "layoffs_databyab/layoffs.csv", header, (e[2] for e in events))


def _layoff_row(rng: np.random.Generator, day: date, added: date, source: str) -> tuple:
    """One event; total_laid_off, percentage and funds are blank as often as in the real file."""
    loc_p = np.array([w for *_, w in _LAYOFF_LOCATIONS], dtype=float)
    stage_p = np.array([w for _, w in _LAYOFF_STAGES], dtype=float)
    location, country, _ = _LAYOFF_LOCATIONS[rng.choice(len(loc_p), p=loc_p / loc_p.sum())]
    stage = _LAYOFF_STAGES[rng.choice(len(stage_p), p=stage_p / stage_p.sum())][0]
    headcount = float(np.clip(np.rint(rng.lognormal(np.log(80), 1.2)), 3, 20000))
    share = float(rng.choice([0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.5, 1.0]))
    funds = int(np.rint(rng.lognormal(np.log(150), 1.5)))
    return (
        f"Synthco {int(rng.integers(1, 1500))}",
        location,
        "" if rng.random() < 0.35 else repr(headcount),
        _us_date(day),
        "" if rng.random() < 0.37 else repr(share),
        _LAYOFF_INDUSTRIES[int(rng.integers(len(_LAYOFF_INDUSTRIES)))],
        source,
        stage,
        "" if rng.random() < 0.12 else str(funds),
        country,
        _us_date(added),
    )


def _us_date(day: date) -> str:
    """M/D/YYYY without leading zeros, as layoffs.fyi exports write dates."""
    return f"{day.month}/{day.day}/{day.year}"


def _write_owid(out_dir: Path, seed: int, last_year: int) -> str:
    """owid_ai/private-investment-in-artificial-intelligence.csv: yearly USD, integers."""
    years = range(START.year, last_year + 1)
    values: dict[tuple[str, str], list[float]] = {}
    for year in years:
        i = year - START.year
        shocks = _rng(seed, "owid", str(year)).normal(0.0, 0.04, len(_OWID_ENTITIES) + 1)
        named = 0.0
        for (entity, code, levels_bn, growth), shock in zip(_OWID_ENTITIES, shocks):
            extra_years = max(0, i - len(levels_bn) + 1)
            level = levels_bn[min(i, len(levels_bn) - 1)] * 1e9 * (1 + growth) ** extra_years
            values.setdefault((entity, code), []).append(level * np.exp(shock))
            named += values[(entity, code)][-1]
        world = named * (1 + _OWID_REST_OF_WORLD_SHARE * np.exp(shocks[-1]))
        values.setdefault(("World", "OWID_WRL"), []).append(world)
    rows = [
        (entity, code, str(year), str(int(np.rint(value))))
        for (entity, code), series in values.items()
        for year, value in zip(years, series)
    ]
    header = ("Entity", "Code", "Year", "Global total private investment in AI")
    rel = "owid_ai/private-investment-in-artificial-intelligence.csv"
    return _write_csv(out_dir, rel, header, rows)


def _write_readme(out_dir: Path, end_month: str, seed: int, retrieved_at: date) -> None:
    text = (
        "# SYNTHETIC sample data\n\n"
        "Every file in this directory is SYNTHETIC: generated by\n"
        "`warehouse.sample.generate_sample` from a fixed random seed. The values are invented\n"
        "and are not market, labour or investment data; only the file formats and paths mirror\n"
        "the real snapshot.\n\n"
        f"- seed: {seed}\n"
        f"- end month: {end_month}\n"
        f"- retrieved_at: {retrieved_at.isoformat()}\n"
        f"- regenerate: `generate_sample(out_dir, end_month={end_month!r}, seed={seed})`\n"
    )
    (out_dir / "SYNTHETIC.md").write_text(text, encoding="utf-8")
