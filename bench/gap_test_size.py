"""How often the forecast's gap test (models.backtest) says the gap helps when it does not: its size.

Loss differences are simulated with the overlap the backtest's have: the mean over horizons 1-9 of forecasts made
each month shares eight months with the next origin's, so under the null the differences are an MA(8) of mean
zero (equal weights, the strongest such overlap). Each draw runs models.thesis.diebold_mariano as the gap test does
(the Harvey-Leybourne-Newbold correction, h = 9, Student's t with n - 1 df); the script prints, per number of
origins, the share of draws with p < 0.10 (nominal 0.10), the share where the rectangular window's long-run
variance was not positive (the test then leaves the row untested), and what a fallback to h = 1 (R's
forecast::dm.test) would have given. The rule reads the test only from GAP_RULE_MIN origins, where the size is
near nominal.

Usage: uv run python bench/gap_test_size.py [--draws 3000] [--seed 1]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.backtest import GAP_P, GAP_RULE_MIN  # noqa: E402
from models.thesis import ThesisInputError, diebold_mariano  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    h = 9
    print(f"gap test size under the null (MA({h - 1}) loss differences, {args.draws} draws, nominal {GAP_P:.2f}; "
          f"the rule needs {GAP_RULE_MIN} origins)")
    print(f"{'origins':>8}{'size':>8}{'untested':>10}{'size with h=1 fallback':>24}")
    for n in (20, 45, 60, 120, 250, 360):
        rejected = untested = fallback = 0
        for _ in range(args.draws):
            e = rng.standard_normal(n + h - 1)
            d = np.convolve(e, np.ones(h), "valid") / h
            try:
                _, p = diebold_mariano(d, np.zeros(n), h)
            except ThesisInputError:
                untested += 1
                _, p = diebold_mariano(d, np.zeros(n), 1)
                fallback += p < GAP_P
                continue
            rejected += p < GAP_P
            fallback += p < GAP_P
        tested = args.draws - untested
        print(f"{n:>8}{rejected / max(tested, 1):>8.3f}{untested / args.draws:>10.3f}{fallback / args.draws:>24.3f}")


if __name__ == "__main__":
    main()
