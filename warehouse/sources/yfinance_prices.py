"""Yahoo Finance through yfinance: daily prices (one batched download), shares outstanding history."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import pandas as pd
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from warehouse.http import SourceUnreachable
from warehouse.sources.base import Payload, PayloadError, Query, Records, SourceContext
from warehouse.sources.csvtools import parse_dates, parse_numbers, read_table, refuse_future
from warehouse.sources.live import HttpAdapter
from warehouse.sources.yahoo_csv import YahooCsv

PRICE_COLUMNS = ["Open", "High", "Low", "Close", "Adj Close", "Volume", "Dividends", "Stock Splits"]
# A failure of the connection itself, not of one request: the source is down for this run.
_UNREACHABLE = re.compile(r"(resolve host|name or service|dns|connection refused|network is unreachable|"
                          r"ConnectionError|DNSError)", re.I)


class YahooClient:
    """The calls gapcast makes to yfinance, so tests can replay recorded frames in their place."""

    def download(self, tickers: Sequence[str], start: date | None) -> tuple[pd.DataFrame, dict[str, str]]:
        import yfinance as yf

        errors: dict[str, str] = {}
        handler = _ErrorCollector(errors)
        logger = logging.getLogger("yfinance")
        logger.addHandler(handler)
        try:
            frame = yf.download(
                list(tickers), start=start.isoformat() if start else None, period=None if start else "max",
                auto_adjust=False, actions=True, group_by="ticker", threads=False, progress=False,
                timeout=20, multi_level_index=True,
            )
        finally:
            logger.removeHandler(handler)
        return (frame if frame is not None else pd.DataFrame()), errors

    def history(self, ticker: str, start: date | None) -> pd.DataFrame:
        import yfinance as yf

        yf.config.debug.hide_exceptions = False  # raise YFRateLimitError and friends instead of logging
        return yf.Ticker(ticker).history(start=start.isoformat() if start else None,
                                         period=None if start else "max", auto_adjust=False, actions=True)

    def shares(self, ticker: str, start: date | None) -> pd.Series | None:
        import yfinance as yf

        return yf.Ticker(ticker).get_shares_full(start=(start or date(2000, 1, 1)).isoformat())

    def statements(self, ticker: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Quarterly income statement and cash flow: rows are line items, columns quarter ends."""
        import yfinance as yf

        t = yf.Ticker(ticker)
        return t.quarterly_income_stmt, t.quarterly_cashflow


class _ErrorCollector(logging.Handler):
    """yfinance reports a failed ticker by logging "['NVDA']: <reason>" rather than raising."""

    def __init__(self, sink: dict[str, str]):
        super().__init__(level=logging.ERROR)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        match = re.match(r"\[(.*?)\]:\s*(.*)", message, re.S)
        if match:
            for ticker in re.findall(r"'([^']+)'", match.group(1)):
                self.sink[ticker] = match.group(2).strip()[:300]


def _is_rate_limit(exc: BaseException) -> bool:
    return type(exc).__name__ == "YFRateLimitError" or "429" in str(exc) or "Too Many Requests" in str(exc)


def _worth_retrying(exc: BaseException) -> bool:
    return _is_rate_limit(exc) or isinstance(exc, OSError)


class YFinancePrices(HttpAdapter):
    name = "yfinance"
    check_url = "https://query1.finance.yahoo.com/"
    about = ("Yahoo Finance through yfinance (research use; Yahoo's terms restrict redistribution): daily "
             "open/high/low/close, adjusted close, volume, dividends and splits in one batched download, "
             "from the last stored day minus an overlap window (Yahoo revises recent days); shares "
             "outstanding history for market caps. Unofficial: rate limits (HTTP 429) and missing tickers "
             "are retried and then fail that series only.")
    params_doc = {
        "symbol": "the Yahoo symbol (default: the series id)",
        "overlap_days": "days before the last stored close to pull again (default 10)",
        "shares": "also pull the shares-outstanding history (default true)",
        "statements": "also pull quarterly revenue and capex, to cross-check SEC's figures (default false)",
    }

    def __init__(self, attempts: int = 3, sleep=None):
        self.attempts = attempts
        self.sleep = sleep

    def _retrying(self) -> Retrying:
        kwargs = {"sleep": self.sleep} if self.sleep else {}
        return Retrying(stop=stop_after_attempt(self.attempts), wait=wait_exponential_jitter(multiplier=2, max=60),
                        retry=retry_if_exception(_worth_retrying), reraise=True, **kwargs)

    def _start(self, series, context: SourceContext) -> date | None:
        last = context.last_date(series.id, "adj_close")
        return last - timedelta(days=int(series.params.get("overlap_days", 10))) if last else None

    def prepare(self, series: list, context: SourceContext) -> None:
        client = context.yahoo or YahooClient()
        context.yahoo = client
        groups: dict[date | None, list[str]] = {}
        for s in series:
            groups.setdefault(self._start(s, context), []).append(self._symbol(s))
        # New tickers need their whole history; the others one window from the earliest last day.
        known = [start for start in groups if start is not None]
        plan = {None: groups.get(None, [])}
        if known:
            plan[min(known)] = [t for start, ts in groups.items() if start is not None for t in ts]
        for start, tickers in plan.items():
            if not tickers:
                continue
            try:
                frame, errors = self._retrying()(client.download, tickers, start)
            except Exception as exc:  # the whole batch failed: each ticker falls back to its own request
                frame, errors = pd.DataFrame(), {t: f"{type(exc).__name__}: {exc}" for t in tickers}
            for ticker in tickers:
                context.batches[f"yfinance:{ticker}"] = (_one_ticker(frame, ticker, len(tickers)),
                                                         errors.get(ticker))
        down = [e for _, e in (context.batches.get(f"yfinance:{t}", (None, None)) for ts in plan.values()
                                                                                     for t in ts) if e]
        if down and len(down) == sum(len(ts) for ts in plan.values()) and all(_UNREACHABLE.search(e) for e in down):
            context.batches["yfinance:unreachable"] = down[0]

    def _symbol(self, series) -> str:
        return str(series.params.get("symbol", series.id))

    def queries(self, series, context: SourceContext | None = None) -> list[Query]:
        symbol = self._symbol(series)
        start = self._start(series, context) if context is not None else None
        out = [Query(series, f"yfinance:{symbol}:prices", {**series.params, "_part": "prices", "_start": start})]
        if bool(series.params.get("shares", True)):
            out.append(Query(series, f"yfinance:{symbol}:shares", {**series.params, "_part": "shares",
                                                                  "_start": start}))
        if bool(series.params.get("statements", False)):
            out.append(Query(series, f"yfinance:{symbol}:statements", {**series.params, "_part": "statements"}))
        return out

    def fetch(self, query: Query, context: SourceContext | None = None) -> Payload | None:
        symbol = self._symbol(query.series)
        unreachable = context.batches.get("yfinance:unreachable") if context else None
        if unreachable:
            raise SourceUnreachable("yfinance", f"https://finance.yahoo.com/quote/{symbol}",
                                    f"Yahoo Finance could not be reached ({unreachable[:120]})",
                                    "check the network, or run with --catalog snapshot or --catalog sample")
        client = (context.yahoo if context and context.yahoo else None) or YahooClient()
        start = query.params.get("_start")
        if query.params["_part"] == "statements":
            try:
                income, cashflow = self._retrying()(client.statements, symbol)
            except Exception as exc:
                raise PayloadError(query.location, query.series.id,
                                   f"Yahoo statements failed ({type(exc).__name__}: {str(exc)[:160]})",
                                   hint="run again later") from None
            content = _statements_csv(income, cashflow)
            if content is None:
                return None  # Yahoo has no statements for this symbol
        elif query.params["_part"] == "shares":
            try:
                shares = self._retrying()(client.shares, symbol, start)
            except Exception as exc:
                raise PayloadError(query.location, query.series.id,
                                   f"Yahoo shares outstanding failed ({type(exc).__name__}: {str(exc)[:160]})",
                                   hint="run again later") from None
            if shares is None or len(pd.Series(shares).dropna()) == 0:
                return None  # Yahoo has no share history for this symbol: nothing to load, not a failure
            content = _shares_csv(shares)
        else:
            frame, error = context.batches.get(f"yfinance:{symbol}", (None, None)) if context else (None, None)
            if frame is None or frame.empty:
                try:
                    frame = self._retrying()(client.history, symbol, start)
                except Exception as exc:
                    described = f"{type(exc).__name__}: {exc}"
                    if isinstance(exc, OSError) and context is not None and _UNREACHABLE.search(described):
                        context.batches["yfinance:unreachable"] = described
                    reason = error or f"{type(exc).__name__}: {str(exc)[:160]}"
                    raise PayloadError(query.location, query.series.id, f"Yahoo returned no prices ({reason})",
                                       hint="check the symbol in the catalog, or run again later if Yahoo "
                                            "is rate-limiting") from None
            if frame is None or frame.empty:
                raise PayloadError(query.location, query.series.id,
                                   f"Yahoo returned no prices ({error or 'an empty frame'})",
                                   hint="check the symbol in the catalog (delisted or renamed?)")
            content = _prices_csv(frame)
        return Payload(query=query, content=content, origin=query.location,
                       retrieved_at=datetime.now(UTC).replace(tzinfo=None))

    def parse(self, payload: Payload) -> Records:
        if payload.query.params.get("_part") == "statements":
            frame = read_table(payload, required=("Date", "Revenue", "Capex"))
            dates = parse_dates(payload, frame, "Date")
            refuse_future(payload, frame, dates, "Date")
            fields = {"revenue_yahoo": parse_numbers(payload, frame, "Revenue"),
                      "capex_yahoo": parse_numbers(payload, frame, "Capex").abs()}
            parts = [pd.DataFrame({"entity": "", "obs_date": dates, "field": name, "value": values, "unit": "USD",
                                   "published_at": None, "_line": frame["_line"]}) for name, values in fields.items()]
            records = pd.concat(parts, ignore_index=True)
            return Records("observations", records[records["value"].notna()].reset_index(drop=True))
        if payload.query.params.get("_part") == "shares":
            frame = read_table(payload, required=("Date", "Shares"))
            dates = parse_dates(payload, frame, "Date")
            refuse_future(payload, frame, dates, "Date")
            shares = parse_numbers(payload, frame, "Shares", what="share count")
            if (shares <= 0).any():
                i = (shares <= 0).idxmax()
                raise payload.error(f"share count {frame['Shares'][i]!r} is not positive", line=int(frame["_line"][i]))
            records = pd.DataFrame({"entity": "", "obs_date": dates, "field": "shares_outstanding",
                                    "value": shares, "unit": "shares", "published_at": None,
                                    "_line": frame["_line"]})
            return Records("observations", records[records["value"].notna()].reset_index(drop=True))
        as_history = Payload(
            query=Query(payload.query.series, payload.query.location, {"adjusted": False}, payload.query.retrieved_at),
            content=payload.content, origin=payload.origin, retrieved_at=payload.retrieved_at)
        return YahooCsv().parse(as_history)


def _one_ticker(frame: pd.DataFrame, ticker: str, n_tickers: int) -> pd.DataFrame:
    """This ticker's columns from a batched download, whatever the column layout came back as."""
    if frame is None or frame.empty:
        return pd.DataFrame()
    if isinstance(frame.columns, pd.MultiIndex):
        for level in range(frame.columns.nlevels):
            if ticker in frame.columns.get_level_values(level):
                part = frame.xs(ticker, axis=1, level=level)
                break
        else:
            return pd.DataFrame()
    elif n_tickers == 1:
        part = frame
    else:
        return pd.DataFrame()
    part = part.dropna(how="all")
    return part


def _prices_csv(frame: pd.DataFrame) -> bytes:
    """The frame as a Yahoo history CSV: local exchange dates, the standard columns, no empty rows."""
    frame = frame.copy()
    index = pd.DatetimeIndex(frame.index)
    if index.tz is not None:
        index = index.tz_localize(None)  # the exchange's local date is the trading date
    frame.index = index.normalize()
    frame.index.name = "Date"
    frame = frame[[c for c in PRICE_COLUMNS if c in frame.columns]]
    price_cols = [c for c in ("Close", "Adj Close") if c in frame.columns]
    frame = frame.dropna(subset=price_cols, how="all")  # Yahoo leaves NaN in the latest rows at times
    frame = frame[~frame.index.duplicated(keep="last")]
    buffer = io.StringIO()
    frame.to_csv(buffer, date_format="%Y-%m-%d", float_format="%.10g", lineterminator="\n")
    return buffer.getvalue().encode()


def _shares_csv(shares: pd.Series) -> bytes:
    series = pd.Series(shares).dropna()
    index = pd.DatetimeIndex(series.index)
    if index.tz is not None:
        index = index.tz_convert("America/New_York").tz_localize(None)
    series.index = index.normalize()
    series = series[~series.index.duplicated(keep="last")].sort_index()
    frame = series.rename("Shares").to_frame()
    frame.index.name = "Date"
    buffer = io.StringIO()
    frame.to_csv(buffer, date_format="%Y-%m-%d", float_format="%.0f", lineterminator="\n")
    return buffer.getvalue().encode()


def _statements_csv(income: pd.DataFrame | None, cashflow: pd.DataFrame | None) -> bytes | None:
    """Quarter end, total revenue and capital expenditure from yfinance's statement frames."""
    def line(frame, names):
        if frame is None or frame.empty:
            return pd.Series(dtype="float64")
        for name in names:
            if name in frame.index:
                return pd.to_numeric(frame.loc[name], errors="coerce")
        return pd.Series(dtype="float64")

    revenue = line(income, ("Total Revenue", "Operating Revenue"))
    capex = line(cashflow, ("Capital Expenditure", "Purchase Of PPE"))
    if revenue.empty and capex.empty:
        return None
    frame = pd.concat({"Revenue": revenue, "Capex": capex}, axis=1)
    frame.index = pd.DatetimeIndex(frame.index).tz_localize(None).normalize() \
        if getattr(pd.DatetimeIndex(frame.index), "tz", None) else pd.DatetimeIndex(frame.index).normalize()
    frame.index.name = "Date"
    frame = frame.sort_index()
    buffer = io.StringIO()
    frame.to_csv(buffer, date_format="%Y-%m-%d", float_format="%.0f", lineterminator="\n")
    return buffer.getvalue().encode()
