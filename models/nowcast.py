"""Mixed-frequency dynamic factor nowcast of the talent targets, and the news that moved it since last month."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from models.cooling import CoolingInputError, seasonal_factors
from models.divergence import recorded_warnings

NEWS_COLUMNS = ["target_series", "impact_month", "updated_series", "update_month", "observed", "forecast_prior",
                "news", "weight", "impact"]
TOTALS_COLUMNS = ["target_series", "impact_month", "previous", "revised", "news_impact", "revision_impact",
                  "total_impact"]
LEVEL_COLUMNS = ["target_series", "updated_series", "impact_pct", "previous_level", "revised_level"]
FORECAST_COLUMNS = ["target_series", "month", "mean", "lo80", "hi80", "lo95", "hi95"]
IDENTITY_TOLERANCE = 1e-8


class NowcastInputError(ValueError):
    """Inputs the nowcast cannot use, naming the series and what to do."""


def _month_start(value, what: str) -> pd.Timestamp:
    month = pd.Timestamp(value)
    if month != month.to_period("M").to_timestamp():
        raise NowcastInputError(f"{what} must be the first day of a month, got {month:%Y-%m-%d}")
    return month


def _check_month_index(frame: pd.DataFrame, what: str) -> None:
    if not isinstance(frame.index, pd.DatetimeIndex):
        raise NowcastInputError(f"{what} must have a DatetimeIndex of month starts, got {type(frame.index).__name__}")
    off = frame.index[frame.index != frame.index.to_period("M").to_timestamp()]
    if len(off):
        raise NowcastInputError(f"{what}: {off[0]:%Y-%m-%d} is not a month start; index months by their first day")
    if frame.index.has_duplicates:
        raise NowcastInputError(f"{what}: month {frame.index[frame.index.duplicated()][0]:%Y-%m} appears twice")


def known_at(panel: pd.DataFrame, origin: pd.Timestamp, lags: Mapping[str, int]) -> pd.DataFrame:
    """Values of a monthly panel known at the end of month ``origin``.

    Column ``c`` keeps the months ``<= origin - lags.get(c, 0)`` months; its later cells become NaN; rows after
    ``origin`` are dropped. The index (month starts) is kept as it is otherwise, so two calls with different
    origins line up row by row on their common months.
    """
    origin = _month_start(origin, "origin")
    _check_month_index(panel, "panel")
    known = panel.loc[panel.index <= origin].astype(float)
    for column in known.columns:
        lag = lags.get(column, 0)
        if int(lag) != lag or lag < 0:
            raise NowcastInputError(f"{column}: publication lag must be a whole number of months >= 0, got {lag}")
        cutoff = origin - pd.DateOffset(months=int(lag))
        known.loc[known.index > cutoff, column] = np.nan
    return known


def _quarter_end_months(quarterly: pd.DataFrame) -> pd.DataFrame:
    """Quarterly levels re-indexed by the first day of each quarter's last month (where DynamicFactorMQ puts
    them), so that ``known_at`` applies to them with a lag counted from the quarter's end."""
    index = quarterly.index
    if isinstance(index, pd.PeriodIndex):
        if not index.freqstr.startswith("Q"):
            raise NowcastInputError(f"quarterly: PeriodIndex must be quarterly, got {index.freqstr}")
        quarters = index
    elif isinstance(index, pd.DatetimeIndex):
        quarters = index.to_period("Q")
    else:
        raise NowcastInputError("quarterly: index must be a quarterly PeriodIndex or the first month of each quarter")
    if quarters.has_duplicates:
        raise NowcastInputError(f"quarterly: quarter {quarters[quarters.duplicated()][0]} appears twice")
    out = quarterly.astype(float).copy()
    out.index = quarters.asfreq("M", how="end").to_timestamp()
    return out.sort_index()


# -- simulation from the posterior ---------------------------------------------------------------


def _system(res) -> dict[str, np.ndarray]:
    model = res.model
    names = ["transition", "selection", "state_cov", "design", "obs_intercept", "obs_cov", "state_intercept"]
    mats = {}
    for name in names:
        m = np.asarray(model[name], dtype=float)
        if m.ndim == 3 or (name in ("obs_intercept", "state_intercept") and m.ndim == 2):
            if m.shape[-1] != 1:
                raise NowcastInputError(f"the fitted state-space model has a time-varying {name}; cannot simulate")
            m = m[..., 0]
        mats[name] = m
    return mats


def _sqrt_psd(cov: np.ndarray) -> np.ndarray:
    """The symmetric square root S = V sqrt(D) V' of a positive semi-definite cov (S S' = cov; rank deficiency
    allowed). Unlike V sqrt(D), it does not depend on which eigenvectors eigh picks for (nearly) equal eigenvalues,
    so a last-bit difference in cov stays a last-bit difference in the draws instead of rotating them."""
    values, vectors = np.linalg.eigh((cov + cov.T) / 2)
    return (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T


def posterior_draws(res, first: int, last: int, repetitions: int, rng: np.random.Generator) -> np.ndarray:
    """Joint draws of the observation vectors ``y_first .. y_last`` (model units, i.e. standardized when the model
    standardizes) given all the data of ``res``, periods counted from the start of its sample; ``last`` may lie
    beyond the sample. Shape ``(last - first + 1, repetitions, k_endog)``.

    Forward filtering, backward sampling: the filtered states through the sample end are extended by the
    transition equation (no data beyond it), ``alpha_last`` is drawn from its filtered distribution, then each
    earlier ``alpha_t`` from ``N(a_t|t + J_t (alpha_{t+1} - T a_t|t), P_t|t - J_t P_{t+1|t} J_t')`` with
    ``J_t = P_t|t T' P_{t+1|t}^+``. Months that are missing in-sample (the ragged edge) are thus drawn jointly with
    the future. Parameters are held at their estimates.
    """
    m = _system(res)
    T, R, Q, Z = m["transition"], m["selection"], m["state_cov"], m["design"]
    d, H, c = m["obs_intercept"], m["obs_cov"], m["state_intercept"]
    RQR = R @ Q @ R.T
    fr = res.filter_results
    n = int(res.nobs)
    if not 0 <= first <= last:
        raise NowcastInputError(f"simulation window {first}..{last} is empty")
    states, covs = {}, {}
    start = min(first, n - 1)
    for t in range(start, last + 1):
        if t < n:
            states[t] = np.asarray(fr.filtered_state[:, t], dtype=float)
            covs[t] = np.asarray(fr.filtered_state_cov[:, :, t], dtype=float)
        else:
            states[t] = T @ states[t - 1] + c
            covs[t] = T @ covs[t - 1] @ T.T + RQR
    k = T.shape[0]
    alpha = states[last][:, None] + _sqrt_psd(covs[last]) @ rng.standard_normal((k, repetitions))
    drawn = {last: alpha}
    for t in range(last - 1, first - 1, -1):
        a, P = states[t], covs[t]
        P_next = T @ P @ T.T + RQR
        J = P @ T.T @ np.linalg.pinv(P_next, rcond=1e-12, hermitian=True)
        mean = a[:, None] + J @ (alpha - (T @ a + c)[:, None])
        cov = P - J @ P_next @ J.T
        alpha = mean + _sqrt_psd(cov) @ rng.standard_normal((k, repetitions))
        drawn[t] = alpha
    H_sqrt = _sqrt_psd(H) if np.any(H) else None
    out = np.empty((last - first + 1, repetitions, Z.shape[0]))
    for i, t in enumerate(range(first, last + 1)):
        y = Z @ drawn[t] + d[:, None]
        if H_sqrt is not None:
            y = y + H_sqrt @ rng.standard_normal((Z.shape[0], repetitions))
        out[i] = y.T
    return out


# -- results -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NowcastResults:
    """What a fitted talent nowcast says: level paths with intervals, and the news since the month before.

    forecast : target_series, month, mean, lo80, hi80, lo95, hi95, in LEVELS, from the month after each target's
        last value known at the origin through ``horizon_end``. ``mean`` is the median level, exp of the
        mean log level (the Kalman smoother's growth path cumulated from the last known level); the bands are
        quantiles of simulated level paths.
    news : long table in percent monthly growth (100 x log difference, seasonally adjusted where the target is
        adjusted), in the ORIGINAL scale, not standardized: for each target and impact month, each updated
        (series, month) with its observed value, the forecast of it from the previous data, the news
        (observed - forecast_prior), the weight, and impact = news x weight. Quarterly series are in percent
        quarter-on-quarter growth, dated at the quarter's last month.
    news_totals : target_series, impact_month, previous, revised (forecast growth before / now), news_impact,
        revision_impact, total_impact = revised - previous, same units.
    news_level : the impact on each target's log level at ``horizon_end`` (100 x log points, i.e. about percent),
        one row per updated series (the sum over impact months of its impacts), a "revisions" row, and a
        "total" row carrying the change computed directly from the two level forecasts, 100 x (log level now -
        log level before), with both levels. The rows above "total" add up to it (checked to 1e-8).
    paths : per target, simulated LEVEL paths (months x repetitions) behind the bands.
    """

    status: str  # ok, not_converged
    forecast: pd.DataFrame = field(repr=False)
    news: pd.DataFrame = field(repr=False)
    news_totals: pd.DataFrame = field(repr=False)
    news_level: pd.DataFrame = field(repr=False)
    paths: Mapping[str, pd.DataFrame] = field(repr=False)
    parameters: dict = field(repr=False)
    diagnostics: dict = field(repr=False)
    warnings: tuple[str, ...] = ()

    def summary(self) -> str:
        lines = [f"DynamicFactorMQ nowcast at {self.parameters['origin']} ({self.status}): "
                 f"{len(self.parameters['monthly_series'])} monthly + {len(self.parameters['quarterly_series'])} "
                 f"quarterly series, {self.diagnostics['em_iterations']} EM iterations, "
                 f"fit {self.diagnostics['fit_seconds']:.2f} s"]
        totals = self.news_level[self.news_level["updated_series"] == "total"]
        for row in totals.itertuples():
            last = self.forecast[self.forecast["target_series"] == row.target_series].iloc[-1]
            lines.append(f"  {row.target_series}: {last['month']:%Y-%m} {last['mean']:.4g} "
                         f"[80% {last['lo80']:.4g}-{last['hi80']:.4g}], news since last month {row.impact_pct:+.2f}%")
        return "\n".join(lines)


# -- the specification ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TalentNowcast:
    """Specification: a DynamicFactorMQ (Banbura-Modugno EM; Mariano-Murasawa aggregation of quarterly series)
    on 100 x monthly log differences of a mixed-frequency panel known at the end of ``origin``, and its news.

    Parameters
    ----------
    monthly : pandas.DataFrame
        Month-start index, one column per series, positive LEVELS; NaN where missing or not yet published.
    targets : tuple of str
        Columns of ``monthly`` to nowcast.
    origin : pandas.Timestamp
        The month (its first day) at whose end the data are taken as known.
    horizon_end : pandas.Timestamp
        Last month forecast.
    quarterly : pandas.DataFrame, optional
        Quarterly LEVELS, indexed by a quarterly PeriodIndex or a date in the quarter (e.g. its first month);
        they enter as 100 x quarter-on-quarter log growth.
    lags : mapping of str to int
        Publication lag in months by series; for a quarterly series counted from the quarter's last month.
    factors, factor_order : int
        Number of common factors and the order of their VAR.
    seasonally_adjust : tuple of str
        Monthly columns NOT seasonally adjusted: month-of-year factors of the log level known at ``origin``
        (:func:`models.cooling.seasonal_factors`) are removed before differencing and added back to the level
        paths. The news holds these factors fixed, as it holds the parameters.
    maxiter, tolerance : EM iterations and its relative log-likelihood tolerance.
    repetitions, seed : simulated paths behind the level intervals, and their seed.
    min_months : int
        A monthly series needs this many growth values known at ``origin`` (a quarterly one a third as many
        quarters); others are dropped with a warning. A target short of it raises NowcastInputError.

    The news compares the data known at the end of ``origin`` with those known a month earlier, both smoothed
    with the parameters, standardization, seasonal factors and initial state estimated at ``origin``.
    """

    monthly: pd.DataFrame
    targets: tuple[str, ...]
    origin: pd.Timestamp
    horizon_end: pd.Timestamp
    quarterly: pd.DataFrame | None = None
    lags: Mapping[str, int] = field(default_factory=dict)
    factors: int = 1
    factor_order: int = 2
    seasonally_adjust: tuple[str, ...] = ()
    maxiter: int = 200
    tolerance: float = 1e-6
    repetitions: int = 1000
    seed: int = 20270301
    min_months: int = 36

    # -- inputs ----------------------------------------------------------------------------------

    def _validated(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.Timestamp, pd.Timestamp]:
        if not isinstance(self.monthly, pd.DataFrame):
            raise NowcastInputError("monthly must be a pandas DataFrame of levels, one column per series")
        _check_month_index(self.monthly, "monthly")
        origin = _month_start(self.origin, "origin")
        horizon_end = _month_start(self.horizon_end, "horizon_end")
        if horizon_end <= origin:
            raise NowcastInputError(f"horizon_end {horizon_end:%Y-%m} must come after origin {origin:%Y-%m}")
        targets = tuple(self.targets)
        if not targets:
            raise NowcastInputError("targets is empty: name at least one column of monthly to nowcast")
        for target in targets:
            if target not in self.monthly.columns:
                raise NowcastInputError(f"{target}: target is not a column of monthly "
                                        f"(columns: {', '.join(map(str, self.monthly.columns))})")
        for column in self.seasonally_adjust:
            if column not in self.monthly.columns:
                raise NowcastInputError(f"{column}: listed in seasonally_adjust but not a column of monthly")
        monthly = self.monthly.sort_index().astype(float)
        quarterly = (_quarter_end_months(self.quarterly) if self.quarterly is not None
                     else pd.DataFrame(index=pd.DatetimeIndex([])))
        clash = set(quarterly.columns) & set(monthly.columns)
        if clash:
            raise NowcastInputError(f"{sorted(clash)[0]}: appears in both monthly and quarterly; rename one")
        for what, frame in (("monthly", monthly), ("quarterly", quarterly)):
            for column in frame.columns:
                bad = frame[column][frame[column] <= 0]
                if len(bad):
                    raise NowcastInputError(
                        f"{column}: {what} levels must be positive to take logs; {len(bad)} are not, the first "
                        f"{bad.index[0]:%Y-%m} = {bad.iloc[0]:g}. Pass levels (not growth rates or spreads) "
                        f"or leave the series out")
        return monthly, quarterly, origin, horizon_end

    def _unknown_lags(self, monthly: pd.DataFrame, quarterly: pd.DataFrame) -> list[str]:
        return [f"nowcast: lags names {name}, which is in neither monthly nor quarterly; ignored"
                for name in self.lags if name not in monthly.columns and name not in quarterly.columns]

    def _growth(self, monthly: pd.DataFrame, quarterly: pd.DataFrame, index: pd.DatetimeIndex,
                month: pd.Timestamp, seasonal: Mapping[str, pd.Series]) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Adjusted log levels known at the end of ``month`` and 100 x their log growth, on ``index``."""
        logs = np.log(known_at(monthly, month, self.lags).reindex(index))
        for column, factors in seasonal.items():
            logs[column] = logs[column] - factors.reindex(logs.index.month).to_numpy()
        growth = 100 * logs.diff()
        if len(quarterly.columns):
            q_logs = np.log(known_at(quarterly, month, self.lags).reindex(index))
            growth = pd.concat([growth, 100 * (q_logs - q_logs.shift(3))], axis=1)
        return logs, growth

    # -- fit -------------------------------------------------------------------------------------

    def fit(self) -> NowcastResults:
        from statsmodels.tsa.statespace.dynamic_factor_mq import DynamicFactorMQ

        monthly, quarterly, origin, horizon_end = self._validated()
        previous_month = origin - pd.DateOffset(months=1)
        targets = tuple(self.targets)
        notes: list[str] = self._unknown_lags(monthly, quarterly)
        first_month = min([monthly.index.min()] + ([quarterly.index.min()] if len(quarterly) else []))
        index = pd.date_range(first_month, origin, freq="MS")

        seasonal: dict[str, pd.Series] = {}
        dropped: dict[str, str] = {}
        known_levels = known_at(monthly, origin, self.lags)
        for column in self.seasonally_adjust:
            try:
                seasonal[column] = seasonal_factors(np.log(known_levels[column]))
            except CoolingInputError as exc:
                if column in targets:
                    raise NowcastInputError(f"{column}: cannot seasonally adjust the target: {exc}") from exc
                dropped[column] = f"seasonal adjustment impossible: {exc}"

        logs_now, growth_now = self._growth(monthly, quarterly, index, origin, seasonal)
        logs_prev, growth_prev = self._growth(monthly, quarterly, index, previous_month, seasonal)

        min_quarters = math.ceil(self.min_months / 3)
        for column in growth_now.columns:
            if column in dropped:
                continue
            is_quarterly = column in quarterly.columns
            need = min_quarters if is_quarterly else self.min_months
            have = int(growth_now[column].notna().sum())
            spread = growth_now[column].std()
            if have < need or not spread > 1e-10:
                why = (f"{have} {'quarterly' if is_quarterly else 'monthly'} growth values known at "
                       f"{origin:%Y-%m}, fewer than {need}" if have < need else "its growth is constant")
                if column in targets:
                    raise NowcastInputError(f"{column}: target has {why}; give it more history, shorten its "
                                            f"publication lag, or drop it from targets")
                dropped[column] = why
        for column, why in dropped.items():
            notes.append(f"nowcast: dropped {column}: {why}")
        monthly_used = [c for c in monthly.columns if c not in dropped]
        quarterly_used = [c for c in quarterly.columns if c not in dropped]
        columns = monthly_used + quarterly_used
        if len(columns) < 2:
            raise NowcastInputError(f"only {columns} left with enough data; a factor model needs two or more series")

        endog_now = growth_now[columns]
        # The sample starts when two series are observed: decades of one series alone say nothing about the
        # factor and slowed EM to a crawl (USINFO from 1970: 300 iterations without converging).
        observed = endog_now.notna().sum(axis=1)
        if not (observed >= 2).any():
            raise NowcastInputError(f"no month has two of {columns} observed together; the series do not overlap")
        sample = index[index >= observed[observed >= 2].index[0]]
        endog_now = endog_now.reindex(sample)
        endog_prev = growth_prev[columns].reindex(sample)
        endog_now.index = endog_now.index.to_period("M")
        endog_prev.index = endog_prev.index.to_period("M")

        last_now = {t: logs_now[t].last_valid_index() for t in targets}
        last_prev = {t: logs_prev[t].last_valid_index() for t in targets}
        for t in targets:
            if last_prev[t] is None:
                raise NowcastInputError(f"{t}: nothing known at {previous_month:%Y-%m}, so no news can be computed")

        # -- estimate ---------------------------------------------------------------------------
        spec = dict(k_endog_monthly=len(monthly_used), factors=self.factors, factor_orders=self.factor_order,
                    idiosyncratic_ar1=True)
        started = time.perf_counter()
        with recorded_warnings(notes, "nowcast:em"):
            # Standardized here, with the moments statsmodels' standardize=True would use (pandas mean and
            # sample sd of each column), so that the earlier data and the draws reuse them through public arguments.
            endog_mean, endog_std = endog_now.mean(axis=0), endog_now.std(axis=0)
            model = DynamicFactorMQ(endog_now, standardize=(endog_mean, endog_std), **spec)
            # em_initialization=False: statsmodels' default restarts each EM iteration from the previous
            # iteration's smoothed first state, which changes the likelihood being climbed; on panels whose
            # series start years apart it made the log-likelihood jump and, on some samples, explode
            # (1e22). The stationary initialization climbs monotonically, in about as many iterations.
            res = model.fit(method="em", maxiter=self.maxiter, tolerance=self.tolerance, disp=False,
                            em_initialization=False)
        fit_seconds = time.perf_counter() - started
        retvals = res.mle_retvals
        em_iterations = int(retvals.iter)
        em_llf = np.asarray(retvals.llf, dtype=float)[:-1]  # the last entry repeats the final smoothing's llf
        # statsmodels' own criterion, 2|llf_i - llf_i-1| / (|llf_i| + |llf_i-1|), on the last two iterations it
        # kept: stopping short of maxiter is not convergence (a log-likelihood decrease also stops it early).
        em_delta = (float(2 * abs(em_llf[-1] - em_llf[-2]) / (abs(em_llf[-1]) + abs(em_llf[-2])))
                    if len(em_llf) >= 2 else None)
        converged = em_delta is not None and em_delta <= self.tolerance
        if not converged:
            change = f"{em_delta:.3g}" if em_delta is not None else "unknown (fewer than two iterations)"
            notes.append(f"nowcast:em: not converged after {em_iterations} of {self.maxiter} EM iterations: relative "
                         f"log-likelihood change {change}, tolerance {self.tolerance:g}; raise maxiter or check "
                         f"the series for breaks")

        # -- the data known a month earlier, smoothed with the same everything ---------------------
        started = time.perf_counter()
        with recorded_warnings(notes, "nowcast:news"):
            # The same standardization (a fresh model would standardize the shorter data differently, so the
            # same parameters would mean something else) and, with em_initialization=False, the same
            # stationary initial state.
            prev_model = DynamicFactorMQ(endog_prev, standardize=(endog_mean, endog_std), **spec)
            res_prev = prev_model.smooth(res.params)
            first_impact = min(last_prev.values()) + pd.DateOffset(months=1)
            news = res.news(res_prev, start=pd.Period(first_impact, "M"), end=pd.Period(horizon_end, "M"),
                            comparison_type="previous")
            pred_now = res.get_prediction(start=pd.Period(first_impact, "M"), end=pd.Period(horizon_end, "M"),
                                          information_set="smoothed").predicted_mean
            pred_prev = res_prev.get_prediction(start=pd.Period(first_impact, "M"), end=pd.Period(horizon_end, "M"),
                                                information_set="smoothed").predicted_mean
        news_seconds = time.perf_counter() - started

        # -- simulated paths --------------------------------------------------------------------------
        started = time.perf_counter()
        sample_start = sample[0]
        first_forecast = min(last_now.values()) + pd.DateOffset(months=1)
        pos = {m: i for i, m in enumerate(pd.date_range(sample_start, horizon_end, freq="MS"))}
        draws = posterior_draws(res, pos[first_forecast], pos[horizon_end], self.repetitions,
                                np.random.default_rng(self.seed))
        draws = draws * endog_std.to_numpy(float)[None, None, :] + endog_mean.to_numpy(float)[None, None, :]
        simulate_seconds = time.perf_counter() - started

        pred_now.index = pred_now.index.to_timestamp()
        pred_prev.index = pred_prev.index.to_timestamp()
        forecast_rows, paths = [], {}
        quantiles = [0.1, 0.9, 0.025, 0.975]
        for t in targets:
            months = pd.date_range(last_now[t] + pd.DateOffset(months=1), horizon_end, freq="MS")
            back = seasonal[t].reindex(months.month).to_numpy() if t in seasonal else np.zeros(len(months))
            base = float(logs_now.loc[last_now[t], t])
            mean_log = base + np.cumsum(pred_now.loc[months, t].to_numpy()) / 100 + back
            j = columns.index(t)
            rows = [pos[m] - pos[first_forecast] for m in months]
            sim_log = base + np.cumsum(draws[rows, :, j], axis=0) / 100 + back[:, None]
            q = np.quantile(sim_log, quantiles, axis=1)
            forecast_rows.append(pd.DataFrame({
                "target_series": t, "month": months, "mean": np.exp(mean_log),
                "lo80": np.exp(q[0]), "hi80": np.exp(q[1]), "lo95": np.exp(q[2]), "hi95": np.exp(q[3])}))
            paths[t] = pd.DataFrame(np.exp(sim_log), index=months)
        forecast = pd.concat(forecast_rows, ignore_index=True)[FORECAST_COLUMNS]

        # -- the news, per target ---------------------------------------------------------------------
        detail_rows, total_rows, level_rows = [], [], []
        impact_index = news.total_impacts.index.to_timestamp()
        total = news.total_impacts.set_axis(impact_index)
        update = news.update_impacts.set_axis(impact_index)
        if len(news.news) == 0:
            update = update.fillna(0.0)  # statsmodels leaves these NaN, not zero, when nothing was released
        revision = news.revision_impacts.set_axis(impact_index)
        if news.n_revisions == 0:
            revision = revision.fillna(0.0)
        previous = news.prev_impacted_forecasts.set_axis(impact_index)
        revised = news.post_impacted_forecasts.set_axis(impact_index)
        weights = news.weights
        updates = news.news
        gap_identity = gap_details = gap_level = 0.0
        for t in targets:
            months = pd.date_range(last_prev[t] + pd.DateOffset(months=1), horizon_end, freq="MS")
            gap_identity = max(gap_identity, float(np.max(np.abs(
                total.loc[months, t] - update.loc[months, t] - revision.loc[months, t]))))
            total_rows.append(pd.DataFrame({
                "target_series": t, "impact_month": months, "previous": previous.loc[months, t].to_numpy(),
                "revised": revised.loc[months, t].to_numpy(), "news_impact": update.loc[months, t].to_numpy(),
                "revision_impact": revision.loc[months, t].to_numpy(),
                "total_impact": total.loc[months, t].to_numpy()}))
            by_series: dict[str, float] = {}
            if len(updates):
                for month in months:
                    w = weights[(pd.Period(month, "M"), t)]
                    impacts = updates * w
                    gap_details = max(gap_details, abs(float(impacts.sum()) - float(update.loc[month, t])))
                    for (u_month, u_series), value in impacts.items():
                        by_series[u_series] = by_series.get(u_series, 0.0) + float(value)
                    detail_rows.append(pd.DataFrame({
                        "target_series": t, "impact_month": month,
                        "updated_series": updates.index.get_level_values(1).astype(str),
                        "update_month": updates.index.get_level_values(0).to_timestamp(),
                        "observed": news.update_realized.to_numpy(), "forecast_prior": news.update_forecasts.to_numpy(),
                        "news": updates.to_numpy(), "weight": w.to_numpy(), "impact": impacts.to_numpy()}))
            # Levels before and now: each cumulates its own forecast from its own last known level.
            before = float(logs_prev.loc[last_prev[t], t]) + float(pred_prev.loc[months, t].sum()) / 100
            now_months = pd.date_range(last_now[t] + pd.DateOffset(months=1), horizon_end, freq="MS")
            now = float(logs_now.loc[last_now[t], t]) + float(pred_now.loc[now_months, t].sum()) / 100
            change = 100 * (now - before)
            revisions_sum = float(revision.loc[months, t].sum())
            gap_level = max(gap_level, abs(sum(by_series.values()) + revisions_sum - change))
            back = float(seasonal[t][horizon_end.month]) if t in seasonal else 0.0
            level_rows += [{"target_series": t, "updated_series": s, "impact_pct": v} for s, v in by_series.items()]
            level_rows += [{"target_series": t, "updated_series": "revisions", "impact_pct": revisions_sum},
                           {"target_series": t, "updated_series": "total", "impact_pct": change,
                            "previous_level": math.exp(before + back), "revised_level": math.exp(now + back)}]
        news_detail = (pd.concat(detail_rows, ignore_index=True)[NEWS_COLUMNS] if detail_rows
                       else pd.DataFrame({c: pd.Series(dtype=float) for c in NEWS_COLUMNS}))
        news_totals = pd.concat(total_rows, ignore_index=True)[TOTALS_COLUMNS]
        news_level = pd.DataFrame(level_rows).reindex(columns=LEVEL_COLUMNS)
        for name, gap in (("total impact = news + revisions", gap_identity),
                          ("news impacts = sum over updates", gap_details),
                          ("level change = sum of series impacts + revisions", gap_level)):
            if not gap <= IDENTITY_TOLERANCE:
                notes.append(f"nowcast:news: identity {name} off by {gap:.3g} (> {IDENTITY_TOLERANCE:g})")

        params = {
            "model": "DynamicFactorMQ", "origin": f"{origin:%Y-%m}", "previous": f"{previous_month:%Y-%m}",
            "horizon_end": f"{horizon_end:%Y-%m}", "targets": list(targets),
            "monthly_series": monthly_used, "quarterly_series": quarterly_used, "dropped": dict(dropped),
            "lags": {c: int(self.lags.get(c, 0)) for c in columns},
            "factors": self.factors, "factor_order": self.factor_order, "idiosyncratic_ar1": True,
            "em_initialization": False, "sample_start_rule": "first month with two or more series observed",
            "standardize": True, "seasonally_adjusted_by_model": sorted(seasonal),
            "transform": "100 x monthly log difference; quarterly: 100 x quarter-on-quarter log difference",
            "maxiter": self.maxiter, "tolerance": self.tolerance, "repetitions": self.repetitions, "seed": self.seed,
            "min_months": self.min_months,
            "mean": "median level: exp of the mean log level (smoothed / forecast growth cumulated)",
            "intervals": "quantiles of simulated level paths: states drawn from the posterior by forward filtering, "
                         "backward sampling (ragged edge and future jointly), parameters fixed",
            "news_units": "percent growth, original scale (not standardized)",
        }
        loadings: dict[str, dict[str, float]] = {}  # statsmodels names them "loading.<factor>-><series>"
        for name, value in res.params.items():
            if name.startswith("loading."):
                factor, series = name[len("loading."):].split("->", 1)
                loadings.setdefault(f"factor {factor}", {})[series] = float(value)
        diagnostics = {
            "converged": bool(converged), "em_iterations": em_iterations, "em_relative_llf_change": em_delta,
            "llf": float(res.llf), "nobs": int(res.nobs), "k_params": int(len(res.params)),
            "aic": float(res.aic), "bic": float(res.bic),
            "sample_start": f"{sample_start:%Y-%m}", "sample_end": f"{origin:%Y-%m}",
            "fit_seconds": fit_seconds, "news_seconds": news_seconds, "simulate_seconds": simulate_seconds,
            "last_known": {t: f"{last_now[t]:%Y-%m}" for t in targets},
            "last_known_previous": {t: f"{last_prev[t]:%Y-%m}" for t in targets},
            "loadings": loadings,
            "params": {str(k): float(v) for k, v in res.params.items()},
            "standardization": {c: [float(endog_mean[c]), float(endog_std[c])] for c in columns},
            "seasonal_factors": {c: {int(k): float(v) for k, v in f.items()} for c, f in seasonal.items()},
            "news_identity_gaps": {"total_vs_news_plus_revisions": gap_identity,
                                   "news_vs_sum_of_updates": gap_details,
                                   "level_change_vs_sum_of_series": gap_level},
            "updates": int(len(updates)), "revisions": int(news.n_revisions),
        }
        return NowcastResults(
            status="ok" if converged else "not_converged", forecast=forecast, news=news_detail,
            news_totals=news_totals, news_level=news_level, paths=paths, parameters=params,
            diagnostics=diagnostics, warnings=tuple(notes))
