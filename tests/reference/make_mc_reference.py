"""Write mc_reference.json: Monte Carlo critical values of the bubble tests from the OLD kernel.

The old kernel (commit e9de31e, before the Monte Carlo ran in-process only) split long
simulations across `python -c` worker processes. This script takes `models/__init__.py`,
`models/_radf_kernel.py` and `models/bubbles.py` as they were at that commit (``git show``), puts
them in a temporary package and calls its ``simulate_critical_values`` with its defaults, so the
numbers come from the old code path whatever the working tree holds. tests/test_bubbles.py
compares the current implementation against them at rtol 1e-10. Regenerate with:

    uv run python tests/reference/make_mc_reference.py
"""

from __future__ import annotations

import importlib
import json
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
OUTPUT = HERE / "mc_reference.json"
OLD_COMMIT = "e9de31ef914c556b2e8b5a1001fd6f6b7161b7ab"
FILES = ("models/__init__.py", "models/_radf_kernel.py", "models/bubbles.py")

# (n, min_window or None for the PSY rule, lag, reps, seed): T = 60, 120, 300 at lags 0 and 1, a
# snapshot-sized T = 135 at the estimate's settings (catalogs/assumptions.toml [bubbles]), an
# explicit window.
CASES = [
    (60, None, 0, 200, 1),
    (60, None, 1, 2000, 2),
    (120, None, 0, 1000, 20150401),
    (120, None, 1, 500, 3),
    (120, 20, 0, 400, 9),
    (135, None, 0, 2000, 20150401),
    (300, None, 0, 2000, 7),
    (300, None, 1, 300, 5),
]


def old_bubbles(workdir: Path):
    """models.bubbles of OLD_COMMIT, imported from ``workdir`` (its workers find the same copy)."""
    for name in FILES:
        text = subprocess.run(["git", "show", f"{OLD_COMMIT}:{name}"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout
        path = workdir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for module in [m for m in sys.modules if m == "models" or m.startswith("models.")]:
        del sys.modules[module]
    sys.path.insert(0, str(workdir))
    module = importlib.import_module("models.bubbles")
    assert Path(module.__file__).resolve().is_relative_to(workdir.resolve()), module.__file__
    return module


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bubbles = old_bubbles(Path(tmp))
        rows = []
        for n, window, lag, reps, seed in CASES:
            cv = bubbles.simulate_critical_values(n, min_window=window, lag=lag, reps=reps, seed=seed)
            row = cv.to_dict()
            row["min_window_given"] = window
            rows.append(row)
            print(f"T={n} window={cv.min_window} lag={lag} reps={reps} seed={seed}: "
                  f"GSADF 95% {cv.gsadf[1]:.6f}", flush=True)
        kernel_version = bubbles.KERNEL_VERSION
    doc = {
        "generated_by": "tests/reference/make_mc_reference.py",
        "old_commit": OLD_COMMIT, "kernel_version": kernel_version,
        "numpy": np.__version__, "python": platform.python_version(),
        "cases": rows,
    }
    OUTPUT.write_text(json.dumps(doc, indent=None, separators=(",", ":")) + "\n")
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
