"""kill -9 the pipeline at 22 points across ingest, build and publish: nothing committed is lost, the
analysts' file is always a complete publish, and the next run completes with the same result as a clean one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.reliability.conftest import gapcast, marts_digest, raw_keys

CRASH_POINTS = [
    "ingest.before_append#1", "ingest.in_transaction#1", "ingest.in_transaction#2", "ingest.after_commit#1",
    "ingest.after_commit#2",
    "build.staging#1", "build.staging#4", "build.marts#1", "build.marts#3", "build.marts#6", "build.marts#9",
    "build.before_checks", "build.before_commit", "build.after_commit",
    "publish.after_attach", "publish.table#1", "publish.table#5", "publish.table#9", "publish.table#14",
    "publish.before_rename", "publish.after_rename",
    "ingest.in_transaction#3",
]
RESULTS: list[dict] = []
pytestmark = pytest.mark.slow  # 22 crashes and recoveries: about two minutes


@pytest.mark.parametrize("point", CRASH_POINTS)
def test_kill_9_at(point, reliability_base, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(reliability_base["base"], home)
    before_publish = marts_digest(home / "analytics.duckdb")
    before_raw = raw_keys(home / "gapcast.duckdb")
    reference_publish = marts_digest(reliability_base["reference"] / "analytics.duckdb")
    reference_raw = raw_keys(reliability_base["reference"] / "gapcast.duckdb")

    crashed = gapcast("run", "--catalog", str(reliability_base["v2"]), "--no-report", home=home,
                      env={"GAPCAST_FAULT_CRASH_AT": point})
    assert crashed.returncode == -9, f"{point} was not reached: {crashed.returncode} {crashed.stderr[-300:]}"

    # Both databases open after the crash.
    duckdb.connect(str(home / "gapcast.duckdb")).close()
    after_publish = marts_digest(home / "analytics.duckdb")
    # The analysts' file is a complete publish: the previous one, or (crash after the rename) the new one.
    assert after_publish in (before_publish, reference_publish)
    # Nothing committed to raw was lost.
    after_raw = raw_keys(home / "gapcast.duckdb")
    lost = before_raw - after_raw
    assert lost == set()

    recovered = gapcast("run", "--catalog", str(reliability_base["v2"]), "--no-report", home=home)
    assert recovered.returncode == 0, recovered.stderr
    assert marts_digest(home / "analytics.duckdb") == reference_publish
    assert raw_keys(home / "gapcast.duckdb") == reference_raw  # no duplicates, nothing missing
    assert not list(home.glob(".analytics.*.tmp.duckdb*"))  # the half-written publish was cleaned up
    RESULTS.append({"point": point, "survived": True, "raw_rows_lost": len(lost),
                    "analytics": "previous" if after_publish == before_publish else "new"})


def test_write_crash_figures(tmp_path):
    """Runs last in this module: the figures docs/reliability.md quotes (written under the tests' tmp)."""
    if not RESULTS:
        pytest.skip("no crash test ran in this session")
    Path(tmp_path / "crash_results.json").write_text(json.dumps(RESULTS, indent=1))
    assert all(r["raw_rows_lost"] == 0 and r["survived"] for r in RESULTS)
