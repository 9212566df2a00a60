"""The AI basket by day and by month: market cap over TTM revenue, hyperscaler capex, and the ragged edge."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

QUARTER_DAYS = 365.25 / 4
BASES = ("reported", "nowcast", "carried_forward")
MONTHLY_COLUMNS = (
    "month", "month_end_date", "trading_days", "month_complete", "members", "member_tickers", "excluded_tickers",
    "synthetic", "basket_market_cap", "basket_ttm_revenue", "basket_ttm_revenue_filed", "price_to_sales",
    "price_to_sales_filed", "price_to_sales_equal_weight", "revenue_basis", "oldest_revenue_period",
    "newest_revenue_period", "revenue_age_days", "revenue_overdue_quarters", "nowcast_tickers",
    "carried_forward_tickers", "stale_tickers", "member_revenue_age_json",
)


class BasketInputError(ValueError):
    """Inputs the basket cannot be built from, naming the frame and column."""


@dataclass(frozen=True)
class RaggedEdge:
    """How months are filled after a company's last filing.

    A quarter is *overdue* at date t once its filing deadline (quarter end + ``filing_lag_days``)
    has passed without a filing in the data. With ``method = "nowcast"`` an overdue company's
    TTM figure is extrapolated by its own trailing growth, ``TTM_Q * g ** k`` with
    ``g = (TTM_Q / TTM_{Q-4}) ** (1/4)`` and k the overdue quarters, for at most
    ``max_nowcast_quarters`` quarters; after that it is held flat (carried forward). With
    ``method = "carry_forward"`` the last filed figure is held from the first overdue quarter.
    A company more than ``max_overdue_quarters`` overdue is *stale*: left out of the basket's
    sums and ratios (and named), never carried forward indefinitely.
    """

    filing_lag_days: int = 60
    max_nowcast_quarters: int = 2
    method: str = "nowcast"
    max_overdue_quarters: int = 2

    def __post_init__(self):
        if self.method not in ("nowcast", "carry_forward"):
            raise BasketInputError(f"ragged edge method {self.method!r} is not nowcast or carry_forward")
        if self.filing_lag_days < 0 or self.max_nowcast_quarters < 0 or self.max_overdue_quarters < 0:
            raise BasketInputError("filing_lag_days, max_nowcast_quarters and max_overdue_quarters must be 0 or more")


def _require(frame: pd.DataFrame, name: str, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise BasketInputError(f"{name} lacks column(s) {missing}; it has {list(frame.columns)}")


def filed_values(points: pd.DataFrame, fundamentals: pd.DataFrame, column: str,
                 ragged_edge: RaggedEdge) -> pd.DataFrame:
    """For each (ticker, date) in ``points``: the latest ``column`` filed by that date and its ragged edge.

    Returns ``points`` with ``{column}_filed`` (the last filed figure), ``period_end`` (its fiscal
    quarter end), ``overdue_quarters``, ``basis`` (reported, nowcast, carried_forward),
    ``growth_per_quarter``, ``{column}_used`` (the figure the basket uses), ``stale`` (more than
    ``max_overdue_quarters`` overdue: not to be counted) and ``revenue_age_days`` (date - period_end).
    Only quarters with ``filed_at`` on or before the point's date are used.
    """
    quarters = (
        fundamentals.loc[fundamentals[column].notna() & fundamentals["filed_at"].notna(),
                         ["ticker", "fiscal_period_end", "filed_at", column]]
        .sort_values(["ticker", "fiscal_period_end"])
        .copy()
    )
    by_ticker = quarters.groupby("ticker", sort=False)
    year_ago = by_ticker[column].shift(4)
    year_ago_end = by_ticker["fiscal_period_end"].shift(4)
    span = (quarters["fiscal_period_end"] - year_ago_end).dt.days
    ok = span.between(330, 400) & (year_ago > 0) & (quarters[column] > 0)
    quarters["growth_per_quarter"] = np.where(ok, (quarters[column] / year_ago) ** 0.25, np.nan)
    quarters = quarters.rename(columns={"fiscal_period_end": "period_end", column: f"{column}_filed"})
    quarters = quarters.sort_values(["filed_at", "period_end"], kind="stable")
    left = points.sort_values("date", kind="stable")
    # merge_asof needs the same dtype on both sides; an empty or object column would not match str.
    quarters["ticker"] = quarters["ticker"].astype(str)
    left = left.assign(ticker=left["ticker"].astype(str))
    merged = pd.merge_asof(left, quarters, left_on="date", right_on="filed_at", by="ticker",
                           direction="backward")
    lagged = (merged["date"] - pd.to_timedelta(ragged_edge.filing_lag_days, unit="D") - merged["period_end"])
    overdue = np.floor(lagged.dt.days / QUARTER_DAYS).clip(lower=0)
    merged["overdue_quarters"] = overdue.astype("Int64")
    filed = merged[f"{column}_filed"]
    growth = merged["growth_per_quarter"]
    horizon = overdue.clip(upper=ragged_edge.max_nowcast_quarters)
    can_nowcast = (ragged_edge.method == "nowcast") & growth.notna() & (horizon > 0)
    factor = np.where(can_nowcast, growth ** horizon, 1.0)
    merged[f"{column}_used"] = filed * factor
    basis = np.where(overdue.fillna(0) == 0, "reported",
                     np.where(can_nowcast & (overdue <= ragged_edge.max_nowcast_quarters), "nowcast",
                              "carried_forward"))
    merged["basis"] = np.where(filed.isna(), None, basis)
    merged["stale"] = filed.notna() & (overdue > ragged_edge.max_overdue_quarters)
    merged["revenue_age_days"] = (merged["date"] - merged["period_end"]).dt.days
    return merged


_BASIS_RANK = {basis: rank for rank, basis in enumerate(BASES)}


def _worst_basis(frame: pd.DataFrame, by: str, columns: list[str]) -> pd.Series:
    """Per group, the worst (latest in BASES) basis found in any of ``columns``."""
    ranks = pd.concat([frame[c].map(_BASIS_RANK) for c in columns], axis=1).max(axis=1)
    worst = ranks.groupby(frame[by]).max()
    return worst.map(dict(enumerate(BASES)))


@dataclass(frozen=True)
class BasketResults:
    """The fitted basket: the monthly table, the per-member months, and warnings. (The daily basket is the
    warehouse's own SQL mart, marts.ai_basket_daily.)"""

    monthly: pd.DataFrame = field(repr=False)
    member_monthly: pd.DataFrame = field(repr=False)
    members: tuple[str, ...]
    hyperscalers: tuple[str, ...]
    ragged_edge: RaggedEdge
    warnings: tuple[str, ...] = ()

    def summary(self) -> str:
        m = self.monthly
        if m.empty:
            return "AI basket: no month has a member with a market cap and USD TTM revenue"
        last = m.iloc[-1]
        return (
            f"AI basket {m['month'].iloc[0]:%Y-%m}..{last['month']:%Y-%m}: {len(m)} months; last month "
            f"{int(last['members'])} members, P/S {last['price_to_sales']:.2f} ({last['revenue_basis']}, "
            f"revenue {int(last['revenue_age_days'])} days old)"
        )


@dataclass(frozen=True)
class AIBasket:
    """Specification of the AI basket: members and hyperscalers come from the catalog's roles.

    Parameters
    ----------
    members : tuple of str
        Tickers with the ``ai_basket`` role. A member counts on a day when it has a market cap
        and USD TTM revenue filed by that day (TSM, reporting in TWD, never does).
    hyperscalers : tuple of str
        Tickers with the ``hyperscaler`` role, whose capex is summed.
    ragged_edge : RaggedEdge
    start : str, optional
        First month (YYYY-MM) of the monthly table.
    """

    members: tuple[str, ...]
    hyperscalers: tuple[str, ...] = ()
    ragged_edge: RaggedEdge = RaggedEdge()
    start: str | None = None

    def fit(self, prices: pd.DataFrame, fundamentals: pd.DataFrame) -> BasketResults:
        """Build the basket from ``marts.prices_daily`` and ``marts.fundamentals_quarterly`` rows.

        Parameters
        ----------
        prices : DataFrame
            ticker, date, market_cap, synthetic.
        fundamentals : DataFrame
            ticker, fiscal_period_end, filed_at, ttm_revenue_usd, ttm_capex_usd, synthetic.
        """
        _require(prices, "prices", ("ticker", "date", "market_cap", "synthetic"))
        _require(fundamentals, "fundamentals",
                 ("ticker", "fiscal_period_end", "filed_at", "ttm_revenue_usd", "ttm_capex_usd", "synthetic"))
        notes: list[str] = []
        prices = prices.assign(date=pd.to_datetime(prices["date"]))
        fundamentals = fundamentals.assign(
            fiscal_period_end=pd.to_datetime(fundamentals["fiscal_period_end"]),
            filed_at=pd.to_datetime(fundamentals["filed_at"]),
        )
        caps = prices.loc[prices["ticker"].isin(self.members) & prices["market_cap"].notna(),
                          ["ticker", "date", "market_cap", "synthetic"]]
        missing = sorted(set(self.members) - set(caps["ticker"]))
        if missing:
            notes.append(f"basket members with no market cap at all (no shares in the fundamentals): {missing}")

        month = caps["date"].dt.to_period("M")
        month_end = caps.assign(month=month).groupby(["ticker", "month"], sort=True)["date"].idxmax()
        points = caps.loc[month_end.to_numpy(), ["ticker", "date", "market_cap", "synthetic"]]
        points = points.assign(month=points["date"].dt.to_period("M").dt.to_timestamp())
        if self.start:
            points = points[points["month"] >= pd.Timestamp(self.start)]
        basket_last_day = points.groupby("month")["date"].transform("max")
        points = points.assign(month_end_date=basket_last_day)
        revenue = filed_values(points.assign(date=points["month_end_date"]), fundamentals,
                               "ttm_revenue_usd", self.ragged_edge)
        member_monthly = revenue.rename(columns={
            "ttm_revenue_usd_filed": "ttm_revenue_filed", "ttm_revenue_usd_used": "ttm_revenue",
            "period_end": "revenue_period_end", "overdue_quarters": "revenue_overdue_quarters",
            "basis": "revenue_basis", "growth_per_quarter": "revenue_growth_per_quarter",
            "stale": "revenue_stale",
        }).drop(columns=["filed_at"])
        member_monthly["counted"] = member_monthly["ttm_revenue_filed"].notna() & ~member_monthly["revenue_stale"]
        member_monthly["price_to_sales"] = member_monthly["market_cap"] / member_monthly["ttm_revenue"]
        member_monthly = member_monthly.sort_values(["month", "ticker"]).reset_index(drop=True)
        monthly = _monthly(member_monthly, self.members, prices, self.start)
        hyper = _hyperscalers(monthly[["month", "month_end_date"]], fundamentals, self.hyperscalers,
                              self.ragged_edge)
        monthly = monthly.merge(hyper, on="month", how="left")
        return BasketResults(
            monthly=monthly, member_monthly=member_monthly, members=tuple(self.members),
            hyperscalers=tuple(self.hyperscalers), ragged_edge=self.ragged_edge, warnings=tuple(notes),
        )


def _tickers_by_date(rows: pd.DataFrame, key: str = "date") -> dict:
    """key -> list of tickers, from rows sorted by key and ticker (no per-group Python calls)."""
    if rows.empty:
        return {}
    keys = rows[key].to_numpy()
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    groups = np.split(rows["ticker"].to_numpy(), starts[1:])
    return {pd.Timestamp(keys[i]): g.tolist() for i, g in zip(starts, groups, strict=True)}


def _monthly(member_monthly: pd.DataFrame, universe: tuple[str, ...], prices: pd.DataFrame,
             start: str | None) -> pd.DataFrame:
    """One row per month with any member price; months without a counted member say so by members = 0."""
    member_prices = prices.loc[prices["ticker"].isin(universe), ["date", "synthetic"]]
    month_of = member_prices["date"].dt.to_period("M").dt.to_timestamp()
    grid = member_prices.assign(month=month_of).groupby("month").agg(
        month_end_date=("date", "max"), trading_days=("date", "nunique"), synthetic=("synthetic", "any"))
    if start:
        grid = grid[grid.index >= pd.Timestamp(start)]
    if grid.empty:
        return pd.DataFrame(columns=list(MONTHLY_COLUMNS))
    last_price = member_prices["date"].max()
    months = grid.index.to_series()
    grid["month_complete"] = ((grid["month_end_date"] >= months + pd.offsets.BMonthEnd(0))
                              | (last_price > months + pd.offsets.MonthEnd(0)))
    counted = member_monthly[member_monthly["counted"]].sort_values(["month", "ticker"])
    stale = member_monthly[member_monthly["revenue_stale"]].sort_values(["month", "ticker"])
    aged = member_monthly[member_monthly["ttm_revenue_filed"].notna()].sort_values(["month", "ticker"])
    agg = counted.groupby("month").agg(
        members=("ticker", "size"),
        basket_market_cap=("market_cap", "sum"),
        basket_ttm_revenue=("ttm_revenue", "sum"),
        basket_ttm_revenue_filed=("ttm_revenue_filed", "sum"),
        price_to_sales_equal_weight=("price_to_sales", "mean"),
        oldest_revenue_period=("revenue_period_end", "min"),
        newest_revenue_period=("revenue_period_end", "max"),
        revenue_overdue_quarters=("revenue_overdue_quarters", "max"),
        any_synthetic=("synthetic", "any"),
    )
    agg["price_to_sales"] = agg["basket_market_cap"] / agg["basket_ttm_revenue"]
    agg["price_to_sales_filed"] = agg["basket_market_cap"] / agg["basket_ttm_revenue_filed"]
    agg["revenue_basis"] = _worst_basis(counted, "month", ["revenue_basis"])
    frame = grid.join(agg, how="left")
    frame["members"] = frame["members"].fillna(0).astype(int)
    frame["synthetic"] = frame["synthetic"] | frame["any_synthetic"].fillna(False).astype(bool)
    frame["revenue_age_days"] = (frame["month_end_date"] - frame["oldest_revenue_period"]).dt.days
    members = _tickers_by_date(counted, "month")
    by_basis = {basis: _tickers_by_date(counted[counted["revenue_basis"] == basis], "month")
                for basis in ("nowcast", "carried_forward")}
    frame["member_tickers"] = [members.get(m, []) for m in frame.index]
    frame["excluded_tickers"] = [sorted(set(universe) - set(members.get(m, []))) for m in frame.index]
    has = frame["members"] > 0
    frame["nowcast_tickers"] = [by_basis["nowcast"].get(m, []) if h else None for m, h in zip(frame.index, has)]
    frame["carried_forward_tickers"] = [by_basis["carried_forward"].get(m, []) if h else None
                                        for m, h in zip(frame.index, has)]
    stale_by_month = _tickers_by_date(stale, "month")
    frame["stale_tickers"] = [stale_by_month.get(m, []) for m in frame.index]
    # Every member with filed revenue (counted or stale): ticker -> days since its newest filed quarter ended.
    ages = {m: g for m, g in aged.groupby("month")[["ticker", "revenue_age_days"]]}
    frame["member_revenue_age_json"] = [
        json.dumps([{"k": t, "v": int(a)} for t, a in ages[m].itertuples(index=False)]) if m in ages else "[]"
        for m in frame.index]
    frame["revenue_overdue_quarters"] = frame["revenue_overdue_quarters"].astype("Int64")
    frame["revenue_age_days"] = frame["revenue_age_days"].astype("Int64")
    return frame.rename_axis("month").reset_index()[list(MONTHLY_COLUMNS)]


def _hyperscalers(months: pd.DataFrame, fundamentals: pd.DataFrame, tickers: tuple[str, ...],
                  ragged_edge: RaggedEdge) -> pd.DataFrame:
    """Hyperscalers' TTM capex and TTM revenue filed by each month end, with the same ragged edge."""
    columns = ["month", "hyperscaler_members", "hyperscaler_tickers", "hyperscaler_ttm_capex",
               "hyperscaler_ttm_revenue", "hyperscaler_capex_to_revenue", "hyperscaler_basis"]
    if not tickers or months.empty:
        return pd.DataFrame(columns=columns)
    grid = months.merge(pd.DataFrame({"ticker": list(tickers)}), how="cross")
    grid = grid.rename(columns={"month_end_date": "date"})
    capex = filed_values(grid, fundamentals, "ttm_capex_usd", ragged_edge)
    revenue = filed_values(grid, fundamentals, "ttm_revenue_usd", ragged_edge)
    both = capex[["month", "ticker", "ttm_capex_usd_used", "basis", "stale"]].merge(
        revenue[["month", "ticker", "ttm_revenue_usd_used", "basis", "stale"]], on=["month", "ticker"],
        suffixes=("_capex", "_revenue"))
    # A hyperscaler whose capex or revenue is stale is left out of both sums, as the basket leaves it out.
    both = both[both["ttm_capex_usd_used"].notna() & both["ttm_revenue_usd_used"].notna()
                & ~both["stale_capex"] & ~both["stale_revenue"]]
    both = both.sort_values(["month", "ticker"])
    if both.empty:
        return pd.DataFrame(columns=columns)
    out = both.groupby("month").agg(
        hyperscaler_members=("ticker", "size"),
        hyperscaler_ttm_capex=("ttm_capex_usd_used", "sum"),
        hyperscaler_ttm_revenue=("ttm_revenue_usd_used", "sum"),
    )
    tickers = _tickers_by_date(both, "month")
    out["hyperscaler_tickers"] = [tickers[m] for m in out.index]
    out["hyperscaler_capex_to_revenue"] = out["hyperscaler_ttm_capex"] / out["hyperscaler_ttm_revenue"]
    out["hyperscaler_basis"] = _worst_basis(both, "month", ["basis_capex", "basis_revenue"])
    return out.rename_axis("month").reset_index()[columns]
