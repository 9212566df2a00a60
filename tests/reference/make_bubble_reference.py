"""Write bubble_reference.json: pyexuber's recursive ADF statistics, critical values and dated episodes.

pyexuber (module `exuber`, GPL) is a development dependency only; gapcast never imports it at
run time. The JSON holds the series themselves, so the tests need neither pyexuber nor its
simulators to compare against it. Regenerate with:

    uv run python tests/reference/make_bubble_reference.py
"""

from __future__ import annotations

import json
import platform
from importlib.metadata import version
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "bubble_reference.json"


def simulated_series() -> dict[str, np.ndarray]:
    from exuber.sim import sim_blan, sim_evans, sim_psy1, sim_psy2

    rng = np.random.default_rng(20150401)
    explosive = np.empty(260)
    explosive[0] = 1.0
    for t in range(1, 260):  # a random walk that turns explosive (rho 1.03) for 40 periods, then collapses
        rho = 1.03 if 150 <= t < 190 else 1.0
        explosive[t] = rho * explosive[t - 1] + rng.normal(scale=0.5)
        if t == 190:
            explosive[t] = explosive[150] + rng.normal(scale=0.5)
    return {
        "random_walk_150": np.cumsum(rng.normal(size=150)),
        "random_walk_400": 50 + np.cumsum(rng.normal(size=400)),
        "psy1_200": np.asarray(sim_psy1(200, seed=7), dtype=float),
        "psy2_300": np.asarray(sim_psy2(300, seed=8), dtype=float),
        "evans_180": np.asarray(sim_evans(180, seed=9), dtype=float),
        "blanchard_240": np.asarray(sim_blan(240, seed=10), dtype=float),
        "explosive_ar_260": explosive,
    }


def main() -> None:
    import exuber
    from exuber.radf import psy_ds

    series = simulated_series()
    radf_rows = []
    for name, x in series.items():
        for lag in (0, 1):
            r = exuber.radf(x, lag=lag)
            radf_rows.append({
                "series": name, "lag": lag, "minw": int(r.minw), "adf": float(r.adf[0]), "sadf": float(r.sadf[0]),
                "gsadf": float(r.gsadf[0]), "badf": r.badf[:, 0].tolist(), "bsadf": r.bsadf[:, 0].tolist(),
            })
    mc = []
    for n, nrep, seed in ((120, 2000, 99), (200, 500, 11)):
        cv = exuber.radf_mc_cv(n, nrep=nrep, seed=seed)
        mc.append({"n": n, "nrep": nrep, "seed": seed, "minw": int(cv.minw), "adf_cv": cv.adf_cv.tolist(),
                   "sadf_cv": cv.sadf_cv.tolist(), "gsadf_cv": cv.gsadf_cv.tolist(),
                   "bsadf_cv": cv.bsadf_cv.tolist()})
    dating = []
    for name in ("psy2_300", "explosive_ar_260", "evans_180"):
        x = series[name]
        cv = exuber.radf_mc_cv(len(x), nrep=500, seed=11)
        r = exuber.radf(x)
        stamps = exuber.datestamp(r, cv, min_duration=psy_ds(len(x)))
        dating.append({"series": name, "nrep": 500, "seed": 11, "min_duration": psy_ds(len(x)),
                       "episodes": [{"start": e.start, "peak": e.peak, "end": e.end, "duration": e.duration,
                                     "ongoing": e.ongoing} for eps in stamps.values() for e in eps]})
    doc = {
        "generated_by": "tests/reference/make_bubble_reference.py",
        "pyexuber": version("pyexuber"), "numpy": np.__version__, "python": platform.python_version(),
        "series": {k: v.tolist() for k, v in series.items()},
        "radf": radf_rows, "mc_cv": mc, "datestamp": dating,
    }
    OUTPUT.write_text(json.dumps(doc, indent=None, separators=(",", ":")) + "\n")
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
