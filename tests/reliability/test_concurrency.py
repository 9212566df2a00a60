"""Readers hammering analytics.duckdb through 20 consecutive runs: no reader error, no failed run."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time

import pytest

from tests.reliability.conftest import gapcast

READER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    import duckdb
    from warehouse.db import READ_ONLY_CONFIG

    path, stop, hold = sys.argv[1], Path(sys.argv[2]), sys.argv[3] == "hold"
    reads = errors = retries = 0
    messages = []
    held = duckdb.connect(path, read_only=True, config=READ_ONLY_CONFIG) if hold else None
    while not stop.exists():
        for attempt in (1, 2):  # the documented retry: one more try after 50 ms
            try:
                if held is not None:
                    con = held
                else:
                    con = duckdb.connect(path, read_only=True, config=READ_ONLY_CONFIG)
                try:
                    n = con.execute("SELECT count(*) FROM marts.prices_daily").fetchall()[0][0]
                    assert n > 0
                finally:
                    if held is None:
                        con.close()
                reads += 1
                time.sleep(0.1)  # an eager analyst, not a busy loop: on 2 cores the runs need them too
                break
            except Exception as exc:
                if attempt == 1:
                    retries += 1
                    time.sleep(0.05)
                else:
                    errors += 1
                    messages.append(f"{type(exc).__name__}: {exc}"[:200])
    print(json.dumps({"reads": reads, "errors": errors, "retries": retries, "messages": messages[:5]}))
    """
)


@pytest.mark.slow
def test_readers_through_twenty_runs(reliability_base, tmp_path):
    import shutil

    home = tmp_path / "home"
    shutil.copytree(reliability_base["base"], home)
    stop = tmp_path / "stop"
    readers = [
        subprocess.Popen([sys.executable, "-c", READER, str(home / "analytics.duckdb"), str(stop), mode],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for mode in ("reopen", "reopen", "hold")  # two open per query, one holds its connection throughout
    ]
    runs = []
    try:
        time.sleep(1)
        for i in range(20):
            catalog = reliability_base["v2"] if i % 2 else reliability_base["v1"]
            started = time.monotonic()
            done = gapcast("run", "--catalog", str(catalog), "--no-report", home=home)
            runs.append({"run": i + 1, "rc": done.returncode, "seconds": round(time.monotonic() - started, 2)})
            assert done.returncode == 0, done.stderr
    finally:
        stop.write_text("stop")
        results = [json.loads(r.communicate(timeout=60)[0]) for r in readers]
    assert [r["rc"] for r in runs] == [0] * 20
    for result in results:
        assert result["errors"] == 0, result["messages"]
        assert result["reads"] > 50
    summary = {"runs": len(runs), "run_seconds_max": max(r["seconds"] for r in runs),
               "reads": [r["reads"] for r in results], "retries": [r["retries"] for r in results],
               "errors": [r["errors"] for r in results]}
    print("concurrency:", json.dumps(summary))
