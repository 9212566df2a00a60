"""Doubling times of the frontier series over 2023-2025 against the published references.

For each log-scale measure of marts.progress_monthly, the OLS slope of ln(frontier) on time over the months of
2023-01 .. 2025-12 that the series has (a frontier is a step function: every month counts once), turned into a
doubling time, beside the reference:

* METR time horizon (50%), METR-Horizon-v1.1: METR's own doubling time from 2023 on, as its results file states
  it (``doubling_time_in_days.from_2023_on``: 128.7 days, 95% CI 105.3-157.3), and the same fit redone here on the
  file's frontier ("is_sota") models released from 2023 (OLS of ln p50 on release date, METR's method without its
  bootstrap). Tolerance: the frontier's doubling time inside METR's 95% interval.
* Training compute of notable models: Epoch AI's reported growth of frontier training compute, 4-5x per year
  (Epoch AI, "Training compute of frontier AI models grows by 4-5x per year", 2024): a doubling time of 5.2-6.0
  months. Tolerance: inside that range widened by 25% either way (4.1-7.5 months), as our window is shorter.
* GPU price-performance (FP16 FLOP/s per release-price dollar): Epoch AI's "Trends in GPU price-performance"
  (Hobbhahn and Besiroglu, 2022): FLOP/s per dollar doubles every 2.5 years (all GPUs) and about 2.1 years for
  ML GPUs. Stated for comparison; the chips' prices end in 2024.

Level-scale measures (ECI points, SWE-bench % resolved) have no doubling time: their trend is printed in points per
year.

    uv run python bench/progress_reference.py HOME/analytics.duckdb [--data-root DIR]
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
METR_V11 = "epoch_eci_metr/metr_benchmark_results_1_1.yaml"
WINDOW = ("2023-01-01", "2025-12-01")


def slope_per_year(months: list[date], levels: list[float]) -> float:
    t = np.array([(m.year - 2023) + (m.month - 1) / 12 for m in months])
    return float(np.polyfit(t, np.asarray(levels, dtype=float), 1)[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("analytics", type=Path)
    parser.add_argument("--data-root", type=Path,
                        default=Path(os.environ.get("GAPCAST_DATA_ROOT") or ROOT.parent / "shared" / "data"))
    args = parser.parse_args()
    if not args.analytics.exists():
        raise SystemExit(f"progress_reference: {args.analytics} not found; run `gapcast run --catalog snapshot` first")
    con = duckdb.connect(str(args.analytics), read_only=True)
    rows = con.execute("SELECT measure, scale, month, frontier_level, unit FROM marts.progress_monthly "
                       "WHERE month BETWEEN ? AND ? AND measure NOT LIKE 'hub:%' AND measure NOT LIKE 'ext:%' "
                       "ORDER BY measure, month", list(WINDOW)).fetchall()
    series: dict[str, dict] = {}
    for measure, scale, month, level, unit in rows:
        s = series.setdefault(measure, {"scale": scale, "months": [], "levels": [], "unit": unit})
        s["months"].append(month)
        s["levels"].append(level)
    print(f"Frontier trends over {WINDOW[0][:7]} .. {WINDOW[1][:7]} (OLS of the monthly frontier level on time)\n")
    print(f"{'measure':26s} {'months':>6s} {'trend/yr':>10s} {'x per yr':>9s} {'doubling':>16s}  reference")
    verdicts = []
    for measure, s in series.items():
        b = slope_per_year(s["months"], s["levels"])
        span = f"{s['months'][0]:%Y-%m}..{s['months'][-1]:%Y-%m}"
        if s["scale"] != "log":
            print(f"{measure:26s} {len(s['months']):6d} {b:10.2f} {'':>9s} {'(level scale)':>16s}  "
                  f"{span}; {s['unit']} per year")
            continue
        doubling_months = 12 * math.log(2) / b if b > 0 else float("inf")
        ref = ""
        if measure == "metr_p50_minutes":
            days = doubling_months * 365.25 / 12
            metr = yaml.safe_load((args.data_root / METR_V11).read_text())
            published = metr["doubling_time_in_days"]["from_2023_on"]
            sota = [(r["release_date"], r["metrics"]["p50_horizon_length"]["estimate"])
                    for r in metr["results"].values()
                    if r["metrics"].get("is_sota") and r["release_date"] >= date(2023, 1, 1)]
            t = np.array([(d - date(2023, 1, 1)).days for d, _ in sota], dtype=float)
            refit = math.log(2) / np.polyfit(t, np.log([v for _, v in sota]), 1)[0]
            ok = published["ci_low"] <= days <= published["ci_high"]
            verdicts.append(("METR v1.1", ok))
            ref = (f"METR: {published['point_estimate']:.1f} d [{published['ci_low']:.1f}, {published['ci_high']:.1f}]"
                   f"; refit on its {len(sota)} SOTA points: {refit:.1f} d; frontier {days:.1f} d -> "
                   f"{'inside' if ok else 'OUTSIDE'} METR's interval")
        elif measure == "training_compute_flop":
            ok = 4.1 <= doubling_months <= 7.5
            verdicts.append(("Epoch training compute", ok))
            ref = (f"Epoch: 4-5x/yr = 5.2-6.0 months (tolerance 4.1-7.5) -> {'inside' if ok else 'OUTSIDE'}")
        elif measure == "gpu_flops_per_usd":
            ref = "Epoch (2022): doubles every 2.5 years (all GPUs), ~2.1 years (ML GPUs); for comparison"
        print(f"{measure:26s} {len(s['months']):6d} {b:10.3f} {math.exp(b):9.2f} "
              f"{doubling_months:9.1f} months  {span}; {ref}")
    print()
    for name, ok in verdicts:
        print(f"{name}: {'within tolerance' if ok else 'NOT within tolerance'}")
    sys.exit(0 if all(ok for _, ok in verdicts) else 1)


if __name__ == "__main__":
    main()
