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

Examples
--------
>>> import numpy as np, pandas as pd
>>> from models.api import BubbleTest, simulate_critical_values
>>> ratio = pd.Series(np.exp(np.cumsum(np.random.default_rng(0).normal(0.01, 0.05, 240))))
>>> result = BubbleTest(ratio).fit(simulate_critical_values(240, reps=200))
>>> result.statistics.gsadf > 0
True
"""

from models.basket import AIBasket, BasketInputError, BasketResults, RaggedEdge, filed_values
from models.bubbles import (
    LEVELS,
    BubbleInputError,
    BubbleResults,
    BubbleTest,
    CriticalValues,
    Episode,
    RadfResult,
    datestamp,
    estimated_simulation_seconds,
    psy_min_duration,
    psy_min_window,
    radf,
    simulate_critical_values,
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
    recorded_warnings,
)
from models.cooling import CoolingEvent, CoolingForecastResults, CoolingInputError, CoolingSARIMAX
from models.regimes import GrowthRegimes, RegimeInputError, RegimeResults, forecast_regime_probabilities

__all__ = [
    # bubble dating
    "radf", "RadfResult", "simulate_critical_values", "CriticalValues", "datestamp", "Episode", "BubbleTest",
    "BubbleResults", "psy_min_window", "psy_min_duration", "estimated_simulation_seconds", "LEVELS",
    "BubbleInputError",
    # the basket
    "AIBasket", "BasketResults", "RaggedEdge", "filed_values", "BasketInputError",
    # divergence
    "ExpandingZScore", "ZScoreResults", "CointegrationGap", "CointegrationResults", "EngleGrangerResults",
    "JohansenResults", "CapexGap", "CapexGapResults", "RequiredRevenue", "RequiredRevenueResults",
    "RequiredRevenueAssumptions", "Assumption", "half_life", "recorded_warnings", "DivergenceInputError",
    # cooling forecast
    "CoolingEvent", "CoolingSARIMAX", "CoolingForecastResults", "CoolingInputError", "GrowthRegimes",
    "RegimeResults", "forecast_regime_probabilities", "RegimeInputError",
]
