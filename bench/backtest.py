"""Wall time of `gapcast backtest` on the snapshot against its 10-minute budget and a named peer.

Builds a snapshot warehouse in a temporary home (not timed), then times `gapcast backtest` with 1 and with 2
worker processes. Peer: the same origins with only the baselines and climatology (backtest.models = [] in a
copy of catalogs/cooling.toml: no SARIMAX, regime or nowcast fits), i.e. what the rolling-origin bookkeeping,
the vintage selection and the scoring cost by themselves. The ratio says what the model fits add.

Usage: uv run python bench/backtest.py [--data-root DIR] [--workers 1 2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUDGET_S = 600.0


def gapcast(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "flows.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"bench: gapcast {' '.join(args)} failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-root", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="gapcast-bench-backtest-"))
    try:
        env = {**os.environ, "GAPCAST_HOME": str(tmp / "home"), "GAPCAST_DATA_ROOT": str(args.data_root),
               "GAPCAST_PREFECT": "off"}
        gapcast(["run", "--catalog", "snapshot", "--no-report"], env)
        rows = []
        for workers in args.workers:
            rows.append((f"gapcast backtest, {workers} worker(s)", gapcast(["backtest", "--workers", str(workers)], env)))
        # The peer: the baselines alone (the model fits switched off through a private copy of the config).
        text = (ROOT / "catalogs" / "cooling.toml").read_text(encoding="utf-8")
        models = 'models = ["sarimax", "regimes", "nowcast"]'
        if models not in text:
            raise SystemExit(f"bench: catalogs/cooling.toml no longer says {models!r}: update the peer's config")
        peer_config = tmp / "cooling-baselines.toml"
        peer_config.write_text(text.replace(models, "models = []"), encoding="utf-8")
        peer = gapcast(["backtest", "--workers", "1", "--config", str(peer_config)], env)
        print(f"{'measurement':<36} {'wall s':>8} {'vs peer':>8} {'vs 600 s budget':>16}")
        for name, wall in rows:
            print(f"{name:<36} {wall:8.1f} {wall / peer:7.1f}x {wall / BUDGET_S:15.2f}")
        print(f"{'peer: baselines only, 1 worker':<36} {peer:8.1f} {1.0:7.1f}x {peer / BUDGET_S:15.2f}")
        print(f"(cpus: {os.cpu_count()}; each row includes about 2 s of process start and imports)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
