"""What a nested recalibration of the backtest's bands would give: coverage and pinball loss, before and after.

An experiment, not part of the pipeline (docs/forecast.md, fifth run). For each target, model and horizon, at each
backtest origin, the published 80% and 95% bands are widened or narrowed about the central path by the factors
that would have made them cover 80% and 95% of that model's past errors at that horizon: only errors whose
outcome month was published by the origin (the target's publication lag), and only once at least --min-errors
of them exist (else the band is left as it was). An error is measured in the log level, on the side of the
centre where it fell, as a multiple of the band's half-width on that side (split conformal prediction with
normalised errors, in time order). --window keeps only the errors of the last N months before the origin.

    uv run python bench/recalibrate_bands.py HOME/analytics.duckdb [--model headline] [--min-errors 36]
                                             [--window 0] [--horizons 1,3,6,9]

It prints, per target and horizon, the origins scored (those with enough past errors), the coverage of the
published and the recalibrated bands, their mean pinball loss over the five published quantiles (target units;
lower is better) and the median factors.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.backtest import pinball_loss  # noqa: E402  the backtest's own score


def publication_lags(cooling: Path | None) -> dict[str, int]:
    from flows.config import load_cooling_config

    return {sid: int(t.get("publication_lag", 0)) for sid, t in load_cooling_config(cooling).targets.items()}


def recalibrated(g: pd.DataFrame, lag: int, min_errors: int, window: int) -> pd.DataFrame:
    """One target, model and horizon, sorted by origin: the bands rescaled from the errors known at each origin."""
    g = g.sort_values("origin").reset_index(drop=True)
    centre, y = np.log(g["mean"].to_numpy(float)), np.log(g["actual"].to_numpy(float))
    width = {k: np.log(g[k].to_numpy(float)) - centre for k in ("lo80", "hi80", "lo95", "hi95")}
    above = y >= centre
    u80 = np.where(above, (y - centre) / width["hi80"], (y - centre) / width["lo80"])
    u95 = np.where(above, (y - centre) / width["hi95"], (y - centre) / width["lo95"])
    target_month = pd.to_datetime(g["target_month"])
    published = (target_month + pd.offsets.MonthBegin(lag)).to_numpy()  # the month by whose end it was out
    origins = pd.to_datetime(g["origin"])
    k80, k95, n = np.ones(len(g)), np.ones(len(g)), np.zeros(len(g), dtype=int)
    for i, origin in enumerate(origins):
        past = published <= origin.to_datetime64()
        if window:
            past &= (target_month > origin - pd.DateOffset(months=window)).to_numpy()
        n[i] = past.sum()
        if n[i] >= min_errors:
            k80[i], k95[i] = np.quantile(u80[past], 0.80), np.quantile(u95[past], 0.95)
    k95 = np.maximum(k95, k80 * width["hi80"] / width["hi95"])  # the 95% band never inside the 80% band
    k95 = np.maximum(k95, k80 * width["lo80"] / width["lo95"])
    out = g.assign(n_errors=n, k80=k80, k95=k95)
    for k, factor in (("lo80", k80), ("hi80", k80), ("lo95", k95), ("hi95", k95)):
        out[k + "_c"] = np.exp(centre + factor * width[k])
    return out


def summary(frame: pd.DataFrame, min_errors: int) -> dict:
    f = frame[frame["n_errors"] >= min_errors]
    if f.empty:
        return {"origins": 0}
    y = f["actual"].to_numpy(float)

    def cover(suffix, level):
        return float(((y >= f[f"lo{level}{suffix}"]) & (y <= f[f"hi{level}{suffix}"])).mean())

    def pinball(suffix):
        qs = {0.025: f"lo95{suffix}", 0.10: f"lo80{suffix}", 0.50: "mean", 0.90: f"hi80{suffix}",
              0.975: f"hi95{suffix}"}
        return float(np.mean([pinball_loss(y, f[c].to_numpy(float), tau) for tau, c in qs.items()], axis=0).mean())

    return {"origins": len(f), "cover80": cover("", 80), "cover80_recal": cover("_c", 80),
            "cover95": cover("", 95), "cover95_recal": cover("_c", 95), "pinball": pinball(""),
            "pinball_recal": pinball("_c"), "k80_median": float(f["k80"].median()),
            "k95_median": float(f["k95"].median())}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("db", type=Path, help="an analytics.duckdb with a backtest")
    ap.add_argument("--model", default="headline")
    ap.add_argument("--min-errors", type=int, default=36)
    ap.add_argument("--window", type=int, default=0, help="months of past errors (0: all)")
    ap.add_argument("--horizons", default="1,3,6,9")
    ap.add_argument("--cooling", type=Path, default=None,
                    help="the cooling.toml the backtest ran with (default: catalogs/cooling.toml): its publication lags")
    args = ap.parse_args(argv)
    if not args.db.exists():
        print(f"{args.db} does not exist: give the analytics.duckdb of a home with a backtest", file=sys.stderr)
        return 2
    con = duckdb.connect(str(args.db), read_only=True)
    frame = con.execute(
        "SELECT target_series, origin, horizon, target_month, mean, lo80, hi80, lo95, hi95, actual "
        "FROM marts.backtest_forecasts WHERE kind = 'path' AND model = ? AND actual IS NOT NULL",
        [args.model]).df()
    con.close()
    lags, horizons = publication_lags(args.cooling), {int(h) for h in args.horizons.split(",")}
    unknown = sorted(set(frame["target_series"]) - set(lags))
    if unknown:
        print(f"{args.db}: targets {', '.join(unknown)} are not in {args.cooling or 'catalogs/cooling.toml'}, so their "
              "publication lags are unknown: pass the catalog the backtest ran with (--cooling)", file=sys.stderr)
        return 2
    rows = []
    for (target, h), g in frame[frame["horizon"].isin(horizons)].groupby(["target_series", "horizon"]):
        rows.append({"target": target, "h": h,
                     **summary(recalibrated(g, lags[target], args.min_errors, args.window),
                               args.min_errors)})
    pd.set_option("display.width", 200)
    print(f"model {args.model}, at least {args.min_errors} past errors, window {args.window or 'all'} months")
    print(pd.DataFrame(rows).round(3).to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
