"""Divergence between AI valuations and revenue: expanding z-score, cointegration gap, capex gap, required revenue."""

from __future__ import annotations

import math
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from models.basket import QUARTER_DAYS, RaggedEdge, filed_values


class DivergenceInputError(ValueError):
    """Inputs a divergence model cannot use, naming the series or column."""


@contextmanager
def recorded_warnings(into: list[str], context: str):
    """Record every warning raised inside (statsmodels' ConvergenceWarning, ValueWarning, ...) into
    ``into`` as ``"context: Category: message"``: kept in the results, never printed or dropped."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for w in caught:
        text = f"{context}: {w.category.__name__}: {str(w.message).splitlines()[0]}"
        if text not in into:
            into.append(text)


def _monthly_series(series: pd.Series, name: str) -> pd.Series:
    if not isinstance(series, pd.Series):
        raise DivergenceInputError(f"{name} must be a pandas Series indexed by month")
    return series.astype(float).rename(name)


def half_life(rho: float) -> float:
    """Periods for a deviation to halve when it follows ``gap_t = rho * gap_{t-1}``: NaN unless 0 < rho < 1."""
    if not 0 < rho < 1:
        return float("nan")
    return math.log(0.5) / math.log(rho)


# -- expanding z-score -------------------------------------------------------------------------


@dataclass(frozen=True)
class ZScoreResults:
    """z_t = (x_t - mean(x_<t)) / sd(x_<t): each month against the history before it only."""

    zscore: pd.Series = field(repr=False)
    history_mean: pd.Series = field(repr=False)
    history_sd: pd.Series = field(repr=False)
    history_months: pd.Series = field(repr=False)
    min_history: int
    warnings: tuple[str, ...] = ()

    def summary(self) -> str:
        z = self.zscore.dropna()
        if z.empty:
            return f"expanding z-score: no month has {self.min_history} months of history yet"
        return (f"expanding z-score ({self.min_history}+ months of history): {len(z)} months, "
                f"last {z.index[-1]:%Y-%m} {z.iloc[-1]:+.2f}, range {z.min():+.2f}..{z.max():+.2f}")

    def reason(self, month) -> str | None:
        """Why the z-score of ``month`` is absent, or None when it is present."""
        if pd.notna(self.zscore.get(month)):
            return None
        n = int(self.history_months.get(month, 0))
        return f"needs {self.min_history} months of history before the month, has {n}"


@dataclass(frozen=True)
class ExpandingZScore:
    """Specification: expanding z-score of ``series`` against its own past, nothing looking ahead.

    Parameters
    ----------
    series : pandas.Series
        E.g. log price-to-sales by month; missing months are skipped.
    min_history : int, default 36
        Months of history needed before a z-score is given.
    """

    series: pd.Series
    min_history: int = 36

    def fit(self) -> ZScoreResults:
        x = _monthly_series(self.series, "series")
        valid = x.notna()
        past = x.where(valid).shift(1)
        count = valid.astype(int).cumsum().shift(1, fill_value=0)
        mean = past.expanding(min_periods=1).mean()
        sd = past.expanding(min_periods=2).std(ddof=1)
        z = (x - mean) / sd
        z = z.where((count >= self.min_history) & valid & (sd > 0))
        return ZScoreResults(zscore=z.rename("zscore"), history_mean=mean, history_sd=sd,
                             history_months=count, min_history=self.min_history)


# -- cointegration gap -------------------------------------------------------------------------


@dataclass(frozen=True)
class EngleGrangerResults:
    """Engle-Granger: OLS of log cap on log revenue, the ADF test of its residual, and the ECM."""

    statistic: float
    pvalue: float
    critical_values: tuple[float, float, float]
    intercept: float
    slope: float
    speed: float
    speed_tstat: float
    half_life: float
    ecm_lags: int
    nobs: int
    gap: pd.Series = field(repr=False)


@dataclass(frozen=True)
class JohansenResults:
    """Johansen trace and max-eigenvalue tests and the rank-1 VECM of (log cap, log revenue).

    Unrestricted constant (Johansen's case 3); the gap ``log cap + beta_revenue log revenue +
    constant`` is centred on its mean over the estimation sample (``constant``).
    """

    k_ar_diff: int
    lag_criterion: str
    trace: tuple[float, ...]
    trace_cv95: tuple[float, ...]
    max_eig: tuple[float, ...]
    max_eig_cv95: tuple[float, ...]
    rank: int
    beta_revenue: float
    constant: float
    alpha_cap: float
    alpha_revenue: float
    gap_speed: float
    half_life: float
    nobs: int
    gap: pd.Series = field(repr=False)


@dataclass(frozen=True)
class CointegrationResults:
    """The cointegration gap: the log valuation that log revenue does not explain."""

    engle_granger: EngleGrangerResults
    johansen: JohansenResults | None
    realtime_gap: pd.Series = field(repr=False)
    estimation_start: pd.Timestamp = None
    estimation_end: pd.Timestamp = None
    warnings: tuple[str, ...] = ()

    def summary(self) -> str:
        eg = self.engle_granger
        lines = [
            f"Cointegration of log market cap on log TTM revenue, {self.estimation_start:%Y-%m}.."
            f"{self.estimation_end:%Y-%m} ({eg.nobs} months)",
            f"  Engle-Granger: log cap = {eg.intercept:.3f} + {eg.slope:.3f} log revenue; ADF t {eg.statistic:.3f} "
            f"(p {eg.pvalue:.3f}); ECM speed {eg.speed:.4f} (t {eg.speed_tstat:.2f}), half-life "
            f"{eg.half_life:.1f} months",
        ]
        if self.johansen is not None:
            j = self.johansen
            lines.append(
                f"  Johansen (k_ar_diff {j.k_ar_diff} by {j.lag_criterion}): trace {j.trace[0]:.2f} vs 95% "
                f"{j.trace_cv95[0]:.2f}, rank {j.rank}; beta revenue {j.beta_revenue:.3f}; alpha cap "
                f"{j.alpha_cap:.4f}; gap half-life {j.half_life:.1f} months")
        lines.extend(f"  warning: {w}" for w in self.warnings)
        return "\n".join(lines)


@dataclass(frozen=True)
class CointegrationGap:
    """Specification of the cointegration gap of log market cap on log TTM revenue.

    Parameters
    ----------
    log_cap, log_revenue : pandas.Series
        Monthly, on the same index.
    estimation : pandas.Series of bool, optional
        Months used to estimate (e.g. those before the ragged edge). The gap is then computed
        for every month with the estimated parameters.
    ecm_lags : int, default 1
        Lagged differences of both series in the error-correction model.
    vecm_max_lags : int, default 12
        Largest VAR order tried when choosing the Johansen lag.
    lag_criterion : str, default "bic"
        aic, bic, hqic or fpe, for statsmodels' ``select_order``.
    realtime_min_months : int, default 60
        Months before the first real-time (expanding-window) gap.
    """

    log_cap: pd.Series
    log_revenue: pd.Series
    estimation: pd.Series | None = None
    ecm_lags: int = 1
    vecm_max_lags: int = 12
    lag_criterion: str = "bic"
    realtime_min_months: int = 60

    def fit(self) -> CointegrationResults:
        from statsmodels.regression.linear_model import OLS
        from statsmodels.tsa.stattools import coint
        from statsmodels.tsa.vector_ar.vecm import VECM, coint_johansen, select_order

        y = _monthly_series(self.log_cap, "log_cap")
        x = _monthly_series(self.log_revenue, "log_revenue").reindex(y.index)
        usable = y.notna() & x.notna()
        if self.estimation is not None:
            usable &= self.estimation.reindex(y.index).fillna(False).astype(bool)
        sample = pd.DataFrame({"log_cap": y, "log_revenue": x})[usable]
        if len(sample) < 24:
            raise DivergenceInputError(
                f"cointegration needs at least 24 months with both log cap and log revenue; has {len(sample)}")
        notes: list[str] = []

        with recorded_warnings(notes, "Engle-Granger"):
            test = coint(sample["log_cap"].to_numpy(), sample["log_revenue"].to_numpy(), trend="c", autolag="aic")
            design = np.column_stack([np.ones(len(sample)), sample["log_revenue"].to_numpy()])
            ols = OLS(sample["log_cap"].to_numpy(), design).fit()
            intercept, slope = (float(v) for v in ols.params)
            gap = (y - intercept - slope * x).rename("coint_gap_eg")
            speed, speed_t, ecm_n = self._ecm(sample, gap, OLS)
        if test.pvalue > 0.05:
            notes.append(
                f"Engle-Granger: no cointegration at 5% (ADF t {test.coint_t:.2f}, p {test.pvalue:.2f}): read the gap "
                "as relative valuation, not as an error that must close")
        eg = EngleGrangerResults(
            statistic=float(test.coint_t), pvalue=float(test.pvalue),
            critical_values=tuple(float(v) for v in test.critical_values),
            intercept=intercept, slope=slope, speed=speed, speed_tstat=speed_t,
            half_life=half_life(1 + speed), ecm_lags=self.ecm_lags, nobs=ecm_n, gap=gap,
        )
        if not speed < 0:
            notes.append(f"Engle-Granger ECM: speed {speed:.4f} is not negative: no error correction, no half-life")

        johansen = None
        with recorded_warnings(notes, "Johansen"):
            # Arrays, not the frame: the estimation months need not be a regular calendar.
            data = sample[["log_cap", "log_revenue"]].to_numpy()
            # Case 3 of Johansen (1991): both series trend, so the constant is unrestricted ("co", as
            # coint_johansen's det_order=0); with it inside the relation ("ci") the drift would have to
            # come through a non-zero mean of the gap.
            order = select_order(data, maxlags=self.vecm_max_lags, deterministic="co")
            k = int(order.selected_orders[self.lag_criterion])
            jtest = coint_johansen(data, det_order=0, k_ar_diff=k)
            rank = 0
            for stat, cv in zip(jtest.lr1, jtest.cvt[:, 1], strict=True):
                if stat > cv:
                    rank += 1
                else:
                    break
            vecm = VECM(data, k_ar_diff=k, coint_rank=1, deterministic="co").fit()
            beta = vecm.beta[:, 0] / vecm.beta[0, 0]
            alpha = vecm.alpha[:, 0] * vecm.beta[0, 0]
            # The relation holds up to a constant: centre the gap on its estimation-sample mean.
            constant = -float((data @ beta).mean())
            jgap = (y + beta[1] * x + constant).rename("coint_gap_johansen")
            gap_speed = float(beta @ alpha)
            johansen = JohansenResults(
                k_ar_diff=k, lag_criterion=self.lag_criterion,
                trace=tuple(float(v) for v in jtest.lr1), trace_cv95=tuple(float(v) for v in jtest.cvt[:, 1]),
                max_eig=tuple(float(v) for v in jtest.lr2), max_eig_cv95=tuple(float(v) for v in jtest.cvm[:, 1]),
                rank=rank, beta_revenue=float(beta[1]), constant=constant, alpha_cap=float(alpha[0]),
                alpha_revenue=float(alpha[1]), gap_speed=gap_speed, half_life=half_life(1 + gap_speed),
                nobs=int(vecm.nobs), gap=jgap,
            )
        if rank == 0:
            notes.append(
                f"Johansen: the trace test finds no cointegrating vector at 5% (trace {jtest.lr1[0]:.2f} < "
                f"{jtest.cvt[0, 1]:.2f}); the gap is the rank-1 VECM estimate regardless")

        realtime = self._realtime(y, x, usable)
        return CointegrationResults(
            engle_granger=eg, johansen=johansen, realtime_gap=realtime,
            estimation_start=sample.index[0], estimation_end=sample.index[-1], warnings=tuple(notes),
        )

    def _ecm(self, sample: pd.DataFrame, gap: pd.Series, ols_class) -> tuple[float, float, int]:
        """dy_t = c + speed * gap_{t-1} + g dx_t + sum_i (a_i dy_{t-i} + b_i dx_{t-i}) + e_t."""
        dy = sample["log_cap"].diff()
        dx = sample["log_revenue"].diff()
        columns = {"gap_lag": gap.reindex(sample.index).shift(1), "dx": dx}
        for i in range(1, self.ecm_lags + 1):
            columns[f"dy_lag{i}"] = dy.shift(i)
            columns[f"dx_lag{i}"] = dx.shift(i)
        frame = pd.DataFrame({"dy": dy, **columns}).dropna()
        design = np.column_stack([np.ones(len(frame)), frame.drop(columns="dy").to_numpy()])
        fit = ols_class(frame["dy"].to_numpy(), design).fit()
        return float(fit.params[1]), float(fit.tvalues[1]), int(fit.nobs)

    def _realtime(self, y: pd.Series, x: pd.Series, usable: pd.Series) -> pd.Series:
        """The Engle-Granger gap of each month from a fit on the estimation months up to it."""
        out = pd.Series(np.nan, index=y.index, name="coint_gap_eg_realtime")
        ys, xs, ok = y.to_numpy(), x.to_numpy(), usable.to_numpy()
        for t in range(len(y)):
            mask = ok[: t + 1]
            if mask.sum() < self.realtime_min_months or np.isnan(ys[t]) or np.isnan(xs[t]):
                continue
            design = np.column_stack([np.ones(mask.sum()), xs[: t + 1][mask]])
            coef, *_ = np.linalg.lstsq(design, ys[: t + 1][mask], rcond=None)
            out.iloc[t] = ys[t] - coef[0] - coef[1] * xs[t]
        return out


# -- capex gap ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CapexGapResults:
    """Year-on-year growth of hyperscaler capex against the revenue it is meant to earn."""

    frame: pd.DataFrame = field(repr=False)
    warnings: tuple[str, ...] = ()

    def summary(self) -> str:
        last = self.frame.dropna(subset=["capex_gap"])
        if last.empty:
            return "capex gap: no month with hyperscaler capex and revenue a year apart"
        row = last.iloc[-1]
        return (f"capex gap {last.index[-1]:%Y-%m}: capex {row['capex_growth_yoy']:+.1%} against revenue "
                f"{row['hyperscaler_revenue_growth_yoy']:+.1%} a year: {row['capex_gap'] * 100:+.1f} pp")


@dataclass(frozen=True)
class CapexGap:
    """Specification: capex growth minus revenue growth of the hyperscalers, year on year.

    Parameters
    ----------
    monthly : DataFrame
        month, hyperscaler_tickers, hyperscaler_ttm_capex, hyperscaler_ttm_revenue (the basket's
        monthly table). Growth is computed only when the same companies are summed in both months.
    """

    monthly: pd.DataFrame

    def fit(self) -> CapexGapResults:
        m = self.monthly.set_index("month").sort_index()
        tickers = m["hyperscaler_tickers"].map(lambda t: tuple(t) if isinstance(t, (list, tuple, np.ndarray)) else None)
        year_ago = m.index - pd.DateOffset(years=1)
        capex_then = m["hyperscaler_ttm_capex"].reindex(year_ago).to_numpy()
        revenue_then = m["hyperscaler_ttm_revenue"].reindex(year_ago).to_numpy()
        same = tickers.to_numpy() == tickers.reindex(year_ago).to_numpy()
        capex_growth = np.where(same, m["hyperscaler_ttm_capex"].to_numpy() / capex_then - 1, np.nan)
        revenue_growth = np.where(same, m["hyperscaler_ttm_revenue"].to_numpy() / revenue_then - 1, np.nan)
        frame = pd.DataFrame({
            "capex_growth_yoy": capex_growth,
            "hyperscaler_revenue_growth_yoy": revenue_growth,
            "capex_gap": capex_growth - revenue_growth,
            "capex_to_revenue": m["hyperscaler_capex_to_revenue"].to_numpy(),
            "capex_gap_reason": [
                None if not np.isnan(g) else (
                    "no hyperscaler capex and revenue filed a year earlier" if np.isnan(c) else
                    "the hyperscalers summed differ from a year earlier")
                for g, c in zip(capex_growth - revenue_growth, capex_then, strict=True)
            ],
        }, index=m.index)
        return CapexGapResults(frame=frame)


# -- required revenue (Sequoia Capital, "AI's $600B question") ---------------------------------


@dataclass(frozen=True)
class Assumption:
    """One assumption with its unit and source, as printed beside every result that uses it."""

    key: str
    value: object
    unit: str
    source: str


@dataclass(frozen=True)
class RequiredRevenueAssumptions:
    """Cahn's chain: GPU spend x cost multiple = data-centre spend; x margin multiple = required revenue.

    ``data_center_revenue`` maps the GPU vendor's fiscal year to its data-centre revenue (USD),
    ``realized_ai_revenue`` is a tuple of (first month, USD a year) estimates, each carried
    forward until the next. All are assumptions, not data: see docs/divergence.md.
    """

    gpu_vendor: Assumption
    cost_multiple: Assumption
    margin_multiple: Assumption
    data_center_revenue: Assumption
    realized_ai_revenue: tuple[Assumption, ...]

    def describe(self) -> str:
        lines = [
            f"GPU spend = {self.gpu_vendor.value} data-centre segment revenue of the last released quarter x 4, "
            f"else its last filed quarterly revenue x 4 x the data-centre share of its last complete fiscal year "
            f"({self.data_center_revenue.source})",
            f"x {self.cost_multiple.value} ({self.cost_multiple.unit}): {self.cost_multiple.source}",
            f"x {self.margin_multiple.value} ({self.margin_multiple.unit}): {self.margin_multiple.source}",
        ]
        lines.append(f"realized AI revenue: {REALIZED_BASIS}")
        lines += [f"Cahn's estimate of realized AI revenue from {a.key} (an assumption, kept beside the data): "
                  f"{a.value / 1e9:.0f}bn USD/yr ({a.source})" for a in self.realized_ai_revenue]
        return "\n".join(lines)


@dataclass(frozen=True)
class RequiredRevenueResults:
    """Required AI revenue by month, with the assumptions it rests on."""

    frame: pd.DataFrame = field(repr=False)
    assumptions: RequiredRevenueAssumptions
    warnings: tuple[str, ...] = ()

    def summary(self) -> str:
        done = self.frame.dropna(subset=["required_ai_revenue"])
        if done.empty:
            return "required revenue: no month with the GPU vendor's revenue and a data-centre share"
        row = done.iloc[-1]
        gap = "n/a" if pd.isna(row["required_revenue_gap"]) else f"{row['required_revenue_gap'] / 1e9:,.0f}bn"
        return (f"required AI revenue {done.index[-1]:%Y-%m}: {row['required_ai_revenue'] / 1e9:,.0f}bn a year "
                f"(GPU spend {row['gpu_spend_run_rate'] / 1e9:,.0f}bn); gap to realized {gap}\n"
                + self.assumptions.describe())


REQUIRED_REVENUE_BASIS = (
    "computed here on trailing spend: the GPU vendor's last reported quarter x 4 (its data-centre segment, or its "
    "total revenue x the data-centre share of its last complete fiscal year); Cahn (Sequoia, 2023-24) used "
    "analysts' forward run-rates, so this runs behind his figures while spend grows")
LAB_WINDOW_DAYS = 183
REALIZED_BASIS = (
    "AI labs' annualised revenue as reported (Epoch AI, AI Companies): for each lab the highest figure among its "
    f"reports of the {LAB_WINDOW_DAYS} days up to its latest one published by the month end (held until a newer "
    "report; its age stated), summed. The file mixes run-rates with "
    "partial-period figures and no scope column (OpenAI 13bn on 2025-08-01, 3bn on 2025-08-26), so the latest row "
    "alone would swing. Month-end-dated figures (period figures) count from 30 days after their date. A lower "
    "bound on end-user AI revenue, "
    "without big tech's own AI products; cloud revenue is not added because much of it is the labs' own compute "
    "spend (it would be counted twice)")


@dataclass(frozen=True)
class RequiredRevenue:
    """Specification of the "required revenue" arithmetic in the manner of Sequoia's "AI's $600B question".

    gpu_spend = the GPU vendor's data-centre revenue run-rate known at the month end: its reported
    data-centre *segment* revenue of the last released quarter x 4 where segments exist, else its last
    filed quarterly revenue x 4 x the data-centre share of its last fiscal year *complete* (all four
    quarters filed) by then; data_centre_spend = gpu_spend x cost multiple; required = data_centre_spend
    x margin multiple; gap = required - realized AI revenue (the labs' reported annualised revenue known
    by then). Cahn used forward run-rates; this uses the last reported quarter (see
    ``REQUIRED_REVENUE_BASIS``). His own realized-revenue estimates are kept beside it as labelled
    assumptions (``realized_ai_revenue_cahn``).

    Parameters
    ----------
    vendor_quarters : DataFrame
        The GPU vendor's rows of marts.fundamentals_quarterly: ticker, fiscal_period_end,
        fiscal_year, filed_at, revenue_usd.
    months : DataFrame
        month, month_end_date.
    assumptions : RequiredRevenueAssumptions
    ragged_edge : RaggedEdge
    segments : DataFrame, optional
        The vendor's data-centre segment by quarter: segment, fiscal_year, fiscal_quarter, released_at
        (when the figure was public), segment_revenue (USD a quarter).
    lab_revenue : DataFrame, optional
        company, report_date, published_at, annualised_revenue (USD a year).
    """

    vendor_quarters: pd.DataFrame
    months: pd.DataFrame
    assumptions: RequiredRevenueAssumptions
    ragged_edge: RaggedEdge = RaggedEdge()
    segments: pd.DataFrame | None = None
    lab_revenue: pd.DataFrame | None = None

    def fit(self) -> RequiredRevenueResults:
        a = self.assumptions
        vendor = str(a.gpu_vendor.value)
        quarters = self.vendor_quarters.copy()
        quarters["fiscal_period_end"] = pd.to_datetime(quarters["fiscal_period_end"])
        quarters["filed_at"] = pd.to_datetime(quarters["filed_at"])
        notes: list[str] = []
        complete = quarters.groupby("fiscal_year").agg(
            total=("revenue_usd", "sum"), count=("revenue_usd", "count"), known_at=("filed_at", "max"))
        dc = {int(str(k).removeprefix("FY")): float(v) for k, v in dict(a.data_center_revenue.value).items()}
        share, share_known = {}, {}
        for fy, dc_revenue in dc.items():
            if fy in complete.index and complete.loc[fy, "count"] == 4 and complete.loc[fy, "total"] > 0:
                share[fy] = dc_revenue / complete.loc[fy, "total"]
                share_known[fy] = complete.loc[fy, "known_at"]  # the year's share is usable once its Q4 is filed
                if share[fy] > 1:
                    notes.append(f"required revenue: {vendor} FY{fy} data-centre revenue exceeds its total revenue "
                                 "in the data; check the assumption data_center_revenue")
        points = self.months[["month", "month_end_date"]].rename(columns={"month_end_date": "date"})
        points = points.assign(ticker=vendor)
        filed = filed_values(points, quarters.assign(ticker=vendor), "revenue_usd", self.ragged_edge)
        segments = _segments(self.segments)
        labs = _labs(self.lab_revenue)
        cahn = sorted(((pd.Timestamp(r.key), float(r.value), r.key) for r in a.realized_ai_revenue))
        rows = []
        for r in filed.sort_values("month").itertuples(index=False):
            day = pd.Timestamp(r.date)
            seg = segments[segments["released_at"] <= day].tail(1)
            reason, share_used, share_fy, quarter_end, basis = None, np.nan, None, r.period_end, r.basis
            # A segment figure is stale, like revenue, once more than max_overdue_quarters newer quarters should
            # have been released after it (a quarter's release every 91.31 days).
            limit = (self.ragged_edge.max_overdue_quarters + 1) * QUARTER_DAYS
            if len(seg) and (day - seg.iloc[0]["released_at"]).days > limit:
                gpu = np.nan
                reason = (f"{vendor}'s newest data-centre segment figure was released "
                          f"{seg.iloc[0]['released_at']:%Y-%m-%d}, more than {self.ragged_edge.max_overdue_quarters} "
                          "quarters overdue: stale")
                dc_basis, basis = None, "stale"
            elif len(seg):
                s_row = seg.iloc[0]
                gpu = float(s_row["segment_revenue"]) * 4
                label = (f" FY{int(s_row['fiscal_year'])} Q{int(s_row['fiscal_quarter'])}"
                         if pd.notna(s_row["fiscal_year"]) and pd.notna(s_row["fiscal_quarter"]) else "")
                dc_basis = (f"segment: {vendor} {s_row['segment']}{label} x 4, released "
                            f"{s_row['released_at']:%Y-%m-%d}" + (" (release date imputed)" if s_row["release_imputed"]
                                                                  else ""))
                quarter_end, basis = pd.NaT, "reported"
            else:
                known = [y for y, at in share_known.items() if at <= day]
                share_fy = max(known, default=None)
                quarterly = r.revenue_usd_used
                if pd.isna(quarterly):
                    reason = f"no {vendor} quarterly revenue filed by the month end"
                elif share_fy is None:
                    reason = (f"no {vendor} fiscal year with a data-centre revenue assumption was complete (all four "
                              "quarters filed) by the month end, and no segment revenue was released")
                elif r.stale:
                    reason = f"{vendor}'s newest filed quarter ({r.period_end:%Y-%m-%d}) is stale"
                share_used = share.get(share_fy, np.nan) if share_fy is not None else np.nan
                gpu = quarterly * 4 * share_used if reason is None else np.nan
                dc_basis = (f"fiscal-year share: {vendor} total revenue x 4 x FY{share_fy} data-centre share "
                            "(the last fiscal year complete by then)" if reason is None else None)
            spend = gpu * float(a.cost_multiple.value)
            required = spend * float(a.margin_multiple.value)
            public = labs[labs["published_at"] <= day]
            # Per lab: the highest figure among its reports of the LAB_WINDOW_DAYS up to its latest one.
            newest = public.groupby("company")["report_date"].transform("max")
            window = public[public["report_date"] > newest - pd.Timedelta(days=LAB_WINDOW_DAYS)]
            latest = window.sort_values(["annualised_revenue", "report_date"]).groupby("company").tail(1)
            if len(latest):
                realized = float(latest["annualised_revenue"].sum())
                realized_as_of = f"{public['report_date'].max():%Y-%m-%d}"
                companies = sorted(latest["company"])
                realized_age = int((day - newest.min()).days)  # the lab whose latest report is oldest
            else:
                realized, realized_as_of, companies, realized_age = np.nan, None, [], None
            estimate = [(v, k) for start, v, k in cahn if start <= r.month]
            cahn_value, cahn_as_of = (estimate[-1] if estimate else (np.nan, None))
            gap_reason = reason or (None if len(latest) else
                                    "no AI lab had reported annualised revenue by the month end"
                                    if self.lab_revenue is not None
                                    else "no AI lab revenue series in the catalog")
            rows.append({
                "month": r.month,
                "gpu_vendor_quarter_end": quarter_end,
                "gpu_vendor_basis": basis,
                "data_center_basis": dc_basis,
                "data_center_share": share_used,
                "data_center_share_fiscal_year": share_fy,
                "gpu_spend_run_rate": gpu,
                "data_center_spend": spend,
                "required_ai_revenue": required,
                "required_revenue_basis": REQUIRED_REVENUE_BASIS,
                "realized_ai_revenue": realized,
                "realized_ai_revenue_as_of": realized_as_of,
                "realized_ai_revenue_age_days": realized_age,
                "realized_ai_revenue_companies": companies,
                "realized_ai_revenue_basis": REALIZED_BASIS,
                "realized_ai_revenue_cahn": cahn_value,
                "realized_ai_revenue_cahn_as_of": cahn_as_of,
                "required_revenue_gap": required - realized,
                "required_revenue_reason": reason,
                "required_revenue_gap_reason": gap_reason,
            })
        return RequiredRevenueResults(frame=pd.DataFrame(rows).set_index("month"), assumptions=a,
                                      warnings=tuple(notes))


def _segments(frame: pd.DataFrame | None) -> pd.DataFrame:
    columns = ["segment", "fiscal_year", "fiscal_quarter", "released_at", "segment_revenue", "release_imputed"]
    if frame is None or frame.empty:
        return pd.DataFrame(columns=columns).assign(released_at=pd.to_datetime([]))
    missing = [c for c in columns if c not in frame.columns and c != "release_imputed"]
    if missing:
        raise DivergenceInputError(f"the GPU vendor's segment rows lack column(s) {missing}; they have "
                                   f"{list(frame.columns)} (warehouse/sql/estimate/vendor_segments.sql must select them)")
    out = frame.assign(released_at=pd.to_datetime(frame["released_at"]))
    if "release_imputed" not in out.columns:
        out["release_imputed"] = False
    out = out[out["segment_revenue"].notna() & out["released_at"].notna()]
    return out.sort_values(["released_at", "fiscal_year", "fiscal_quarter"], kind="stable")[columns]


def _labs(frame: pd.DataFrame | None) -> pd.DataFrame:
    columns = ["company", "report_date", "published_at", "annualised_revenue"]
    if frame is None or frame.empty:
        return pd.DataFrame(columns=columns).assign(published_at=pd.to_datetime([]), report_date=pd.to_datetime([]))
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DivergenceInputError(f"the AI labs' revenue rows lack column(s) {missing}; they have "
                                   f"{list(frame.columns)} (warehouse/sql/estimate/lab_revenue.sql must select them)")
    out = frame.assign(report_date=pd.to_datetime(frame["report_date"]),
                       published_at=pd.to_datetime(frame["published_at"]))
    out = out[out["annualised_revenue"].notna()]
    return out.sort_values(["published_at", "report_date"], kind="stable")[columns]
