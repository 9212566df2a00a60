"""Wall time and peak memory of `gapcast run --catalog snapshot`, cold and warm, against a named peer.

The pipeline rows run its steps without Prefect (GAPCAST_PREFECT=off, --no-report: ingest, build,
estimate, forecast, publish); two more rows run the whole Prefect parent flow (temporary local API, thesis
tests and report included) twice in the same home: the first computes the thesis tests (which `run` leaves to the
monthly flow), the second is warm, every model result reused. Every home shares one GAPCAST_CACHE_DIR, as homes on
one machine would: the bubble tests' critical values are simulated once (by an untimed first run), never by a
timed fresh home. The warm runs reuse the model results (their inputs are unchanged) and say so.

Targets (issue 12): warm within 3x the peer, cold within 5x, peak memory within 4x, the Prefect flow with the
report within 30 s warm.

Peer: DuckDB alone reading every CSV under the data root with read_csv_auto (no validation, no vintages,
no marts) — the least work any loader of these files must do. Each measurement runs in its own
measuring process, so the peak resident memory is that of the one command measured.

Usage: uv run python bench/pipeline.py [--repeat N] [--data-root DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MEASURE = r"""
import json, resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(json.loads(sys.argv[1]), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
wall = time.perf_counter() - started
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"wall_s": wall, "peak_mib": peak_kib / 1024, "rc": done.returncode, "stderr": done.stderr[-2000:]}))
"""

PEER = r"""
import sys, duckdb
from pathlib import Path
con = duckdb.connect()
rows = 0
for path in sorted(Path(sys.argv[1]).rglob("*.csv")):
    rows += con.execute("SELECT count(*) FROM read_csv_auto(?)", [str(path)]).fetchall()[0][0]
print(rows)
"""


def measure(command: list[str], env: dict[str, str]) -> dict:
    out = subprocess.run([sys.executable, "-c", MEASURE, json.dumps(command)], capture_output=True, text=True,
                         env=env, check=True)
    result = json.loads(out.stdout)
    if result["rc"] != 0:
        raise SystemExit(f"bench: {' '.join(command)} failed (exit {result['rc']}):\n{result['stderr']}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement (median reported)")
    parser.add_argument("--data-root", type=Path,
                        default=Path(os.environ.get("GAPCAST_DATA_ROOT") or ROOT.parent / "shared" / "data"))
    args = parser.parse_args()
    data_root = args.data_root.resolve()
    if not data_root.exists():
        raise SystemExit(f"bench: data root {data_root} not found; pass --data-root or set GAPCAST_DATA_ROOT")
    gapcast = [sys.executable, "-m", "flows.cli", "run", "--catalog", "snapshot", "--no-report"]
    flow = [sys.executable, "-m", "flows.cli", "run", "--catalog", "snapshot"]
    peer = [sys.executable, "-c", PEER, str(data_root)]
    env = {**os.environ, "GAPCAST_DATA_ROOT": str(data_root)}
    cold, warm, first_flows, flows, peers = [], [], [], [], []
    shared_cache = Path(tempfile.mkdtemp(prefix="gapcast-bench-cache-"))
    env["GAPCAST_CACHE_DIR"] = str(shared_cache)
    first = Path(tempfile.mkdtemp(prefix="gapcast-bench-"))
    measure(gapcast, {**env, "GAPCAST_HOME": str(first), "GAPCAST_PREFECT": "off"})  # fills the shared cache
    shutil.rmtree(first, ignore_errors=True)
    for _ in range(args.repeat):
        home = Path(tempfile.mkdtemp(prefix="gapcast-bench-"))
        try:
            run_env = {**env, "GAPCAST_HOME": str(home), "GAPCAST_PREFECT": "off"}
            cold.append(measure(gapcast, run_env))  # fresh home: every payload parsed and appended
            warm.append(measure(gapcast, run_env))  # same home again: payloads unchanged, marts rebuilt
            try:  # the Prefect parent flow (its temporary API can time out on a loaded machine): the home's first
                # monthly flow computes the thesis tests (no earlier run did: `run` leaves them to the monthly
                # flow); the second is the warm one, every model result reused
                first_flows.append(measure(flow, {**run_env, "GAPCAST_PREFECT": "on"}))
                flows.append(measure(flow, {**run_env, "GAPCAST_PREFECT": "on"}))
            except SystemExit as exc:
                print(f"bench: the Prefect row failed: {str(exc).splitlines()[-1]}", file=sys.stderr)
        finally:
            shutil.rmtree(home, ignore_errors=True)
        peers.append(measure(peer, env))
    shutil.rmtree(shared_cache, ignore_errors=True)

    def med(results, key):
        return statistics.median(r[key] for r in results)

    peer_wall, peer_mem = med(peers, "wall_s"), med(peers, "peak_mib")
    print(f"gapcast run --catalog snapshot on {data_root} ({args.repeat} runs each, medians)")
    print(f"{'case':<34}{'wall s':>9}{'peak MiB':>10}{'wall / peer':>13}{'mem / peer':>12}")
    for name, results in (("cold (fresh home, shared cache)", cold), ("warm (nothing new: results reused)", warm),
                          ("first Prefect monthly flow (thesis)", first_flows),
                          ("warm, Prefect parent flow + report", flows),
                          ("peer: duckdb read_csv_auto only", peers)):
        if not results:
            print(f"{name:<34}{'failed':>9}")
            continue
        wall, mem = med(results, "wall_s"), med(results, "peak_mib")
        print(f"{name:<34}{wall:>9.2f}{mem:>10.0f}{wall / peer_wall:>13.2f}{mem / peer_mem:>12.2f}")


if __name__ == "__main__":
    main()
