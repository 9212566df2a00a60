"""Quarterly fundamentals in Financial Modeling Prep's CSV layout (income statement + key metrics)."""

from __future__ import annotations

import pandas as pd

from warehouse.sources.base import Adapter, Payload, Records
from warehouse.sources.csvtools import (
    is_missing,
    long_frame,
    parse_dates,
    parse_numbers,
    read_table,
    refuse_conflicting_duplicates,
    refuse_future,
)

# raw field -> FMP column; monetary fields are in the row's reportedCurrency.
_MONEY = {
    "revenue": "revenue",
    "cost_of_revenue": "costOfRevenue",
    "gross_profit": "grossProfit",
    "operating_income": "operatingIncome",
    "net_income": "netIncome",
    "rd_expense": "researchAndDevelopmentExpenses",
    "market_cap": "marketCap",
}
_SHARES = {"shares_outstanding": "weightedAverageShsOut", "shares_diluted": "weightedAverageShsOutDil"}
_REQUIRED = ("date", "symbol", "reportedCurrency", "period", "calendarYear", "fillingDate", "revenue",
             "weightedAverageShsOut")


class FmpCsv(Adapter):
    name = "fmp_csv"
    params_doc = {"symbol": "the symbol the file must hold (default: the series ticker)"}

    def parse(self, payload: Payload) -> Records:
        frame = read_table(payload, required=_REQUIRED)
        symbol = str(payload.query.params.get("symbol", payload.query.series.symbol))
        wrong = frame["symbol"].str.strip() != symbol
        if wrong.any():
            i = wrong.idxmax()
            raise payload.error(
                f"row is for symbol {frame['symbol'][i]!r}, not {symbol!r}", line=int(frame["_line"][i]),
                hint="point the catalog entry at this symbol's file, or set params.symbol",
            )
        period = frame["period"].str.strip()
        frame = frame[period.isin(["Q1", "Q2", "Q3", "Q4"])].reset_index(drop=True)
        if frame.empty:
            raise payload.error("no quarterly rows (period Q1..Q4)", hint="this adapter reads quarterly files")
        dates = parse_dates(payload, frame, "date")
        filed = parse_dates(payload, frame, "fillingDate")
        refuse_future(payload, frame, dates, "date")
        refuse_future(payload, frame, filed, "fillingDate")
        early = filed < dates
        if early.any():
            i = early.idxmax()
            raise payload.error(
                f"filed {filed[i]} before its fiscal period ended {dates[i]}", line=int(frame["_line"][i])
            )
        currency = frame["reportedCurrency"].str.strip()
        bad_ccy = is_missing(currency) | ~currency.str.fullmatch(r"[A-Z]{3}")
        if bad_ccy.any():
            i = bad_ccy.idxmax()
            raise payload.error(
                f"reportedCurrency {currency[i]!r} is not a currency code", line=int(frame["_line"][i])
            )
        parts = []
        for ccy in currency.unique():
            rows = frame[currency == ccy]
            money = {f: parse_numbers(payload, rows, c) for f, c in _MONEY.items() if c in rows.columns}
            if "capexPerShare" in rows.columns:
                # FMP states capex per share; capex in currency = per-share figure x weighted shares.
                per_share = parse_numbers(payload, rows, "capexPerShare")
                shares = parse_numbers(payload, rows, "weightedAverageShsOut")
                money["capex"] = (per_share * shares).abs()
            parts.append(long_frame(rows, dates[rows.index], money, ccy, published_at=filed[rows.index]))
        shares = {f: parse_numbers(payload, frame, c) for f, c in _SHARES.items() if c in frame.columns}
        parts.append(long_frame(frame, dates, shares, "shares", published_at=filed))
        fiscal = {
            "fiscal_year": parse_numbers(payload, frame, "calendarYear"),
            "fiscal_quarter": frame["period"].str.strip().str.slice(1).astype(float),
        }
        parts.append(long_frame(frame, dates, fiscal, "", published_at=filed))
        records = pd.concat(parts, ignore_index=True)
        revenue = records[records["field"] == "revenue"]
        if (revenue["value"] < 0).any():
            i = revenue.index[(revenue["value"] < 0).argmax()]
            raise payload.error(f"negative revenue {records['value'][i]}", line=int(records["_line"][i]))
        records = refuse_conflicting_duplicates(payload, records, ("obs_date", "field"))
        return Records("observations", records)
