"""How often the local-projection rule of docs/thesis.md calls a lead where there is none.

A talent target is simulated independent of the gap by construction: AR(1) monthly growth with USINFO's own
autocorrelation, standard deviation and mean (1995-2026 without the 2020 lockdown months). The real gap (the long
basket's z-score) and the real controls are used, so the persistence the HAC bands must cope with is the data's.
For each draw, models.thesis.local_projections runs as `gapcast thesis` runs it; the script prints the share of
draws whose verdict says "precedes" (the false-positive rate of the rule, whose level is alpha, 0.10: the rule
reads the joint p-value of the largest |t| against its own simulated null) and the per-horizon share of
pointwise bands off zero (nominal 1 - band: what a rule on the bands alone would suffer).

Usage: uv run python bench/thesis_null.py HOME [--draws 100] [--seed 1] [--band 0.90]
(HOME: a gapcast home after `gapcast thesis`, e.g. of `gapcast run --catalog snapshot`).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import warnings
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models import thesis as th  # noqa: E402
from warehouse.db import sql_text  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("home", type=Path)
    ap.add_argument("--draws", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--band", type=float, default=th.ThesisSpec.band)
    args = ap.parse_args()
    db = args.home / "analytics.duckdb"
    if not db.exists():
        print(f"{db} does not exist: run `gapcast thesis --home {args.home}` first", file=sys.stderr)
        return 2
    con = duckdb.connect(str(db), read_only=True)
    basket = con.execute("SELECT month, ps_zscore FROM marts.tech_basket_monthly ORDER BY month").df()
    level = con.execute("SELECT month, value FROM marts.hiring_monthly WHERE series_id = 'USINFO' AND NOT "
                        "coalesce(partial, false) ORDER BY month").df()
    macro = con.execute(sql_text("thesis/thesis_macro.sql")).df()
    con.close()
    controls, _ = th.controls_frame(macro.assign(month=pd.to_datetime(macro["month"])))
    gap = pd.Series(basket["ps_zscore"].to_numpy(), index=pd.DatetimeIndex(basket["month"]))
    usinfo = pd.Series(level["value"].to_numpy(float), index=pd.DatetimeIndex(level["month"]))
    g = np.log(usinfo).diff().dropna()
    g = g[(g.index >= "1995-01-01") & ((g.index < "2020-03-01") | (g.index > "2020-12-01"))]
    phi, mean = float(g.autocorr(1)), float(g.mean())
    sd = float(g.std() * np.sqrt(1 - phi ** 2))
    months = usinfo.index[usinfo.index >= "1990-01-01"]
    spec = dataclasses.replace(th.ThesisSpec(), band=args.band)
    rng = np.random.default_rng(args.seed)
    calls, offs = 0, []
    warnings.simplefilter("ignore")
    for _ in range(args.draws):
        e = rng.normal(0, sd, len(months))
        growth = np.zeros(len(months))
        for i in range(1, len(months)):
            growth[i] = phi * growth[i - 1] + e[i]
        y = pd.Series(np.exp(np.cumsum(growth + mean)), index=months)
        rows, verdict = th.local_projections(y, gap, controls, spec, lag=1, link="b", measure="gap",
                                             target="null", effect="null")
        calls += verdict.startswith("a one-sd")
        offs.append([r["lo"] > 0 or r["hi"] < 0 for r in rows])
    offs = np.array(offs, dtype=float).mean(axis=0)
    print(f"null target: AR(1) growth, phi {phi:.3f}, innovation sd {sd * 100:.3f}%, {len(months)} months; "
          f"{args.draws} draws, seed {args.seed}; pointwise band {spec.band:.0%}; each verdict on "
          f"{spec.null_draws} null targets of its own")
    print(f"verdicts saying 'precedes': {calls} of {args.draws} = {calls / args.draws:.1%}")
    print("bands off zero by horizon (nominal " f"{1 - spec.band:.0%}): "
          + ", ".join(f"h{h} {offs[h - 1]:.2f}" for h in (1, 3, 6, 12, 18, 24)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
