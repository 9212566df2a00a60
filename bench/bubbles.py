"""Ratio of gapcast's PSY (2015) bubble-test time to pyexuber's, side by side in one run.

Peer: pyexuber 0.1.0 (module `exuber`, a development dependency; C++ core), on the same data:
  - GSADF with the whole BSADF sequence, lag 0, at T = 300, 1,000 and 1,680 (models.bubbles.radf
    against exuber.radf);
  - 2,000 Monte Carlo replications at T = 300 (models.bubbles.simulate_critical_values against
    exuber.radf_mc_cv, same seed, hence the same draws);
  - 200 replications at T = 1,680 (the per-replication cost where it matters most).
Runs alternate between the two and the median of each is compared, so a busy machine slows both
alike. A ratio below 1 means gapcast is faster. The last column checks that both give the same
numbers.

Usage: uv run python bench/bubbles.py [--repeat N] [--mc-repeat N] [--skip-long]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def timed(fn) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def compare(ours, theirs, repeat: int) -> tuple[float, float, object, object]:
    """Median seconds of each, alternating which runs first, after one warm-up each."""
    ours(), theirs()
    ours_times, theirs_times = [], []
    ours_result = theirs_result = None
    for k in range(repeat):
        order = ((ours, ours_times), (theirs, theirs_times)) if k % 2 == 0 else ((theirs, theirs_times), (ours, ours_times))
        for fn, sink in order:
            seconds, result = timed(fn)
            sink.append(seconds)
            if fn is ours:
                ours_result = result
            else:
                theirs_result = result
    return statistics.median(ours_times), statistics.median(theirs_times), ours_result, theirs_result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed runs of each single-series case (median)")
    parser.add_argument("--mc-repeat", type=int, default=3, help="timed runs of the 2,000-replication case")
    parser.add_argument("--skip-long", action="store_true", help="skip the T = 1,680 Monte Carlo case")
    args = parser.parse_args()
    try:
        import exuber
    except ImportError:
        raise SystemExit("bench: pyexuber is not installed; it is a dev dependency: run `uv sync` (dev group)")
    from models import bubbles

    load = os.getloadavg()[0]
    print(f"PSY bubble tests: gapcast against pyexuber {exuber_version()} (lag 0); {os.cpu_count()} cores "
          f"(gapcast in one process); load average {load:.2f} at the start")
    header = f"{'case':<44}{'gapcast':>12}{'pyexuber':>12}{'ratio':>8}   same numbers"
    print(header)
    print("-" * len(header))
    rng = np.random.default_rng(20150401)
    rows = []
    for n in (300, 1000, 1680):
        x = np.cumsum(rng.normal(size=n))
        ours_t, theirs_t, ours, theirs = compare(
            lambda x=x: bubbles.radf(x), lambda x=x: exuber.radf(x), args.repeat)
        diff = max(abs(ours.gsadf - theirs.gsadf[0]), float(np.abs(ours.bsadf_values - theirs.bsadf[:, 0]).max()))
        rows.append((f"GSADF + BSADF sequence, T = {n:,}", ours_t, theirs_t, f"max |diff| {diff:.1e}"))
        print(_row(*rows[-1]), flush=True)
    mc_cases = [(300, 2000, args.mc_repeat)] + ([] if args.skip_long else [(1680, 200, 1)])
    for n, reps, repeat in mc_cases:
        ours_t, theirs_t, ours, theirs = compare(
            lambda n=n, reps=reps: bubbles.simulate_critical_values(n, reps=reps, seed=7),
            lambda n=n, reps=reps: exuber.radf_mc_cv(n, nrep=reps, seed=7), repeat)
        diff = max(float(np.abs(ours.gsadf - theirs.gsadf_cv).max()), float(np.abs(ours.bsadf - theirs.bsadf_cv).max()))
        rows.append((f"Monte Carlo {reps:,} replications, T = {n:,}", ours_t, theirs_t, f"max |diff| {diff:.1e}"))
        print(_row(*rows[-1]), flush=True)
    print(f"load average {os.getloadavg()[0]:.2f} at the end; ratio = gapcast time / pyexuber time "
          "(median of alternating runs)")
    slower = [r[0] for r in rows if r[1] > r[2]]
    if slower:
        print("slower than pyexuber: " + "; ".join(slower))


def _row(case: str, ours: float, theirs: float, check: str) -> str:
    return f"{case:<44}{_seconds(ours):>12}{_seconds(theirs):>12}{ours / theirs:>8.2f}   {check}"


def _seconds(value: float) -> str:
    return f"{value * 1e3:.2f} ms" if value < 1 else f"{value:.2f} s"


def exuber_version() -> str:
    from importlib.metadata import version

    return version("pyexuber")


if __name__ == "__main__":
    main()
