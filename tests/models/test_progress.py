"""The progress index and capital against progress (models.progress): a reference for the index, no look-ahead in
its real-time numbers, and the gap on constructed cases whose answer is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.stattools import coint

from models.progress import MEASURES, ProgressSpec, capital_progress, progress_index

MONTHS = pd.date_range("2015-01-01", "2026-06-01", freq="MS")


def frontier(months=MONTHS, seed=0, ragged=True) -> pd.DataFrame:
    """Five rising step frontiers (log levels), starting and ending in different months when ``ragged``."""
    rng = np.random.default_rng(seed)
    rows = []
    for k, measure in enumerate(MEASURES):
        level = np.maximum.accumulate(np.cumsum(rng.exponential(0.05 + 0.02 * k, len(months))
                                                * (rng.random(len(months)) < 0.4)))
        start, stop = (6 * k, len(months) - 3 * k) if ragged else (0, len(months))
        rows += [{"measure": measure, "month": m, "frontier_level": v}
                 for m, v in zip(months[start:stop], level[start:stop])]
    return pd.DataFrame(rows)


def test_index_is_the_chain_of_paced_changes_by_hand():
    """Two measures on a small case computed by hand: a moves 2, 0, 4 (pace 2 a month), b enters in month 3 and
    moves 1, 1, 2 over its three months (pace 4/3 ... over 3 months). The index moves by the mean of the paced
    changes of the measures present in a month and the one before: 0, 1, 0 + nothing from b's entry, ..."""
    months = pd.date_range("2020-01-01", periods=5, freq="MS")
    a = [0.0, 2.0, 2.0, 6.0, np.nan]          # ends in month 4 (a ragged end)
    b = [np.nan, np.nan, 10.0, 11.0, 13.0]    # starts in month 3 (a ragged start)
    f = pd.DataFrame([{"measure": m, "month": t, "frontier_level": v}
                      for m, col in (("eci", a), ("metr_p50_minutes", b)) for t, v in zip(months, col)
                      if not np.isnan(v)])
    index, pace, _ = progress_index(f, ProgressSpec(min_months=3, min_measures=1, realtime_min_months=2))
    assert pace == {"eci": 2.0, "metr_p50_minutes": 1.5}  # (6 - 0) / 3 months, (13 - 10) / 2 months
    steps = [0.0, 2 / 2, 0 / 2, (4 / 2 + 1 / 1.5) / 2, 2 / 1.5]  # b's entry month adds nothing: no change yet
    np.testing.assert_allclose(index["progress_index"].to_numpy(), np.cumsum(steps), atol=1e-12)
    assert index["measures_observed"].tolist() == [1, 1, 2, 2, 1]


def test_the_pca_check_equals_numpy_svd_on_the_balanced_window():
    """The check's loadings and explained share are the first right singular vector of the standardized levels
    on the months every measure has (numpy's SVD, an independent computation): to 1e-10."""
    from models.progress import _pca_check, _wide

    f = frontier()
    wide = _wide(f)
    check = _pca_check(wide, 12)
    balanced = wide.dropna()
    assert check["months"] == len(balanced) and check["measures"] == list(MEASURES)
    x = (balanced - balanced.mean()) / balanced.std(ddof=0)
    _, s, vt = np.linalg.svd(x.to_numpy(), full_matrices=False)
    ref = vt[0] * np.sign(vt[0].sum())
    np.testing.assert_allclose([check["loadings"][m] for m in MEASURES], ref, atol=1e-10)
    assert check["explained"] == pytest.approx(s[0] ** 2 / (s ** 2).sum(), abs=1e-10)


def test_index_spans_the_ragged_edge_rises_and_says_what_it_saw():
    f = frontier()
    index, _, _ = progress_index(f, ProgressSpec(min_measures=2))
    assert (index["progress_index"].diff().dropna() >= 0).all()  # frontiers never fall, nor does the index
    assert index["month"].iloc[0] == MONTHS[6]  # the second measure's first month
    assert index["month"].iloc[-1] == MONTHS[-1]  # the last month any measure has
    assert index["measures_observed"].iloc[0] == 2 and index["measures_observed"].iloc[-1] == 1
    assert index["progress_index"].notna().all()
    realtime = index["progress_index_realtime"]
    assert realtime.iloc[:23].isna().all() and realtime.iloc[23:].notna().all()


def capital(months=MONTHS, progress=None, seed=1, slope=0.5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    log_cap = 29 + np.cumsum(rng.normal(0.01, 0.05, len(months)))
    if progress is not None:
        log_cap = 29 + slope * progress + rng.normal(0, 0.01, len(months))
    return pd.DataFrame({"month": months, "basket_market_cap": np.exp(log_cap),
                         "basket_ttm_revenue": np.exp(26 + np.linspace(0, 1, len(months)))})


def test_realtime_numbers_use_no_later_month():
    """Changing every frontier and market cap after 2021-12 leaves each real-time number up to 2021-12 as it was."""
    f, cap = frontier(), capital()
    base = capital_progress(f, cap)
    cut = pd.Timestamp("2021-12-01")
    later_f = f.copy()
    later_f.loc[later_f["month"] > cut, "frontier_level"] *= 3.0
    later_c = cap.copy()
    later_c.loc[later_c["month"] > cut, "basket_market_cap"] *= 10.0
    moved = capital_progress(later_f, later_c)
    for frame, other, columns in ((base.index, moved.index, ["progress_index_realtime"]),
                                  (base.capital, moved.capital, ["gap_realtime", "gap_zscore_realtime"])):
        a, b = frame[frame["month"] <= cut], other[other["month"] <= cut]
        assert a[columns].notna().any().all()
        pd.testing.assert_frame_equal(a[columns].reset_index(drop=True), b[columns].reset_index(drop=True),
                                      rtol=0, atol=1e-12)
    # the in-sample columns do move (that is why the real-time ones exist)
    assert not np.allclose(base.capital["gap"].iloc[:60], moved.capital["gap"].iloc[:60])


def test_capital_that_tracks_progress_has_no_gap_and_is_cointegrated():
    f = frontier(ragged=False)
    index, _, _ = progress_index(f)
    cap = capital(progress=index["progress_index"].to_numpy(), slope=0.02)
    result = capital_progress(f, cap)
    assert result.capital["gap"].abs().max() < 0.1
    tests = result.tests.set_index("test")
    assert tests.at["engle_granger_capital_progress", "verdict"] == "cointegrated at 5%"
    # Engle-Granger by hand: the ADF t of the OLS residual of log cap on the index (no constant in the ADF, AIC
    # lags), from its parts, and the same as statsmodels' coint
    from statsmodels.tsa.stattools import adfuller

    y, x = result.capital["log_market_cap"].to_numpy(), result.capital["progress_index"].to_numpy()
    residual = y - np.polyval(np.polyfit(x, y, 1), x)
    t = adfuller(residual, regression="n", autolag="aic", result_object=False)[0]
    assert tests.at["engle_granger_capital_progress", "statistic"] == pytest.approx(t, abs=1e-9)
    assert coint(y, x, trend="c", autolag="aic")[0] == pytest.approx(t, abs=1e-9)
    assert tests.at["since_2023", "verdict"].startswith("about the same pace")


def test_capital_that_outruns_progress_says_so():
    f = frontier(ragged=False)
    index, _, _ = progress_index(f)
    progress = index["progress_index"].to_numpy()
    boost = np.where(MONTHS >= "2023-01-01", np.arange(len(MONTHS)) - np.searchsorted(MONTHS, "2023-01-01"), 0)
    cap = capital(progress=progress + 1.5 * boost, slope=0.02)  # capital climbs away from capability from 2023
    result = capital_progress(f, cap)
    tests = result.tests.set_index("test")
    assert tests.at["since_2023", "verdict"] == "capital outgrew capability"
    assert result.capital["gap_zscore_realtime"].iloc[-1] > 1.5
    assert (result.capital["growth_difference"].iloc[-12:] > 0).all()
    assert tests.at["since_2023", "last_month"] == MONTHS[-1].date()


def test_carried_months_are_shown_but_left_out_of_the_tests():
    """The frontier ends 18 months before the market cap: the index is carried 12 months (flagged), no further,
    and every test reads only the months the index was observed."""
    f = frontier(ragged=False)
    f = f[f["month"] <= MONTHS[-19]]
    result = capital_progress(f, capital())
    c = result.capital
    assert c["month"].iloc[-1] == MONTHS[-7] and c["progress_age_months"].iloc[-1] == 12
    observed = c[c["progress_age_months"] == 0]
    assert (result.tests["last_month"] == observed["month"].iloc[-1].date()).all()
    carried = c[c["progress_age_months"] > 0]
    assert carried["gap_zscore_realtime"].isna().all() and carried["gap_realtime"].isna().all()
    assert carried["gap"].notna().all()  # shown, in-sample, but no real-time reading
    assert result.tests.set_index("test").at["engle_granger_capital_progress", "months"] == len(observed)
    assert any("carried forward 12 month(s)" in w for w in result.warnings)


def test_an_explosive_gap_is_dated():
    """Capital that grows explosively away from capability in its last two years is dated as a PSY episode."""
    from models.bubbles import simulate_critical_values

    f = frontier(ragged=False)
    index, _, _ = progress_index(f)
    burst = np.zeros(len(MONTHS))
    burst[-24:] = np.cumsum(np.full(24, 0.04) * 1.08 ** np.arange(24))
    cap = capital(progress=index["progress_index"].to_numpy(), slope=0.02)
    cap["basket_market_cap"] *= np.exp(burst)

    def source(n, *, min_window, lag, reps, seed):
        return simulate_critical_values(n, min_window=min_window, lag=lag, reps=499, seed=seed), "simulated"

    result = capital_progress(f, cap, critical_values=source)
    assert result.tests.set_index("test").at["psy_gsadf_gap", "verdict"] == "explosive"
    exuberant = result.capital["bubble_exuberant"]
    assert exuberant.iloc[-6:].all() and not exuberant.iloc[:60].any()



def test_the_gap_is_bubble_dated_with_the_given_critical_values():
    from models.bubbles import simulate_critical_values

    f, cap = frontier(), capital()
    calls = []

    def source(n, *, min_window, lag, reps, seed):
        calls.append((n, min_window, lag))
        return simulate_critical_values(n, min_window=min_window, lag=lag, reps=199, seed=seed), "simulated"

    result = capital_progress(f, cap, critical_values=source)
    (n, window, lag), = calls
    assert n == len(result.capital) and lag == 0
    tests = result.tests.set_index("test")
    assert tests.at["psy_gsadf_gap", "months"] == n
    assert result.capital["bubble_bsadf"].iloc[window:].notna().all()
    assert result.capital["bubble_bsadf"].iloc[:window].isna().all()  # BSADF needs a first window


def test_no_frontier_gives_empty_tables_and_says_why():
    empty = pd.DataFrame(columns=["measure", "month", "frontier_level"])
    result = capital_progress(empty, capital())
    assert result.index.empty and result.capital.empty and result.tests.empty
    assert result.warnings == ("no progress index: no frontier measure",)


def test_the_labs_valuations_are_set_against_progress_on_their_own_months():
    """Lab valuations that start in 2021 and grow with the index read "about the same pace"; before 2021 the lab
    columns are empty, and a lab frame too short to standardize is left out with a warning."""
    f = frontier(ragged=False)
    index, _, _ = progress_index(f)
    progress = pd.Series(index["progress_index"].to_numpy(), index=MONTHS)
    months = MONTHS[MONTHS >= "2021-01-01"]
    labs = pd.DataFrame({"month": months, "valuation_post_usd": np.exp(20 + 0.03 * progress[months].to_numpy()),
                         "companies": 2})
    result = capital_progress(f, capital(), labs=labs)
    c = result.capital.set_index("month")
    assert c.loc[:"2020-12", "lab_z"].isna().all() and c.loc["2021-01":, "lab_z"].notna().all()
    assert c.loc["2021-01":, "lab_gap"].abs().max() < 1e-9  # the labs' log valuation is linear in the index
    row = result.tests.set_index("test").loc["since_2023_labs"]
    assert row["verdict"].startswith("about the same pace") and "log valuation" in row["note"]
    short = capital_progress(f, capital(), labs=labs.tail(6))
    assert "since_2023_labs" not in set(short.tests["test"])
    assert any("AI labs' valuations overlap the observed index in 6 months" in w for w in short.warnings)


def test_the_pca_check_leaves_a_flat_measure_out_instead_of_failing():
    """A measure whose frontier did not move over the balanced window gets loading 0 and stays out of the
    component (standardized, its rounding noise would count as variance, or the SVD would fail)."""
    from models.progress import _pca_check, _wide

    f = frontier(ragged=False)
    flat = f["measure"] == "gpu_flops_per_usd"
    f.loc[flat, "frontier_level"] = 3.0 + 1e-15 * np.arange(flat.sum())
    check = _pca_check(_wide(f), 12)
    assert check["flat"] == ["gpu_flops_per_usd"] and check["loadings"]["gpu_flops_per_usd"] == 0.0
    assert all(check["loadings"][m] > 0 for m in MEASURES if m != "gpu_flops_per_usd")
    f.loc[f["measure"] != "eci", "frontier_level"] = 3.0
    only = _pca_check(_wide(f), 12)  # one measure moves: no component to compute
    assert only["explained"] is None and set(only["flat"]) == set(MEASURES) - {"eci"}
