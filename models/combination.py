"""The combination rule: which model's P(cooling) and paths lead for each target, chosen from the backtest's
scores (catalogs/cooling.toml [combination]; docs/forecast.md, "The combination rule")."""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

GAP_WITH = "sarimax"  # the model that carries the valuation gap (sarimax.regressors): models.backtest.gap_test


def regressor_label(names, lag: int) -> str:
    """What the gap test tested, as marts.backtest_gap_test.regressors records it: the live forecast follows a
    published test only when its own sarimax.regressors and lag give the same label."""
    return ", ".join(f"{n} (lag {int(lag)})" for n in names)


SKILL_COLUMNS = ["target_series", "model", "brier_skill", "brier_skill_lo90", "brier_skill_hi90", "brier_n",
                 "brier_seasons",
                 "crps_skill", "crps_n", "threshold", "synthetic"]


def choose_headline(combination: Mapping, thresholds: Mapping[str, float], skill: pd.DataFrame,
                    forecasts: pd.DataFrame, probabilities: pd.DataFrame, synthetic: bool | None = None,
                    without_gap: Mapping[str, str] | None = None) -> None:
    """The combination rule (catalogs/cooling.toml [combination]), per target: among the candidates that ran this
    month and were backtested with the target's current threshold on the same kind of data, scored on at least
    ``min_forecasts`` forecasts about at least ``min_seasons`` seasons, the one with the highest backtest skill
    -- for P(cooling) the Brier skill at the live leads (forecasts made September-December), for the paths the mean
    CRPS skill over horizons 1-9 -- provided it beats the default's by more than ``margin`` and, for P(cooling),
    the lower end of its 90% season-bootstrap interval is above 0 (a demonstrated skill); else the default. Sets
    ``headline`` (and, on probabilities, ``chosen_by``) in place.

    ``without_gap``: target -> why the gap is left out of its forecast (models.backtest.gap_decision); for those
    targets SARIMAX (which carries it) is no candidate and the default is ``combination["without_gap"]``, and the
    reason is said first."""
    without_gap = dict(without_gap or {})
    if without_gap and not combination.get("without_gap"):
        raise ValueError(f"{sorted(without_gap)}: the gap is left out, but the combination rule names no "
                         "without_gap default")
    comb = combination
    if skill is None or skill.empty:
        skill = pd.DataFrame(columns=SKILL_COLUMNS)
    minimum, seasons, margin, configured = (int(comb["min_forecasts"]), int(comb["min_seasons"]),
                                            float(comb["margin"]), comb["default"])
    forecasts["headline"] = False
    probabilities["headline"] = False
    probabilities["chosen_by"] = None
    for frame, metric, count, what in ((probabilities, "brier_skill", "brier_n", "live-lead Brier skill"),
                                       (forecasts, "crps_skill", "crps_n", "CRPS skill")):
        if frame.empty:
            continue
        kinds = frame["model"].str.split(":").str[0]
        for sid in frame["target_series"].unique():
            mine = frame["target_series"] == sid
            ran = set(kinds[mine])
            left_out = without_gap.get(sid)
            default = comb["without_gap"] if left_out else configured
            candidates = [c for c in comb["candidates"] if not (left_out and c == GAP_WITH)]

            rows = skill[(skill["target_series"] == sid) & skill["model"].isin(candidates)
                         & skill["model"].isin(ran) & (skill[count].fillna(0) >= minimum)].dropna(subset=[metric])
            rows = rows[(rows["threshold"] - float(thresholds.get(sid, np.nan))).abs().fillna(1) < 1e-12]
            if synthetic is not None:
                rows = rows[rows["synthetic"].fillna(False).astype(bool) == bool(synthetic)]
            if metric == "brier_skill":
                rows = rows[rows["brier_seasons"].fillna(0) >= seasons]
            chosen, why = (default, f"the default ({default}): no backtest of {minimum}+ forecasts"
                           + (f" about {seasons}+ seasons" if metric == "brier_skill" else "")
                           + " with this threshold") if default in ran else (None, None)
            if len(rows):
                rows = rows.assign(is_default=rows["model"] == default)
                best = rows.sort_values([metric, "is_default"], ascending=[False, False], kind="stable").iloc[0]
                base = rows.loc[rows["is_default"], metric]
                scored = _scored(best, metric, what, count)
                own = (f"the default ({default}, {_scored(rows.loc[rows['is_default']].iloc[0], metric, what, count)})"
                       if len(base) else f"the default ({default}, not scored on {minimum}+ forecasts"
                       + (f" about {seasons}+ seasons" if metric == "brier_skill" else "") + " with this threshold)")
                if best["model"] == default:
                    chosen, why = default, f"{own}: the highest"
                elif metric == "brier_skill" and not float(best.get("brier_skill_lo90", np.nan)) > 0:
                    # No demonstrated skill: the default stays, whether or not it was scored; only when it did not
                    # run this month does the best-scored candidate stand in, saying so.
                    lo = float(best.get("brier_skill_lo90", np.nan))
                    weak = (f"the best, {best['model']}, has {scored}: "
                            + ("no demonstrated skill" if lo == lo else
                               "too few seasons for an interval, no demonstrated skill"))
                    if default in ran:
                        why = f"{own}; {weak}"
                    else:
                        chosen, why = best["model"], f"{best['model']}, {scored}, as the default ({default}) did not run; no demonstrated skill"
                elif base.empty or default not in ran:
                    chosen, why = best["model"], (f"{best['model']}: the highest, {scored}; the default was not scored "
                                                  "or did not run")
                elif best[metric] > float(base.iloc[0]) + margin:
                    chosen, why = best["model"], (f"{best['model']}: the highest, {scored}, beating {own} by more "
                                                  f"than {margin}")
                else:
                    why = f"{own}: {best['model']}'s {best[metric]:+.2f} is not ahead by more than {margin}"
            if chosen is None:
                continue
            pick = mine & (kinds == chosen)
            frame.loc[pick, "headline"] = True
            if "chosen_by" in frame.columns:
                frame.loc[pick, "chosen_by"] = f"{left_out}; {why}" if left_out else why


def _scored(row, metric: str, what: str, count: str) -> str:
    """A candidate's backtest score in the words the report prints: its skill, 90% interval, forecasts, seasons and
    leads (P(cooling)), or its CRPS skill and forecasts per horizon (paths)."""
    if metric != "brier_skill":
        return f"{what} {row[metric]:+.2f} over {int(row[count])} forecasts a horizon (1-9 months ahead)"
    lo, hi = float(row.get("brier_skill_lo90", np.nan)), float(row.get("brier_skill_hi90", np.nan))
    interval = f" [90% {lo:+.2f} to {hi:+.2f}]" if lo == lo and hi == hi else ""
    seasons = row.get("brier_seasons")
    about = f" about {int(seasons)} seasons" if seasons == seasons and seasons is not None else ""
    return (f"{what} {row[metric]:+.2f}{interval} over {int(row[count])} forecasts{about} made 5-8 months before "
            "the season's May")
