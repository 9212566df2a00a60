"""Bubble dating by recursive right-tailed ADF tests (Phillips, Shi and Yu 2015): ADF, SADF, GSADF, BSADF."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from models import _radf_kernel as kernel

LEVELS = (0.90, 0.95, 0.99)
DEFAULT_REPS = 2000
DEFAULT_SEED = 20150401
# Bumped whenever the simulation or the statistics change, so cached critical values are not reused.
KERNEL_VERSION = 1


class BubbleInputError(ValueError):
    """A series the recursive ADF tests cannot use, with what is wrong and where."""


def psy_min_window(n: int, fraction: float | None = None) -> int:
    """Smallest window in regression rows: ``floor((0.01 + 1.8 / sqrt(n)) * n)`` by default (PSY 2015).

    Parameters
    ----------
    n : int
        Number of observations of the series.
    fraction : float, optional
        A minimum window as a fraction of ``n`` instead of the PSY rule.

    Returns
    -------
    int
        The minimum window, as exuber and pyexuber compute it.
    """
    r0 = 0.01 + 1.8 / np.sqrt(n) if fraction is None else float(fraction)
    if not 0 < r0 < 1:
        raise BubbleInputError(f"minimum window fraction {r0} must be between 0 and 1")
    return int(np.floor(r0 * n))


def psy_min_duration(n: int, delta: float = 1.0) -> int:
    """Shortest episode kept by :func:`datestamp`: ``round(delta * log(n))`` observations."""
    if delta <= 0:
        raise BubbleInputError(f"delta {delta} must be positive")
    return int(np.round(delta * np.log(n)))


def _values(data, name: str | None) -> tuple[np.ndarray, pd.Index | None, str]:
    """The series as float values, its index (None for plain arrays) and its label; refuse gaps."""
    if isinstance(data, pd.DataFrame):
        if data.shape[1] != 1:
            raise BubbleInputError(
                f"radf takes one series; the frame has columns {list(data.columns)}. Pass frame[column]"
            )
        data = data.iloc[:, 0]
    index = data.index if isinstance(data, pd.Series) else None
    label = name or (str(data.name) if isinstance(data, pd.Series) and data.name is not None else "series")
    try:
        values = np.asarray(data.to_numpy() if index is not None else data, dtype=float)
    except (TypeError, ValueError):
        raise BubbleInputError(f"{label}: values must be numeric") from None
    if values.ndim != 1:
        raise BubbleInputError(f"{label}: radf takes one series; got an array of shape {values.shape}")
    bad = ~np.isfinite(values)
    if bad.any():
        first = int(np.argmax(bad))
        where = index[first] if index is not None else first
        raise BubbleInputError(
            f"{label}: {int(bad.sum())} missing or infinite value(s), the first at {where!r}; "
            "the recursive ADF tests need a gap-free series (drop or fill them first)"
        )
    return values, index, label


def _check_window(label: str, n: int, min_window: int, lag: int) -> None:
    rows = n - 1 - lag
    if lag < 0:
        raise BubbleInputError(f"{label}: lag {lag} must be 0 or more")
    if min_window < 1:
        raise BubbleInputError(f"{label}: minimum window {min_window} must be positive")
    if min_window < lag + 3:
        raise BubbleInputError(
            f"{label}: minimum window {min_window} is too small for lag {lag}: a window needs at least "
            f"{lag + 3} rows to leave one degree of freedom"
        )
    if min_window > rows:
        raise BubbleInputError(
            f"{label}: {n} observations leave {rows} regression rows at lag {lag}, fewer than the "
            f"minimum window {min_window}; use a longer series or a smaller window"
        )


def _readonly(values) -> np.ndarray:
    array = np.array(values, dtype=float)
    array.flags.writeable = False
    return array


@dataclass(frozen=True)
class RadfResult:
    """Recursive ADF statistics of one series.

    ``badf`` (forward-expanding windows from the first row) and ``bsadf`` (the backward sup ADF
    of PSY 2015) are indexed by the observation that ends each window, from position
    ``min_window + lag`` on, as in exuber.
    """

    name: str
    n: int
    lag: int
    min_window: int
    adf: float
    sadf: float
    gsadf: float
    labels: pd.Index = field(repr=False)
    badf_values: np.ndarray = field(repr=False)
    bsadf_values: np.ndarray = field(repr=False)

    @property
    def offset(self) -> int:
        """Position in the series of the first BADF and BSADF value."""
        return self.min_window + self.lag

    @property
    def badf(self) -> pd.Series:
        return pd.Series(self.badf_values, index=self.labels[self.offset :], name="badf")

    @property
    def bsadf(self) -> pd.Series:
        return pd.Series(self.bsadf_values, index=self.labels[self.offset :], name="bsadf")

    def summary(self) -> str:
        return (
            f"{self.name}: n={self.n}, lag={self.lag}, min window={self.min_window}\n"
            f"  ADF {self.adf:.4f}   SADF {self.sadf:.4f}   GSADF {self.gsadf:.4f}"
        )


def radf(series, *, lag: int = 0, min_window: int | None = None, name: str | None = None) -> RadfResult:
    """ADF, SADF, GSADF and the BADF and BSADF sequences of any series (PSY 2015).

    Parameters
    ----------
    series : pandas.Series or array-like
        The series in levels, gap-free. Its index labels the BSADF sequence.
    lag : int, default 0
        Lagged differences in every ADF regression (the constant is always included).
    min_window : int, optional
        Smallest window in regression rows; default :func:`psy_min_window`.
    name : str, optional
        Label for messages and results (default: the series' name).

    Returns
    -------
    RadfResult

    Notes
    -----
    Each window's ADF t statistic equals ``statsmodels.tsa.stattools.adfuller(x, maxlag=lag,
    autolag=None, regression="c")`` on that window, and the sequences equal exuber's ``radf``.
    All windows are solved at once from prefix sums (see ``models._radf_kernel``).
    """
    values, index, label = _values(series, name)
    n = len(values)
    window = psy_min_window(n) if min_window is None else int(min_window)
    _check_window(label, n, window, lag)
    spread = values.std()
    if spread == 0:
        raise BubbleInputError(f"{label}: the series is constant; there is nothing to test")
    z = (values - values.mean()) / spread  # the statistics do not change under location and scale
    steps = np.diff(z)
    if np.ptp(steps) <= 1e-9 * np.abs(steps).max():
        raise BubbleInputError(f"{label}: the series is a straight line (constant changes); "
                               "the ADF regressions have no residual variation")
    with np.errstate(invalid="ignore", divide="ignore"):
        stats = kernel.window_statistics(z, window, lag)
    if not np.isfinite(stats["gsadf"]):
        raise BubbleInputError(
            f"{label}: no window has variation left in its changes once the regressors are fitted "
            "(an exact recursion); the ADF statistics are undefined")
    for key in ("badf", "bsadf"):
        stats[key].flags.writeable = False
    return RadfResult(
        name=label, n=n, lag=lag, min_window=window,
        adf=stats["adf"], sadf=stats["sadf"], gsadf=stats["gsadf"],
        labels=index if index is not None else pd.RangeIndex(n), badf_values=stats["badf"],
        bsadf_values=stats["bsadf"],
    )


@dataclass(frozen=True)
class CriticalValues:
    """Monte Carlo critical values of the recursive ADF statistics under a driftless random walk.

    ``adf``, ``sadf`` and ``gsadf`` hold the quantiles at :data:`LEVELS`; ``badf`` and ``bsadf``
    one row per window end. As in exuber, the BSADF critical value at window end r is the
    quantile of the running maximum of the simulated BADF path up to r (the SADF of a sample
    ending at r, which PSY 2015 use as the BSADF's critical value), and all replications use the same seed-driven draws, in
    the order ``numpy.random.default_rng(seed).normal(size=(reps, n))`` gives them.
    """

    n: int
    min_window: int
    lag: int
    reps: int
    seed: int
    levels: tuple[float, ...]
    adf: np.ndarray
    sadf: np.ndarray
    gsadf: np.ndarray
    badf: np.ndarray = field(repr=False)
    bsadf: np.ndarray = field(repr=False)
    version: int = KERNEL_VERSION

    @property
    def key(self) -> str:
        """File-name-safe identity: T, window, lag, replications, seed and kernel version."""
        return (f"radf_mc_T{self.n}_w{self.min_window}_lag{self.lag}_reps{self.reps}"
                f"_seed{self.seed}_v{self.version}")

    def level_index(self, level: float) -> int:
        for k, known in enumerate(self.levels):
            if abs(known - level) < 1e-9:
                return k
        raise BubbleInputError(f"level {level} has no critical values; choose one of {self.levels}")

    def to_dict(self) -> dict:
        return {
            "n": self.n, "min_window": self.min_window, "lag": self.lag, "reps": self.reps,
            "seed": self.seed, "levels": list(self.levels), "version": self.version,
            "adf": self.adf.tolist(), "sadf": self.sadf.tolist(), "gsadf": self.gsadf.tolist(),
            "badf": self.badf.tolist(), "bsadf": self.bsadf.tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict) -> "CriticalValues":
        return cls(
            n=int(data["n"]), min_window=int(data["min_window"]), lag=int(data["lag"]),
            reps=int(data["reps"]), seed=int(data["seed"]), levels=tuple(data["levels"]),
            adf=_readonly(data["adf"]), sadf=_readonly(data["sadf"]), gsadf=_readonly(data["gsadf"]),
            badf=_readonly(data["badf"]), bsadf=_readonly(data["bsadf"]), version=int(data["version"]),
        )


def cache_key(n: int, min_window: int | None = None, lag: int = 0, reps: int = DEFAULT_REPS,
              seed: int = DEFAULT_SEED) -> str:
    """The :attr:`CriticalValues.key` a simulation with these settings would have."""
    window = psy_min_window(n) if min_window is None else int(min_window)
    return f"radf_mc_T{n}_w{window}_lag{lag}_reps{reps}_seed{seed}_v{KERNEL_VERSION}"


def simulate_critical_values(n: int, *, min_window: int | None = None, lag: int = 0,
                             reps: int = DEFAULT_REPS, seed: int = DEFAULT_SEED,
                             levels: tuple[float, ...] = LEVELS) -> CriticalValues:
    """Critical values of ADF, SADF, GSADF, BADF and BSADF by Monte Carlo (PSY 2015).

    Parameters
    ----------
    n : int
        Observations of the series to be tested.
    min_window : int, optional
        Smallest window in regression rows; default :func:`psy_min_window`.
    lag : int, default 0
        Lagged differences in each ADF regression (the null is simulated without them).
    reps : int, default 2000
        Replications.
    seed : int
        Seed of ``numpy.random.default_rng``: the same seed gives the same values. With lag 0
        the draws are those of pyexuber's ``radf_mc_cv(n, seed=seed)``, so the values agree.
    levels : tuple of float
        Quantiles to report.

    Returns
    -------
    CriticalValues

    Notes
    -----
    Runs in the calling process, the replications in batches of vectorized numpy (see
    ``models._radf_kernel``): no worker processes or threads of its own.
    """
    window = psy_min_window(n) if min_window is None else int(min_window)
    _check_window("simulated series", n, window, lag)
    if reps < 10:
        raise BubbleInputError(f"reps {reps} is too few for quantiles; use at least 10 (2,000 is usual)")
    stats = kernel.simulate(seed, n, reps, window, lag)
    badf = stats["badf"]
    q = np.asarray(levels)
    return CriticalValues(
        n=n, min_window=window, lag=lag, reps=reps, seed=seed, levels=tuple(levels),
        adf=_readonly(np.quantile(badf[:, -1], q)),
        sadf=_readonly(np.quantile(badf.max(axis=1), q)),
        gsadf=_readonly(np.quantile(stats["gsadf"], q)),
        badf=_readonly(np.quantile(badf, q, axis=0).T),
        bsadf=_readonly(np.quantile(np.maximum.accumulate(badf, axis=1), q, axis=0).T),
    )


def estimated_simulation_seconds(n: int, min_window: int, lag: int = 0, reps: int = DEFAULT_REPS) -> float:
    """Rough single-core seconds :func:`simulate_critical_values` needs (it grows as T squared)."""
    return kernel.estimated_seconds(n, min_window, lag, reps)


@dataclass(frozen=True)
class Episode:
    """One explosive episode: BSADF above its critical value for at least the minimum duration.

    ``start`` is the first observation above, ``peak`` the one where BSADF is highest, ``end``
    the first observation back below (None while ongoing); ``duration`` counts observations.
    Positions index the original series, as exuber's ``datestamp``.
    """

    series: str
    start: object
    peak: object
    end: object | None
    duration: int
    ongoing: bool
    start_position: int
    peak_position: int
    end_position: int | None


def datestamp(result: RadfResult, critical_values: CriticalValues, *, level: float = 0.95,
              min_duration: int | None = None) -> tuple[Episode, ...]:
    """Date the explosive episodes of a series (PSY 2015, exuber's rule).

    Parameters
    ----------
    result : RadfResult
    critical_values : CriticalValues
        For the same n, minimum window and lag as ``result``.
    level : float, default 0.95
    min_duration : int, optional
        Shortest episode in observations; default :func:`psy_min_duration`.

    Returns
    -------
    tuple of Episode
        Empty when GSADF does not exceed its critical value: as in exuber, only a series that
        rejects the null overall is date-stamped.
    """
    _check_compatible(result, critical_values)
    k = critical_values.level_index(level)
    duration_min = psy_min_duration(result.n) if min_duration is None else int(min_duration)
    if result.gsadf <= critical_values.gsadf[k]:
        return ()
    tstat = result.bsadf_values
    above = np.flatnonzero(tstat > critical_values.bsadf[:, k])
    episodes = []
    if len(above):
        breaks = np.flatnonzero(np.diff(above) != 1)
        starts = np.concatenate(([above[0]], above[breaks + 1]))
        ends = np.concatenate((above[breaks] + 1, [above[-1] + 1]))
        for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
            if e - s < duration_min:
                continue
            peak = s + int(np.argmax(tstat[s:e]))
            ongoing = e >= len(tstat)
            offset = result.offset
            labels = result.labels
            episodes.append(Episode(
                series=result.name,
                start=labels[s + offset], peak=labels[peak + offset],
                end=None if ongoing else labels[e + offset],
                duration=e - s, ongoing=ongoing,
                start_position=s + offset, peak_position=peak + offset,
                end_position=None if ongoing else e + offset,
            ))
    return tuple(episodes)


def _check_compatible(result: RadfResult, cv: CriticalValues) -> None:
    if (result.n, result.min_window, result.lag) != (cv.n, cv.min_window, cv.lag):
        raise BubbleInputError(
            f"{result.name}: critical values are for n={cv.n}, window={cv.min_window}, lag={cv.lag} but the "
            f"statistics for n={result.n}, window={result.min_window}, lag={result.lag}; simulate matching ones"
        )


@dataclass(frozen=True)
class BubbleResults:
    """A fitted :class:`BubbleTest`: statistics, critical values, verdicts and dated episodes."""

    statistics: RadfResult
    critical_values: CriticalValues
    level: float
    min_duration: int
    episodes: tuple[Episode, ...]
    warnings: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.statistics.name

    def rejects(self, statistic: str = "gsadf", level: float | None = None) -> bool:
        """Whether ``statistic`` (adf, sadf or gsadf) exceeds its critical value at ``level``."""
        k = self.critical_values.level_index(self.level if level is None else level)
        return bool(getattr(self.statistics, statistic) > getattr(self.critical_values, statistic)[k])

    @property
    def exuberant(self) -> bool:
        """GSADF rejects the unit root in favour of explosiveness at the test's level."""
        return self.rejects("gsadf")

    def sequence(self) -> pd.DataFrame:
        """BADF and BSADF per window end, with BSADF critical values and the episode flag."""
        stats, cv = self.statistics, self.critical_values
        frame = pd.DataFrame({"badf": stats.badf_values, "bsadf": stats.bsadf_values},
                             index=stats.labels[stats.offset :])
        for k, lev in enumerate(cv.levels):
            frame[f"bsadf_cv{round(lev * 100)}"] = cv.bsadf[:, k]
        in_episode = np.zeros(len(frame), dtype=bool)
        for ep in self.episodes:
            stop = len(frame) if ep.end_position is None else ep.end_position - stats.offset
            in_episode[ep.start_position - stats.offset : stop] = True
        frame["in_episode"] = in_episode
        return frame

    def summary(self) -> str:
        stats, cv = self.statistics, self.critical_values
        head = "".join(f"{round(lev * 100):>9}%" for lev in cv.levels)
        lines = [
            f"PSY bubble test: {stats.name}  (n={stats.n}, lag={stats.lag}, min window={stats.min_window}, "
            f"Monte Carlo {cv.reps} reps, seed {cv.seed})",
            f"{'':8}{'statistic':>11}{head}",
        ]
        for name in ("adf", "sadf", "gsadf"):
            values = "".join(f"{v:>10.4f}" for v in getattr(cv, name))
            lines.append(f"{name.upper():8}{getattr(stats, name):>11.4f}{values}")
        verdict = "rejects" if self.exuberant else "does not reject"
        lines.append(f"GSADF {verdict} the unit root at {round(self.level * 100)}%; "
                     f"episodes of at least {self.min_duration} observations:")
        if not self.episodes:
            lines.append("  none")
        for ep in self.episodes:
            end = "ongoing" if ep.ongoing else _label(ep.end)
            lines.append(f"  start {_label(ep.start)}  peak {_label(ep.peak)}  end {end}  duration {ep.duration}")
        lines.extend(f"warning: {w}" for w in self.warnings)
        return "\n".join(lines)


def _label(value) -> str:
    """A date without its midnight time; anything else as it prints."""
    if isinstance(value, pd.Timestamp) and value == value.normalize():
        return f"{value:%Y-%m-%d}"
    return str(value)


@dataclass(frozen=True)
class BubbleTest:
    """Specification of a PSY (2015) bubble test on one series; :meth:`fit` runs it.

    Parameters
    ----------
    series : pandas.Series
        Levels, gap-free (for a valuation, the ratio itself, e.g. price-to-sales).
    lag : int, default 0
    min_window : int, optional
        In regression rows; default :func:`psy_min_window`.
    level : float, default 0.95
    min_duration : int, optional
        Default :func:`psy_min_duration` (about log T).
    name : str, optional
    """

    series: pd.Series
    lag: int = 0
    min_window: int | None = None
    level: float = 0.95
    min_duration: int | None = None
    name: str | None = None

    def fit(self, critical_values: CriticalValues | None = None, *, reps: int = DEFAULT_REPS,
            seed: int = DEFAULT_SEED) -> BubbleResults:
        """Statistics, critical values (simulated unless given) and dated episodes."""
        stats = radf(self.series, lag=self.lag, min_window=self.min_window, name=self.name)
        cv = critical_values or simulate_critical_values(
            stats.n, min_window=stats.min_window, lag=stats.lag, reps=reps, seed=seed)
        duration = psy_min_duration(stats.n) if self.min_duration is None else int(self.min_duration)
        notes = []
        if cv.reps < 1000:
            notes.append(f"{stats.name}: critical values from only {cv.reps} replications; "
                         "use 2,000 for published numbers")
        return BubbleResults(
            statistics=stats, critical_values=cv, level=self.level, min_duration=duration,
            episodes=datestamp(stats, cv, level=self.level, min_duration=duration), warnings=tuple(notes),
        )


def required_observations(lag: int = 0) -> int:
    """Fewest observations for which the PSY default window leaves room for the tests."""
    n = lag + 4
    while True:
        window = psy_min_window(n)
        if window >= lag + 3 and window <= n - 1 - lag:
            return n
        n += 1
        if n > 10_000:  # pragma: no cover - cannot happen for sane lags
            raise BubbleInputError(f"no series length fits lag {lag}")


__all__ = [
    "estimated_simulation_seconds", "LEVELS", "DEFAULT_REPS", "DEFAULT_SEED", "KERNEL_VERSION", "BubbleInputError", "psy_min_window",
    "psy_min_duration", "RadfResult", "radf", "CriticalValues", "cache_key", "simulate_critical_values",
    "Episode", "datestamp", "BubbleResults", "BubbleTest", "required_observations",
]
