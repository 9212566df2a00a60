"""The public surface of gapcast's models: specifications whose ``fit()`` returns immutable results.

Frames in, results out: nothing here reads files or databases, and importing does no work.

Bubble dating (Phillips, Shi and Yu 2015)
-----------------------------------------
radf
    ADF, SADF, GSADF and the BADF / BSADF sequences of any series.
simulate_critical_values
    Monte Carlo critical values, seeded (the draws of pyexuber's ``radf_mc_cv`` for the same seed).
datestamp
    Explosive episodes with a minimum duration of about log(T).
BubbleTest
    The three together: ``BubbleTest(series).fit()``.

AI basket and divergence
------------------------
AIBasket
    Market cap over TTM revenue by day and month, hyperscaler capex, the ragged edge (RaggedEdge).
ExpandingZScore
    Each month against its own past only.
CointegrationGap
    Engle-Granger and Johansen / VECM gap of log cap on log revenue, ECM speed and half-life.
CapexGap
    Hyperscaler capex growth against their revenue growth.
RequiredRevenue
    Sequoia Capital's "AI's $600B question" arithmetic on the warehouse's GPU-vendor revenue.

Configuration
-------------
parse_assumptions, parse_cooling_config
    catalogs/assumptions.toml and catalogs/cooling.toml from their text, validated (errors name file and key).

The divergence estimate
-----------------------
estimate_divergence
    Every divergence model and bubble test on the members' prices and fundamentals, as mart tables.

The cooling forecast
--------------------
CoolingEvent, seasonally_adjusted, season_year_at
    The event (March-May mean against the previous September-November), the one seasonal adjustment, the season
    rule.
CoolingSARIMAX, GrowthRegimes, TalentNowcast
    SARIMAX with parameter uncertainty, Markov-switching regimes, the DynamicFactorMQ nowcast and its news.
forecast_target, nowcast_targets
    Every model's forecast of one target at one origin, and the nowcast of all targets at one origin: what the
    live forecast and each backtest origin call.
live_forecast
    The month's forecast of every target, with the headline chosen by ``choose_headline`` (the combination rule).

The backtest
------------
plan_backtest, run_origin, run_origins, backtest_tables
    The origins with what each could see, one origin's forecasts, and the scores.
gaussian_crps, pinball_loss, score_paths, score_probabilities, reliability_table, baselines
    The scores and the baselines.

The thesis test
---------------
long_basket, run_thesis, ThesisSpec, bubble_episodes
    The long tech basket (the AI basket's code on the tech_basket members, from 1987) and the tests of whether its
    valuation gap leads the talent market: local projections, Granger, the calendar claim, out of sample.
local_projection, lp_design, diebold_mariano, newey_west_lags, sahm_indicator
    Their parts, as the reference tests check them.

Technical progress against capital
----------------------------------
capital_progress, progress_index, ProgressSpec
    The frontier-progress index (chain-linked: each measure's change over its own average pace, averaged over the
    measures present, so the ragged edges change the mix, never the level) and the AI basket's market cap against
    it: the gap, its real-time z-score, cointegration, PSY dating, and the trend since 2023.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from models.api import BubbleTest, simulate_critical_values
>>> ratio = pd.Series(np.exp(np.cumsum(np.random.default_rng(0).normal(0.01, 0.05, 240))))
>>> result = BubbleTest(ratio).fit(simulate_critical_values(240, reps=200))
>>> result.statistics.gsadf > 0
True
"""

from models.backtest import (
    BacktestPlan,
    BacktestPlanError,
    BacktestTables,
    NowcastTask,
    OriginResult,
    OriginTask,
    backtest_tables,
    cooling_outcomes,
    gaussian_crps,
    headline_table,
    known_at,
    log_normal_params,
    month_start,
    nested_headline,
    paired_verdict,
    pinball_loss,
    plan_backtest,
    reliability_table,
    run_origin,
    run_origins,
    score_paired,
    score_paths,
    score_probabilities,
    season_block_skill,
    season_year_at,
    skill_verdict,
)
from models.baselines import BASELINES, BacktestInputError, Baseline, baseline_forecasts, baselines, mase_scale
from models.basket import AIBasket, BasketInputError, BasketResults, RaggedEdge, filed_values
from models.bubbles import (
    DEFAULT_REPS,
    DEFAULT_SEED,
    KERNEL_VERSION,
    LEVELS,
    BubbleInputError,
    BubbleResults,
    BubbleTest,
    CriticalValues,
    Episode,
    RadfResult,
    cache_key,
    datestamp,
    estimated_simulation_seconds,
    psy_min_duration,
    psy_min_window,
    radf,
    simulate_critical_values,
)
from models.combination import choose_headline
from models.progress import (
    ProgressInputError,
    ProgressResult,
    ProgressSpec,
    capital_progress,
    failed_progress,
    progress_index,
    progress_model_run,
)
from models.config import (
    Assumptions,
    AssumptionsError,
    CoolingConfig,
    CoolingConfigError,
    parse_assumptions,
    parse_cooling_config,
)
from models.cooling import (
    CoolingEvent,
    CoolingForecastResults,
    CoolingInputError,
    CoolingSARIMAX,
    additive_outlier_sizes,
    additive_outliers,
    seasonal_factors,
    seasonally_adjusted,
)
from models.divergence import (
    Assumption,
    CapexGap,
    CapexGapResults,
    CointegrationGap,
    CointegrationResults,
    DivergenceInputError,
    EngleGrangerResults,
    ExpandingZScore,
    JohansenResults,
    RequiredRevenue,
    RequiredRevenueAssumptions,
    RequiredRevenueResults,
    ZScoreResults,
    half_life,
)
from models.estimate import DivergenceEstimate, ModelRun, estimate_divergence
from models.forecast import (
    LiveForecast,
    ModelSettings,
    NowcastForecast,
    TargetForecast,
    TargetSpec,
    forecast_target,
    live_forecast,
    nowcast_targets,
    target_specs,
)
from models.nowcast import NowcastInputError, NowcastResults, TalentNowcast
from models.regimes import GrowthRegimes, RegimeInputError, RegimeResults, forecast_regime_probabilities

from models.thesis import (  # noqa: E402
    LongBasketResults,
    ThesisInputError,
    ThesisResults,
    ThesisSpec,
    bubble_episodes,
    diebold_mariano,
    granger_reference,
    local_projection,
    long_basket,
    lp_design,
    newey_west_lags,
    run_thesis,
    sahm_indicator,
)

__all__ = [
    "ProgressInputError", "ProgressResult", "ProgressSpec", "capital_progress", "progress_index",
    "progress_model_run", "failed_progress",
    # configuration
    "parse_assumptions", "parse_cooling_config", "Assumptions", "AssumptionsError", "CoolingConfig",
    "CoolingConfigError",
    # bubble dating
    "radf", "RadfResult", "simulate_critical_values", "CriticalValues", "cache_key", "datestamp", "Episode",
    "BubbleTest", "BubbleResults", "psy_min_window", "psy_min_duration", "estimated_simulation_seconds", "LEVELS",
    "DEFAULT_REPS", "DEFAULT_SEED", "KERNEL_VERSION", "BubbleInputError",
    # the basket and divergence
    "AIBasket", "BasketResults", "RaggedEdge", "filed_values", "BasketInputError",
    "ExpandingZScore", "ZScoreResults", "CointegrationGap", "CointegrationResults", "EngleGrangerResults",
    "JohansenResults", "CapexGap", "CapexGapResults", "RequiredRevenue", "RequiredRevenueResults",
    "RequiredRevenueAssumptions", "Assumption", "half_life", "DivergenceInputError",
    "estimate_divergence", "DivergenceEstimate", "ModelRun",
    # the cooling forecast
    "CoolingEvent", "seasonal_factors", "seasonally_adjusted", "season_year_at", "CoolingSARIMAX",
    "additive_outliers", "additive_outlier_sizes",
    "CoolingForecastResults", "CoolingInputError", "GrowthRegimes", "RegimeResults", "forecast_regime_probabilities",
    "RegimeInputError", "TalentNowcast", "NowcastResults", "NowcastInputError",
    "TargetSpec", "ModelSettings", "TargetForecast", "NowcastForecast", "LiveForecast", "forecast_target",
    "nowcast_targets", "live_forecast", "target_specs", "choose_headline",
    # the backtest
    "plan_backtest", "BacktestPlan", "BacktestPlanError", "OriginTask", "NowcastTask", "OriginResult", "run_origin",
    "run_origins", "backtest_tables", "BacktestTables", "headline_table", "known_at", "month_start",
    "cooling_outcomes", "gaussian_crps", "pinball_loss", "log_normal_params", "score_paths", "score_probabilities",
    "reliability_table", "Baseline", "baselines", "baseline_forecasts", "mase_scale", "BASELINES",
    "BacktestInputError", "score_paired", "paired_verdict", "season_block_skill", "skill_verdict", "nested_headline",
    # the thesis test
    "long_basket", "LongBasketResults", "run_thesis", "ThesisResults", "ThesisSpec", "ThesisInputError",
    "bubble_episodes", "diebold_mariano", "granger_reference", "local_projection", "lp_design", "newey_west_lags",
    "sahm_indicator",
]
