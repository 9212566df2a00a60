"""The talent-market cooling event and its SARIMAX forecast: paths, intervals and P(cooling) by simulation."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from models.divergence import recorded_warnings

SPRING = (3, 4, 5)  # March-May: after the March results
AUTUMN = (9, 10, 11)  # September-November of the year before: before the year-end review


class CoolingInputError(ValueError):
    """Inputs the cooling models cannot use, naming the target and what is missing."""


# -- the event -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoolingEvent:
    """Cooling in ``season_year``: the March-May mean of the target falls below the September-November
    mean of the year before by more than ``threshold`` (a fraction: -0.05 means more than 5% lower).

    change = mean(x[Mar..May of Y]) / mean(x[Sep..Nov of Y-1]) - 1; cooling when change < threshold.
    ``x`` is seasonally adjusted first when the target is not (see :func:`seasonal_factors`).
    """

    threshold: float

    @staticmethod
    def season_label(season_year: int) -> str:
        return f"{season_year} Mar-May"

    @staticmethod
    def windows(season_year: int) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex]:
        autumn = pd.DatetimeIndex([pd.Timestamp(season_year - 1, m, 1) for m in AUTUMN])
        spring = pd.DatetimeIndex([pd.Timestamp(season_year, m, 1) for m in SPRING])
        return autumn, spring

    def changes(self, level: pd.Series) -> pd.Series:
        """The seasonal change of every year whose six months are all observed, indexed by the spring's year."""
        level = level.dropna()
        if level.empty:
            return pd.Series({}, dtype=float, name="change")
        # One array of the months from January of the first year to December of the last (NaN where not
        # observed): the windows of every year are then fixed offsets into it, not a lookup per year.
        try:
            index = pd.DatetimeIndex(level.index)
        except (TypeError, ValueError) as exc:
            raise CoolingInputError(f"{level.name or 'the target'}: the seasonal change needs levels indexed by "
                                    f"month, not {type(level.index).__name__} ({exc})") from None
        if index.has_duplicates:
            twice = ", ".join(f"{m:%Y-%m-%d}" for m in index[index.duplicated()][:5])
            raise CoolingInputError(f"{level.name or 'the target'}: months {twice} appear more than once; keep one "
                                    "value per month (one vintage) before the seasonal change")
        year, first = index.year.to_numpy(), int(index.year.min())
        last = int(year.max())
        grid = np.full((last - first + 1, 12), np.nan)  # years x months
        start = (index.day == 1) & (index == index.normalize())  # a month is its first day at midnight; no other stamp
        grid[year[start] - first, index.month.to_numpy()[start] - 1] = level.to_numpy(dtype=float)[start]
        years = np.arange(first + 1, last + 1)
        autumn = grid[:-1, [m - 1 for m in AUTUMN]]
        spring = grid[1:, [m - 1 for m in SPRING]]
        whole = ~(np.isnan(autumn).any(axis=1) | np.isnan(spring).any(axis=1))
        ratio = spring[whole].mean(axis=1) / autumn[whole].mean(axis=1) - 1
        return pd.Series(ratio, index=pd.Index(years[whole].tolist(), dtype="int64"), dtype=float, name="change")

    def base_rate(self, level: pd.Series) -> tuple[float, int]:
        """Historical frequency of the event and the number of seasons it counts (NaN, 0 when none)."""
        ch = self.changes(level)
        if ch.empty:
            return float("nan"), 0
        return float((ch < self.threshold).mean()), len(ch)

    def probability(self, observed: pd.Series, paths: pd.DataFrame, season_year: int) -> float:
        """Share of simulated ``paths`` (months x repetitions, levels) in which the event happens.

        Months of the two windows already observed are taken from ``observed``; the rest from each path.
        """
        return self.share_cooling(self.simulated_changes(observed, paths, season_year))

    def share_cooling(self, changes) -> float:
        """The share of seasonal ``changes`` (simulated, or historical) in which the event happens."""
        return float(np.mean(np.asarray(changes, dtype=float) < self.threshold))

    def simulated_changes(self, observed: pd.Series, paths: pd.DataFrame, season_year: int) -> np.ndarray:
        """The seasonal change in each simulated path (what :meth:`probability` compares with the threshold, so
        that P(cooling) at any other threshold is the share below it)."""
        autumn, spring = self.windows(season_year)

        def window_mean(months: pd.DatetimeIndex) -> np.ndarray:
            rows = []
            for m in months:
                if m in observed.index and pd.notna(observed.get(m)):
                    rows.append(np.full(paths.shape[1], float(observed[m])))
                elif m in paths.index:
                    rows.append(paths.loc[m].to_numpy(dtype=float))
                else:
                    raise CoolingInputError(f"month {m:%Y-%m} is neither observed nor simulated")
            return np.mean(rows, axis=0)

        return window_mean(spring) / window_mean(autumn) - 1


def season_year_at(origin: pd.Timestamp, configured: int = 0) -> int:
    """The season rule: the March-May a forecast made at the end of ``origin`` is about -- this year's until May
    ends, else next year's (``configured``, when not 0, fixes it)."""
    if configured:
        return int(configured)
    origin = pd.Timestamp(origin)
    return origin.year if origin.month < 5 else origin.year + 1


def seasonal_factors(log_level: pd.Series) -> pd.Series:
    """Month-of-year factors of a log series (classical decomposition): the mean by calendar month of
    log x minus its centred 2x12 moving average, centred to sum to zero. Indexed 1..12."""
    x = log_level.dropna()
    if len(x) < 36:
        raise CoolingInputError(f"seasonal adjustment needs 36 months, has {len(x)}")
    trend = x.rolling(12, center=True).mean().rolling(2).mean().shift(-1)
    detrended = (x - trend).dropna()
    factors = detrended.groupby(detrended.index.month).mean().reindex(range(1, 13))
    if factors.isna().any():
        raise CoolingInputError("seasonal adjustment: some calendar month has no detrended value")
    return factors - factors.mean()


def seasonally_adjusted(log_level: pd.Series, adjust: bool) -> tuple[pd.Series, pd.Series]:
    """The month-of-year factors (zeros when ``adjust`` is False: the source adjusts the target already) and the
    log level less them: the one seasonal adjustment every model and the cooling event use."""
    log_level = log_level.dropna()
    factors = seasonal_factors(log_level) if adjust else pd.Series(0.0, index=range(1, 13))
    return factors, log_level - factors.reindex(log_level.index.month).to_numpy()


# -- SARIMAX -------------------------------------------------------------------------------------


def calendar_dummies(index: pd.DatetimeIndex) -> pd.DataFrame:
    """year_end_review = 1 in November and December; march_results = 1 in March."""
    return pd.DataFrame({
        "year_end_review": index.month.isin([11, 12]).astype(float),
        "march_results": (index.month == 3).astype(float),
    }, index=index)


@dataclass(frozen=True)
class CoolingForecastResults:
    """What a fitted cooling SARIMAX says: paths with intervals, P(cooling), and its diagnostics."""

    target: str
    status: str  # ok, not_converged
    forecast: pd.DataFrame = field(repr=False)  # month, mean, lo80, hi80, lo95, hi95 (target units)
    probability: float
    base_rate: float
    base_seasons: int
    season_year: int
    threshold: float
    parameters: dict = field(repr=False)
    diagnostics: dict = field(repr=False)
    exog_future: str = ""
    warnings: tuple[str, ...] = ()
    # the seasonal change in each simulated path (P(cooling) at another threshold is the share below it)
    changes: np.ndarray | None = field(default=None, repr=False, compare=False)

    def summary(self) -> str:
        return (f"{self.target}: P(cooling {CoolingEvent.season_label(self.season_year)}) {self.probability:.2f} "
                f"(threshold {self.threshold:+.1%}, base rate {self.base_rate:.2f} over {self.base_seasons} seasons)")


@dataclass(frozen=True)
class _Fitted:
    """What :meth:`CoolingSARIMAX.fit_shocks` fitted once and simulates for each kind of shocks."""
    model: object
    res: object
    converged: bool
    optimizer: str
    flagged: tuple
    sample: pd.DataFrame
    future: pd.DatetimeIndex
    future_exog: pd.DataFrame
    exog_note: str
    factors: pd.Series
    adjusted: pd.Series
    base_rate: float
    base_seasons: int
    lagged: pd.DataFrame
    last: pd.Timestamp
    forecast: object


def _batched_simulation_obstacle(model) -> str | None:
    """Why the parameter draws of this fitted SARIMAX ``model`` cannot be simulated by
    :func:`_simulate_draws_batched` exactly, or None when they can.

    They can when the regression errors are AR(p) with d differences (no MA part, no seasonal part, no trend,
    no measurement error, regression coefficients among the parameters) and the sample is complete: then the
    state at the sample end is known exactly from the data for every parameter vector (the last p values of the
    d-th difference of y - x b and the last value of each lower difference), and nothing needs filtering.
    """
    if model.k_ma or model.k_seasonal_ma:
        return "the order has MA terms, whose state at the sample end is only estimated by the Kalman filter"
    if model.k_seasonal_ar or model.k_seasonal_diff:
        return "the model has seasonal terms"
    if model.k_trend:
        return "the model has a trend"
    if (model.measurement_error or model.time_varying_regression or not model.mle_regression
            or model.simple_differencing or model.concentrate_scale):
        return "the model uses a state-space option the batched recursion does not reproduce"
    if model.nobs <= model.k_ar + model.k_diff:
        return f"{model.nobs} months are too few to know the state at the sample end"
    if not np.isfinite(np.asarray(model.endog, dtype=float)).all() or (
            model.k_exog and not np.isfinite(np.asarray(model.exog, dtype=float)).all()):
        return "the sample has missing values"
    return None


def _simulate_draws_batched(model, draws: np.ndarray, nsimulations: int, per_draw: int, exog_future,
                            standard_normal: np.ndarray | np.random.Generator) -> np.ndarray:
    """Paths (nsimulations x draws*per_draw, columns draw by draw) of the SARIMAX ``model`` (regression with
    AR(p) errors integrated d times; see :func:`_batched_simulation_obstacle`) for each parameter vector of
    ``draws`` (rows in ``model.param_names`` order), from the sample's end, in one numpy recursion:

        u_t = y_t - x_t b,  w_t = (1 - L)^d u_t,  w_{T+h} = sum_i phi_i w_{T+h-i} + e_{T+h},  e ~ N(0, sigma2),
        y_{T+h} = x_{T+h} b + u_{T+h}  (u rebuilt from w by d cumulative sums from the last observed differences).

    The same distribution as ``model.filter(draw).simulate(nsimulations, anchor="end", ...)`` per draw: there the
    state one step past the end is drawn from N(predicted_state, predicted_state_cov), whose covariance is
    exactly that of e_{T+1}, as the state at the sample end is known. ``standard_normal`` is a generator (one
    draw of nsimulations x draws x per_draw normals) or that array itself (zeros give the forecast means).
    Sums run in a fixed order over the few regressors and lags, with no BLAS call, so that the same inputs give
    the same bits in any process.
    """
    names = list(model.param_names)
    draws = np.asarray(draws, dtype=float).reshape(-1, len(names))
    k_draws = len(draws)
    y = np.asarray(model.endog, dtype=float).reshape(-1)
    beta = draws[:, [names.index(c) for c in model.exog_names]] if model.k_exog else np.empty((k_draws, 0))
    x = np.asarray(model.exog, dtype=float).reshape(len(y), -1) if model.k_exog else np.empty((len(y), 0))
    x_future = (np.asarray(exog_future, dtype=float).reshape(nsimulations, -1) if model.k_exog
                else np.empty((nsimulations, 0)))
    ar = [(int(n[len("ar.L"):]), i) for i, n in enumerate(names) if n.startswith("ar.L")]
    p, d = max((lag for lag, _ in ar), default=0), int(model.k_diff)
    sd = np.sqrt(draws[:, names.index("sigma2")])[:, None]

    def regression(rows: np.ndarray) -> np.ndarray:  # rows x draws: x b of every draw
        out = np.zeros((len(rows), k_draws))
        for j in range(beta.shape[1]):
            out += rows[:, j, None] * beta[None, :, j]
        return out

    tail = y[len(y) - p - d:, None] - regression(x[len(x) - p - d:])  # u over the last p + d months, x draws
    levels = []  # the last value of each difference 0..d-1 of u, per path
    for _ in range(d):
        levels.append(np.repeat(tail[-1][:, None], per_draw, axis=1))
        tail = np.diff(tail, axis=0)
    history = [np.repeat(row[:, None], per_draw, axis=1) for row in tail]  # w, oldest first: p rows
    shocks = (standard_normal.standard_normal((nsimulations, k_draws, per_draw))
              if isinstance(standard_normal, np.random.Generator) else
              np.broadcast_to(np.asarray(standard_normal, dtype=float), (nsimulations, k_draws, per_draw)))
    mean_future = regression(x_future)
    out = np.empty((nsimulations, k_draws, per_draw))
    for h in range(nsimulations):
        w = sd * shocks[h]
        for lag, i in ar:
            w = w + draws[:, i, None] * history[-lag]
        if p:
            history = history[1:] + [w]
        new = w
        for j in reversed(range(d)):
            levels[j] = levels[j] + new
            new = levels[j]
        out[h] = mean_future[h][:, None] + new
    return out.reshape(nsimulations, k_draws * per_draw)


def _simulate_draws_per_draw(model, draws: np.ndarray, nsimulations: int, per_draw: int, exog_future,
                             rng: np.random.Generator) -> np.ndarray:
    """The same paths by statsmodels, one filter + simulate per parameter vector: for any order."""
    return np.concatenate([
        np.asarray(model.filter(draw, cov_type="none").simulate(
            nsimulations, anchor="end", repetitions=per_draw, exog=exog_future, rng=rng),
            dtype=float).reshape(nsimulations, -1)
        for draw in draws], axis=1)


SHOCKS = ("normal", "bootstrap", "local")
LOCAL_SCALE_MONTHS = 60  # shocks = "local": the residuals of the last five years set the shocks' scale


def local_scale(resid, burn: int, skip, months: int = LOCAL_SCALE_MONTHS) -> tuple[float, int]:
    """The factor by which the last ``months`` one-step residuals' root mean square exceeds that of all of them
    (after the first ``burn``, without the months in ``skip``), and how many recent residuals it read: a variance
    that changed (payrolls' 1970s against the 2010s) then sets the bands by its recent level, while the AR
    coefficients keep the whole sample."""
    resid = pd.Series(resid, dtype=float).iloc[burn:]
    resid = resid[~resid.index.isin(pd.DatetimeIndex(list(skip)))] if len(skip) else resid
    z = resid.to_numpy(dtype=float)
    z = z[np.isfinite(z)]
    if len(z) < 2 * months or not np.mean(z ** 2) > 0:
        raise CoolingInputError(f"local shocks: {len(z)} usable residuals, fewer than twice the {months} recent "
                                "months whose scale would be compared with the whole sample's")
    recent = z[-months:]
    return float(np.sqrt(np.mean(recent ** 2) / np.mean(z ** 2))), len(recent)


def bootstrap_shocks(resid, burn: int, skip, shape: tuple, rng: np.random.Generator) -> np.ndarray:
    """An array of ``shape`` drawn with replacement from the one-step residuals ``resid`` (a Series on the sample's
    months) after the first ``burn`` and without the months in ``skip``, centred and scaled to unit variance (each
    path's shocks are then sd x these, so a parameter draw's variance keeps its meaning)."""
    resid = pd.Series(resid, dtype=float).iloc[burn:]
    resid = resid[~resid.index.isin(pd.DatetimeIndex(list(skip)))] if len(skip) else resid
    z = resid.to_numpy(dtype=float)
    z = z[np.isfinite(z)]
    if len(z) < 12 or not z.std() > 0:
        raise CoolingInputError(f"bootstrap shocks: {len(z)} usable residuals, too few to resample (12 at least)")
    z = (z - z.mean()) / z.std()
    return z[rng.integers(0, len(z), size=shape)]


OUTLIER_GUARD = 3  # months at the end of a sample never flagged as outliers


def _inverse_filter(ar, d: int) -> np.ndarray:
    """pi(B) = phi(B) (1 - B)^d of a regression with ARIMA(p, d, 0) errors, coefficients of B^0, B^1, ..."""
    pi = np.array([1.0])
    for coef in ([1.0, *(-float(a) for a in ar)], *([[1.0, -1.0]] * d)):
        pi = np.convolve(pi, coef)
    return pi


def additive_outlier_sizes(resid: pd.Series, *, ar=(), d: int = 1) -> pd.Series:
    """Chen and Liu's estimate of an additive outlier in each month, sum_j pi_j e_(t+j) / sum_j pi_j^2, for the
    months after the first p + d whose p + d following residuals are known (the GLS estimate of a one-month dummy
    at the model's parameters)."""
    pi = _inverse_filter(ar, d)
    span = len(pi) - 1
    e = resid.to_numpy(dtype=float)
    if len(e) <= 2 * span:
        return pd.Series(dtype=float)
    windows = np.lib.stride_tricks.sliding_window_view(e, len(pi))[span:len(e) - span]
    return pd.Series(windows @ pi / (pi @ pi), index=resid.index[span:len(e) - span])


def additive_outliers(resid: pd.Series, *, ar=(), d: int = 1, z: float, guard: int = OUTLIER_GUARD
                      ) -> list[pd.Timestamp]:
    """Additive outliers in the level of a regression with ARIMA(p, d, 0) errors (Chen and Liu, 1993, first
    stage): an outlier of size w in month t leaves w * pi_j in the residual of month t + j, pi(B) = phi(B) (1 - B)^d
    the model's inverse filter; its estimate is sum_j pi_j e_(t+j) / sum_j pi_j^2 and its t-statistic that over
    sigma / sqrt(sum pi_j^2), sigma robust (1.4826 x the median absolute deviation of the residuals, which the
    outliers themselves barely move). Each month is also read as one lasting shock (the innovation statistic
    e_t / sigma: a step that stays is news, not an outlier); every reading beyond ``z``, largest first, claims
    its month and keeps out the months within p + d of it (its echoes), and only the spikes become outliers; at
    most one month in 20. For an ARIMA(p, d, 0) only: with MA terms pi(B) has no finite form. The first
    p + d residuals (the diffuse start) and the last ``guard`` months are never flagged. Months in time order."""
    pi = _inverse_filter(ar, d)
    span = len(pi) - 1
    e = resid.to_numpy(dtype=float)
    start, stop = span, len(e) - max(guard, span)  # a month needs its p + d following residuals
    if stop - start < 24 or not np.isfinite(e[start:]).all():
        return []
    body = e[start:]
    scale = 1.4826 * float(np.median(np.abs(body - np.median(body))))
    if not scale > 0:
        return []
    windows = np.lib.stride_tricks.sliding_window_view(e, len(pi))[start:stop]
    stat = (windows @ pi) / (scale * np.sqrt(pi @ pi))
    innovation = e[start:stop] / scale  # the same month read as one large shock that stays (Chen-Liu's IO)
    # Both readings of every month, largest first: a spike (AO, a dummy) or one lasting shock (IO: news, no
    # dummy); whichever explains a stretch best claims it, and the months within p + d of it are its echoes.
    readings = sorted([(abs(v), int(i), "AO") for i, v in enumerate(stat) if abs(v) > z]
                      + [(abs(v), int(i), "IO") for i, v in enumerate(innovation) if abs(v) > z],
                      key=lambda r: (-r[0], r[1], r[2]))
    kept: list[int] = []
    claimed: list[int] = []
    for _, i, kind in readings:
        if len(kept) >= max(1, (stop - start) // 20):
            break
        if any(abs(i - k) <= span for k in claimed):
            continue
        claimed.append(i)
        if kind == "AO":
            kept.append(i)
    return sorted(resid.index[start + k] for k in kept)


@dataclass(frozen=True)
class CoolingSARIMAX:
    """Specification: SARIMAX on the monthly log level of one target, with lagged divergence regressors and
    calendar dummies; P(cooling) by simulating paths from the fitted state-space model.

    Parameters
    ----------
    target : str
    level : pandas.Series
        Monthly levels (month-start index), complete months only.
    regressors : pandas.DataFrame
        Monthly divergence measures (e.g. ps_zscore), month-start index; each enters lagged by ``lag``.
    threshold : float
        The cooling threshold of this target, a fraction (-0.05 = 5% lower).
    season_year : int
        The March-May to forecast (against September-November of the year before).
    horizon_end : pandas.Timestamp
        Last month of the forecast paths (at least May of ``season_year``).
    lag : int, default 12
        Months by which the regressors lead the target.
    seasonally_adjust : bool, default False
        True for a target that is not seasonally adjusted: the model and the event use the log level
        less its month-of-year factors; paths are reported with the factors added back.
    order : tuple, default (1, 1, 0)
    repetitions : int, default 2000
    seed : int, default 20270301
    maxiter : int, default 200
    future_regressors : str, default "hold_last"
        Beyond the last observed regressor value: "hold_last" keeps the last value.
    drift : bool, default False
        Adds a linear trend in the log level (a regressor ``drift``, in years from the sample start): with one
        difference, a constant drift in the monthly growth, estimated with the other coefficients, for a target
        that trends (the paths' median then moves with it, and its uncertainty is in the parameter draws).
    window : int, default 0
        Fits on the last ``window`` months of the sample only (0: all of it), for a target whose variance changed:
        the bands then carry the recent volatility, not that of decades ago.
    outliers : float, default 0
        Additive outliers: when > 0, the model is fitted once, every month whose additive-outlier statistic
        exceeds ``outliers`` (robust standard deviations, 1.4826 x the median absolute deviation), read through
        the model's inverse filter (:func:`additive_outliers`: Chen and Liu's statistic),
        gets a dummy of its own (1 in that month, 0 elsewhere and in the forecast), at most one month in 20 (the
        largest), and the model is fitted again. A strike (USINFO, August 1983: the Bell System) or a
        lockdown month then neither inflates the shock variance nor bends the AR coefficients. The last
        ``OUTLIER_GUARD`` months are never flagged: a fall that has just begun is news, not an outlier.
        With ``order`` stationary (d = 0) a constant is added, so the level reverts to its mean.
    shocks : {"normal", "bootstrap", "local"}, default "normal"
        The simulated innovations: Gaussian, or drawn with replacement from the fitted model's own one-step
        residuals (after the first p + d months, which the filter's diffuse start distorts, and without the outlier
        months), centred and scaled to unit variance, times each parameter draw's standard deviation. A target
        whose months are mostly calm with a few large moves (payrolls) then gets bands whose 80% is narrower and
        whose 95% keeps the large moves, where Gaussian shocks of the same variance make the 80% band too wide.
        Or "local": Gaussian, times the factor by which the root mean square of the last
        ``LOCAL_SCALE_MONTHS`` residuals (same exclusions) exceeds that of all of them (:func:`local_scale`): a
        variance that changed over the decades (payrolls' shocks were three times larger in the 1970s than in the
        2010s) sets the bands by its recent level, where a constant variance fitted on fifty years makes calm
        years' bands too wide and the turbulent ones' too narrow. Each parameter draw's sd is scaled alike.
        Needs the batched recursion (an order without MA terms, a complete sample); where it cannot run, the
        shocks are Gaussian and the notes say so. :meth:`fit_shocks` fits once and simulates several.
    parameter_draws : int, default 100
        Parameter uncertainty in the simulation: this many parameter vectors drawn from the estimates'
        asymptotic normal distribution N(theta_hat, cov_params) (draws with a non-positive variance or a
        non-stationary AR part are redrawn), each simulating ``repetitions // parameter_draws`` paths.
        0 holds the parameters at their estimates (shocks only). The 80% / 95% bounds are then the
        simulated paths' quantiles; the mean stays exp of the analytic forecast mean. For a regression with
        AR(p) errors differenced d times (any order without MA terms) all draws are simulated together by one
        numpy recursion from the state at the sample end, which the data give exactly; other orders fall back
        to statsmodels' filter + simulate once per draw. ``diagnostics["simulation_method"]`` says which.
    regressor_sample : bool, default False
        Fits on the months where the lagged ``regressors`` exist (the sample SARIMAX with them would have) but
        without them: the same fit less the regressors, the yardstick of the test of whether they help
        (:func:`models.backtest.gap_test`), free of the change of sample that comparing with the whole history
        would add.
    """

    target: str
    level: pd.Series
    regressors: pd.DataFrame
    threshold: float
    season_year: int
    horizon_end: pd.Timestamp
    lag: int = 12
    seasonally_adjust: bool = False
    order: tuple[int, int, int] = (1, 1, 0)
    repetitions: int = 2000
    seed: int = 20270301
    maxiter: int = 200
    min_months: int = 36
    future_regressors: str = "hold_last"
    parameter_draws: int = 100
    drift: bool = False
    window: int = 0
    outliers: float = 0.0
    shocks: str = "normal"
    regressor_sample: bool = False

    def _draw_parameters(self, res, rng: np.random.Generator) -> tuple[np.ndarray, int]:
        """``parameter_draws`` valid parameter vectors from N(params, cov_params) and how many were redrawn."""
        names = list(res.params.index)
        mean = res.params.to_numpy(dtype=float)
        cov = np.asarray(res.cov_params(), dtype=float)
        if not np.isfinite(cov).all():
            return np.empty((0, len(mean))), 0  # the caller says so and simulates with shocks only
        values, vectors = np.linalg.eigh((cov + cov.T) / 2)
        root = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T  # symmetric: no eigenvector rotation
        ar = [i for i, n in enumerate(names) if n.startswith("ar.L")]
        lags = [int(names[i][len("ar.L"):]) for i in ar]  # a lag list like [1, 3] skips lag 2
        var = names.index("sigma2")
        kept, rejected = [], 0
        while len(kept) < self.parameter_draws and rejected < 100 * self.parameter_draws:
            draw = mean + root @ rng.standard_normal(len(mean))
            if ar:  # 1 - sum phi_l z^l has all its roots outside the unit circle
                polynomial = np.zeros(max(lags) + 1)
                polynomial[0], polynomial[lags] = 1.0, -draw[ar]
                stationary = bool(np.all(np.abs(np.roots(polynomial[::-1])) > 1))
            else:
                stationary = True
            if draw[var] > 0 and stationary:
                kept.append(draw)
            else:
                rejected += 1
        return np.array(kept).reshape(-1, len(mean)), rejected

    def _estimate(self, y: pd.Series, exog: pd.DataFrame, notes: list[str]):
        """SARIMAX fitted by L-BFGS; if it does not converge, Nelder-Mead from where it stopped and L-BFGS again
        from there (the fit used is said in ``notes``). Returns (model, results, converged, optimizer)."""
        from statsmodels.tsa.statespace.sarimax import SARIMAX

        model = SARIMAX(y, exog=exog, order=self.order)
        res = model.fit(disp=False, maxiter=self.maxiter)
        converged = bool(res.mle_retvals.get("converged", True)) if res.mle_retvals else True
        optimizer = "lbfgs"
        if not converged:
            # Fallback: Nelder-Mead from where L-BFGS stopped, then L-BFGS again from Nelder-Mead's point.
            nm = model.fit(start_params=res.params, method="nm", disp=False, maxiter=self.maxiter * 10)
            retry = model.fit(start_params=nm.params, disp=False, maxiter=self.maxiter)
            if retry.mle_retvals and retry.mle_retvals.get("converged"):
                notes.append(f"sarimax:{self.target}: L-BFGS did not converge from the default start; "
                             "it did from Nelder-Mead's solution (that fit is used)")
                res, converged, optimizer = retry, True, "lbfgs after nm"
            elif nm.mle_retvals and nm.mle_retvals.get("converged") and nm.llf >= res.llf - 1e-6:
                notes.append(f"sarimax:{self.target}: L-BFGS did not converge; Nelder-Mead did, at a likelihood "
                             "at least as high (that fit is used)")
                res, converged, optimizer = nm, True, "nm"
        return model, res, converged, optimizer

    def fit(self) -> CoolingForecastResults:
        return self.fit_shocks((self.shocks,))[self.shocks]

    def fit_shocks(self, shocks) -> dict[str, CoolingForecastResults]:
        """One fit, simulated with each kind of ``shocks`` ("normal", "bootstrap"): the results keyed by kind, each
        equal to ``replace(self, shocks=kind).fit()`` (the same parameter draws, from the same seed)."""
        kinds = tuple(dict.fromkeys(shocks))
        unknown = [k for k in kinds if k not in SHOCKS]
        if unknown or not kinds:
            raise CoolingInputError(f"{self.target}: shocks {unknown or list(kinds)} unknown; use one of {SHOCKS}")
        level = self.level.astype(float).dropna().sort_index()
        if (level <= 0).any():
            raise CoolingInputError(f"{self.target}: levels must be positive to take logs")
        log_level = np.log(level)
        notes: list[str] = []
        factors, adjusted = seasonally_adjusted(log_level, self.seasonally_adjust)
        event = CoolingEvent(self.threshold)
        base_rate, base_seasons = event.base_rate(np.exp(adjusted))

        lagged = self.regressors.astype(float).sort_index().shift(self.lag, freq="MS")
        lagged.columns = [f"{c}_lag{self.lag}" for c in lagged.columns]
        sample = adjusted.rename("y").to_frame().join(lagged, how="left").dropna()
        if len(sample) < self.min_months:
            raise CoolingInputError(
                f"{self.target}: {len(sample)} months with the target and its lagged regressors, fewer than "
                f"{self.min_months}")
        sample = sample.asfreq("MS")
        if sample.isna().any().any():
            # A gap inside the sample: keep the last unbroken run.
            gaps = sample.index[sample.isna().any(axis=1)]
            sample = sample.loc[gaps[-1] + pd.offsets.MonthBegin():]
            if len(sample) < self.min_months:
                raise CoolingInputError(f"{self.target}: its last unbroken run of months is {len(sample)} long")
        if self.window:
            if self.window < self.min_months:
                raise CoolingInputError(f"{self.target}: window {self.window} is shorter than min_months "
                                        f"{self.min_months}")
            sample = sample.iloc[-self.window:]
        if self.regressor_sample:  # the same months, without the regressors: the yardstick of the gap test
            sample, lagged = sample[["y"]], lagged.iloc[:, :0]
        exog = pd.concat([sample.drop(columns="y"), calendar_dummies(sample.index)], axis=1)
        last = sample.index[-1]
        future = pd.date_range(last + pd.offsets.MonthBegin(), pd.Timestamp(self.horizon_end), freq="MS")
        start = sample.index[0]

        def trend(index: pd.DatetimeIndex) -> pd.DataFrame:  # years from the sample start
            months = (index.year - start.year) * 12 + (index.month - start.month)
            return pd.DataFrame({"drift": months.to_numpy(dtype=float) / 12.0}, index=index)

        if self.drift:
            exog = pd.concat([exog, trend(sample.index)], axis=1)
        if self.order[1] == 0:  # stationary: the level reverts to a mean, estimated as a constant
            exog = exog.assign(const=1.0)
        autumn, spring = event.windows(self.season_year)
        if len(future) == 0 or future[-1] < spring[-1]:
            raise CoolingInputError(f"{self.target}: horizon must reach {spring[-1]:%Y-%m}")
        future_lagged = lagged.reindex(future)
        held = int(future_lagged.isna().any(axis=1).sum())
        last_known = lagged.dropna().iloc[-1]
        future_lagged = future_lagged.fillna(last_known)
        future_exog = pd.concat([future_lagged, calendar_dummies(future)]
                                + ([trend(future)] if self.drift else []), axis=1)
        if self.order[1] == 0:
            future_exog = future_exog.assign(const=1.0)
        future_exog = future_exog[exog.columns]
        exog_note = (f"regressors lagged {self.lag} months: observed for {len(future) - held} of {len(future)} "
                     f"forecast months; the other {held} held at the last observed value")
        if self.regressor_sample:
            exog_note = (f"no regressors: fitted on the {len(sample)} months from {sample.index[0]:%Y-%m} where "
                         f"SARIMAX's regressors (lagged {self.lag}) exist, the yardstick of the gap test")

        with recorded_warnings(notes, f"sarimax:{self.target}"):
            model, res, converged, optimizer = self._estimate(sample["y"], exog, notes)
            flagged: list[pd.Timestamp] = []
            if self.outliers > 0 and converged:
                if self.order[2]:
                    raise CoolingInputError(f"{self.target}: outliers need an order without MA terms, not "
                                            f"{self.order}")
                ar = [res.params[f"ar.L{i}"] for i in range(1, self.order[0] + 1)]
                if not np.isfinite(np.asarray(res.resid, dtype=float)[self.order[0] + self.order[1]:]).all():
                    notes.append(f"sarimax:{self.target}: residuals not all finite: no outlier search")
                else:
                    flagged = additive_outliers(res.resid, ar=ar, d=self.order[1], z=self.outliers)
                if flagged:
                    dummies = pd.DataFrame({f"outlier_{m:%Y_%m}": (sample.index == m).astype(float)
                                            for m in flagged}, index=sample.index)
                    refit = self._estimate(sample["y"], pd.concat([exog, dummies], axis=1), notes)
                    if refit[2]:
                        exog = pd.concat([exog, dummies], axis=1)
                        future_exog = pd.concat([future_exog, pd.DataFrame(0.0, index=future,
                                                                           columns=dummies.columns)], axis=1)
                        model, res, converged, optimizer = refit
                    else:
                        notes.append(f"sarimax:{self.target}: the refit with {len(flagged)} outlier dummies did not "
                                     "converge; the fit without them is used")
                        flagged = []
            fc = res.get_forecast(len(future), exog=future_exog)
        fitted = _Fitted(model=model, res=res, converged=converged, optimizer=optimizer, flagged=tuple(flagged),
                         sample=sample, future=future, future_exog=future_exog, exog_note=exog_note, factors=factors,
                         adjusted=adjusted, base_rate=base_rate, base_seasons=base_seasons, lagged=lagged,
                         last=last, forecast=fc)
        return {kind: self._simulated(fitted, kind, list(notes)) for kind in kinds}

    def _simulated(self, f: "_Fitted", kind: str, notes: list[str]) -> CoolingForecastResults:
        """Paths, intervals and P(cooling) of the fit ``f`` with ``kind`` shocks."""
        model, res, converged, optimizer, flagged = f.model, f.res, f.converged, f.optimizer, list(f.flagged)
        sample, future, future_exog, exog_note, factors, adjusted = (f.sample, f.future, f.future_exog, f.exog_note,
                                                                     f.factors, f.adjusted)
        base_rate, base_seasons, lagged, last = f.base_rate, f.base_seasons, f.lagged, f.last
        event = CoolingEvent(self.threshold)
        with recorded_warnings(notes, f"sarimax:{self.target}"):
            mean = f.forecast.predicted_mean
            ci80, ci95 = f.forecast.conf_int(alpha=0.2), f.forecast.conf_int(alpha=0.05)
            rng = np.random.default_rng(self.seed)
            rejected, draws = 0, np.empty((0, 0))
            gaussian = None  # why the shocks are Gaussian when ``kind`` asked for others
            shock_scale = None  # shocks = "local": the recent residuals' scale over the whole sample's
            if self.parameter_draws > 0 and converged:
                draws, rejected = self._draw_parameters(res, rng)
                if len(draws) < self.parameter_draws:
                    why = (f"{rejected} rejected: the estimates sit at the edge of the parameter space" if rejected
                           else "the estimates' covariance matrix is not finite")
                    notes.append(f"sarimax:{self.target}: only {len(draws)} of {self.parameter_draws} parameter draws "
                                 f"were valid ({why}); simulated with shocks only")
            if len(draws) and len(draws) == self.parameter_draws:
                per_draw = max(1, self.repetitions // self.parameter_draws)
                obstacle = _batched_simulation_obstacle(model)
                if obstacle is None:
                    source = rng
                    shape = (len(future), len(draws), per_draw)
                    try:
                        if kind == "bootstrap":
                            source = bootstrap_shocks(res.resid, model.k_ar + model.k_diff, flagged, shape, rng)
                        elif kind == "local":
                            factor, _ = local_scale(res.resid, model.k_ar + model.k_diff, flagged)
                            source, shock_scale = rng.standard_normal(shape) * factor, factor
                    except CoolingInputError as exc:
                        gaussian = str(exc)
                    sims = _simulate_draws_batched(model, draws, len(future), per_draw, future_exog, source)
                    simulation_method = (
                        f"batched numpy recursion: regression errors AR({model.k_ar}) with d={model.k_diff}, whose "
                        f"state at the sample end is known exactly; all {len(draws)} parameter draws at once"
                        + ("" if source is rng else "; shocks resampled from the fit's standardized residuals"
                           if kind == "bootstrap" else f"; Gaussian shocks times {factor:.3f}, the last "
                           f"{LOCAL_SCALE_MONTHS} residuals' scale over the whole sample's"))
                else:
                    gaussian = obstacle
                    sims = _simulate_draws_per_draw(model, draws, len(future), per_draw, future_exog, rng)
                    simulation_method = (f"statsmodels filter + simulate once per parameter draw ({len(draws)} "
                                         f"calls), not the batched recursion: {obstacle}")
            else:
                gaussian = "the parameters are held at their estimates, simulated by statsmodels"
                sims = res.simulate(len(future), anchor="end", repetitions=self.repetitions, exog=future_exog,
                                    rng=rng)
                simulation_method = "statsmodels res.simulate: shocks only, parameters fixed at their estimates"
            if kind != "normal" and gaussian:
                notes.append(f"sarimax:{self.target}: Gaussian shocks, not {kind}: {gaussian}")
                kind = "normal"
        paths = pd.DataFrame(np.asarray(sims, dtype=float).reshape(len(future), -1), index=future)
        with_parameters = bool(len(draws)) and len(draws) == self.parameter_draws
        if with_parameters:  # intervals that carry the parameter uncertainty too
            quantiles = paths.quantile([0.025, 0.10, 0.90, 0.975], axis=1).T.to_numpy()
            ci95 = pd.DataFrame(quantiles[:, [0, 3]], index=future)
            ci80 = pd.DataFrame(quantiles[:, [1, 2]], index=future)
        observed_sa = np.exp(adjusted)
        changes = event.simulated_changes(observed_sa, np.exp(paths), self.season_year)
        probability = event.share_cooling(changes)
        back = factors.reindex(future.month).to_numpy()
        forecast = pd.DataFrame({
            "month": future,
            "mean": np.exp(mean.to_numpy() + back),
            "lo80": np.exp(ci80.iloc[:, 0].to_numpy() + back), "hi80": np.exp(ci80.iloc[:, 1].to_numpy() + back),
            "lo95": np.exp(ci95.iloc[:, 0].to_numpy() + back), "hi95": np.exp(ci95.iloc[:, 1].to_numpy() + back),
        })
        params = {"order": list(self.order), "lag": self.lag, "regressors": list(lagged.columns),
                  "drift": self.drift, "window": self.window, "outliers": self.outliers, "shocks": kind,
                  "regressor_sample": self.regressor_sample,
                  "calendar_dummies": ["year_end_review (Nov-Dec)", "march_results (Mar)"],
                  "seasonally_adjusted_by_model": self.seasonally_adjust, "threshold": self.threshold,
                  "season": CoolingEvent.season_label(self.season_year), "repetitions": self.repetitions,
                  "seed": self.seed, "maxiter": self.maxiter, "future_regressors": self.future_regressors,
                  "parameter_draws": self.parameter_draws, "optimizer": optimizer,
                  "simulation": (f"{self.parameter_draws} parameter vectors from N(estimates, cov_params), "
                                 f"{max(1, self.repetitions // self.parameter_draws)} paths each; intervals are the "
                                 "paths' quantiles" if with_parameters else
                                 "res.simulate(anchor='end'): shocks only, parameters fixed at their estimates")}
        diagnostics = {"converged": converged, "nobs": int(res.nobs), "sample_start": sample.index[0],
                       "outlier_months": [f"{m:%Y-%m}" for m in flagged],
                       "sample_end": last, "aic": float(res.aic), "bic": float(res.bic),
                       "llf": float(res.llf), "coefficients": {k: float(v) for k, v in res.params.items()},
                       "pvalues": {k: float(v) for k, v in res.pvalues.items()},
                       "base_rate": base_rate, "base_seasons": base_seasons,
                       "historical_changes": {str(k): v for k, v in event.changes(observed_sa).items()},
                       "exog_future": exog_note, "parameter_draws_rejected": rejected, "shock_scale": shock_scale,
                       "paths": int(paths.shape[1]), "simulation_method": simulation_method,
                       "seasonal_factors": {int(k): float(v) for k, v in factors.items()}
                       if self.seasonally_adjust else None}
        if not converged:
            notes.append(f"sarimax:{self.target}: the optimizer did not converge in {self.maxiter} iterations "
                         f"(warnflag {res.mle_retvals.get('warnflag')})")
        return CoolingForecastResults(
            target=self.target, status="ok" if converged else "not_converged", forecast=forecast,
            probability=probability, base_rate=base_rate, base_seasons=base_seasons, season_year=self.season_year,
            threshold=self.threshold, parameters=params, diagnostics=diagnostics, exog_future=exog_note,
            warnings=tuple(notes), changes=changes)
