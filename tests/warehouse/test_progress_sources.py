"""Technical-progress sources (Epoch's ECI, METR's time horizons, SWE-bench, Epoch's Benchmarking Hub): the real
files through the snapshot catalog's entries, bad copies of them, and marts.progress_monthly with its vintages."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType

import pytest

from tests.conftest import make_settings, query
from warehouse.catalog import load_catalog
from warehouse.jobs import build_job, ingest_job
from warehouse.series import SeriesSpec
from warehouse.sources import adapter_for
from warehouse.sources.base import Payload, PayloadError, Query, Records

ECI = "epoch_eci_metr/epoch_capabilities_index.csv"
METR_10 = "epoch_eci_metr/metr_benchmark_results_1_0.yaml"
METR_11 = "epoch_eci_metr/metr_benchmark_results_1_1.yaml"
SWEBENCH = "swebench/leaderboards.json"
HUB = "epoch_benchmark_stitching"
ORIGIN = "/incoming/progress"
RETRIEVED = datetime(2026, 3, 9)


def parse(adapter: str, content: bytes, retrieved: datetime = RETRIEVED, **params) -> Records:
    series = SeriesSpec(id="progress_test", kind="progress", adapter=adapter, frequency="event", unit="",
                        params=MappingProxyType(params))
    q = Query(series=series, location=ORIGIN, params=dict(params), retrieved_at=retrieved)
    return adapter_for(adapter).parse(Payload(query=q, content=content, origin=ORIGIN, retrieved_at=retrieved))


def refused(adapter: str, content: bytes, line: int | None, phrase: str, **params) -> PayloadError:
    with pytest.raises(PayloadError) as info:
        parse(adapter, content, **params)
    err = info.value
    assert (err.origin, err.series_id) == (ORIGIN, "progress_test")
    assert err.line == line, str(err)
    assert phrase in err.problem, str(err)
    assert "To fix: " in str(err)
    return err


def snapshot_records(data_root: Path, tmp_path: Path, series_id: str) -> list[Records]:
    catalog = load_catalog("snapshot", make_settings(tmp_path / "home", data_root=data_root))
    series = catalog.get(series_id)
    adapter = adapter_for(series.adapter)
    return [adapter.parse(adapter.fetch(q)) for q in adapter.queries(series)]


def line_of(content: bytes, text: str) -> int:
    return content[: content.index(text.encode())].count(b"\n") + 1


# -- ECI ------------------------------------------------------------------------------------------------------------


def test_eci_real_file_through_the_snapshot_entry(data_root, tmp_path):
    (records,) = snapshot_records(data_root, tmp_path, "epoch_eci")
    f = records.frame
    # 583 rows: 298 scored; 3 scored rows have no release date and 37 are flagged Unverified (set aside).
    assert (len(f), records.skipped_missing, len(records.rejected)) == (258, 285, 40)
    reasons = [r.reason for r in records.rejected]
    assert sum("Unverified" in r for r in reasons) == 37 and sum("no release date" in r for r in reasons) == 3
    assert not f["entity"].str.startswith("gpt-5.4").any()  # GPT-5.4 (2026-03) is Unverified: not loaded
    top = f.loc[f["value"].idxmax()]
    assert (top["entity"], top["obs_date"], round(top["value"], 2)) == ("gemini-3-pro-preview", date(2025, 11, 18),
                                                                       153.43)
    assert set(f["field"]) == {"eci"} and set(f["unit"]) == {"ECI points"}
    assert f["obs_date"].min() == date(2023, 2, 24)


def test_eci_without_the_exclusion_loads_the_flagged_rows(data_root):
    records = parse("epoch_eci", (data_root / ECI).read_bytes())
    assert len(records.frame) == 295 and len(records.rejected) == 3  # only the undated rows are set aside
    assert round(records.frame["value"].max(), 2) == 158.24  # GPT-5.4 Pro, flagged Unverified


ECI_HEAD = b"Model version,ECI Score,Release date,Organization,Country,Model accessibility,Training compute (FLOP)," \
           b"Confidence,Model name,Description,Display name\n"


def eci_row(model: str, score: str, released: str, confidence: str = "Confident") -> bytes:
    return f"{model},{score},{released},Org,US,,,{confidence},{model},,{model}\n".encode()


def test_eci_bad_inputs():
    good = ECI_HEAD + eci_row("a", "120.5", "2024-01-02") + eci_row("b", "130", "2024-05-06")
    assert len(parse("epoch_eci", good).frame) == 2
    refused("epoch_eci", good.replace(b"ECI Score", b"ECI"), 1, "missing column(s) 'ECI Score'")
    refused("epoch_eci", good + eci_row("c", "12o.1", "2024-06-01"), 4, "non-numeric score '12o.1'")
    refused("epoch_eci", good + eci_row("c", "9999", "2024-06-01"), 4, "outside (0.0, 400.0)")
    refused("epoch_eci", good + eci_row("c", "120", "2024-13-01"), 4, "not a date")
    refused("epoch_eci", good + eci_row("c", "120", "2027-01-01"), 4, "a date in the future")
    refused("epoch_eci", good + eci_row("a", "120.5", "2024-02-02"), 4, "has two release dates")
    refused("epoch_eci", good + eci_row("a", "121", "2024-01-02"), 4,
            "'a' released 2024-01-02 has two different scores")
    refused("epoch_eci", good + eci_row("", "121", "2024-01-02"), 4, "has no 'Model version'")
    refused("epoch_eci", good[: -5], 3, "the file looks truncated")
    refused("epoch_eci", b"<html><body>rate limited</body></html>", 1, "HTML page")
    refused("epoch_eci", b"", None, "the file is empty")
    refused("epoch_eci", ECI_HEAD + eci_row("a", "", "2024-01-02"), None, "no row has an 'ECI Score'")
    refused("epoch_eci", good, None, "every scored row is excluded", exclude_confidence=["Confident"])
    refused("epoch_eci", good, None, "must be a list of flags", exclude_confidence="Unverified")


# -- METR -----------------------------------------------------------------------------------------------------------


def test_metr_real_files_are_two_vintages(data_root, tmp_path):
    v10, v11 = snapshot_records(data_root, tmp_path, "metr_time_horizon")
    assert v10.frame["entity"].nunique() == 33 and v11.frame["entity"].nunique() == 23
    assert set(v10.frame["unit"]) == {"minutes (METR-Horizon-v1)"}
    assert set(v11.frame["unit"]) == {"minutes (METR-Horizon-v1.1)"}
    assert set(v11.frame["field"]) == {"p50_minutes", "p50_low", "p50_high", "p80_minutes"}
    p50 = v11.frame[v11.frame["field"] == "p50_minutes"].set_index("entity")["value"]
    assert round(p50["claude_opus_4_6_inspect"], 2) == 718.81  # PROVENANCE.md: Claude Opus 4.6 p50 about 719 min
    revised = v10.frame[(v10.frame["field"] == "p50_minutes") & (v10.frame["entity"] == "claude_opus_4_5")]
    assert round(float(revised["value"].iloc[0]), 2) == 288.90  # v1.0's number for the model v1.1 puts at 292.99
    assert round(p50["claude_opus_4_5_inspect"], 2) == 292.99


def test_metr_bad_inputs(data_root):
    good = (data_root / METR_11).read_bytes()
    text = good.decode()
    opus = line_of(good, "  claude_opus_4_6_inspect:")
    assert len(parse("metr_yaml", good).frame) == 92
    refused("metr_yaml", good.replace(b"results:", b"resultz:"), 1, "no 'results' mapping")
    refused("metr_yaml", good.replace(b"benchmark_name: METR-Horizon-v1.1\ndoubling", b"doubling"), 1,
            "names no benchmark_name")
    bad_date = text.replace("release_date: 2026-02-05", "release_date: soon", 1)
    assert "soon" in bad_date
    err = refused("metr_yaml", bad_date.encode(), line_of(bad_date.encode(), "  claude_opus_4_6_inspect:"),
                  "which is not a date")
    assert "claude_opus_4_6_inspect" in err.problem
    future = text.replace("release_date: 2026-02-05", "release_date: 2027-02-05", 1)
    refused("metr_yaml", future.encode(), opus, "a date in the future")
    refused("metr_yaml", text.replace("estimate: 718.80683", "estimate: many", 1).encode(), opus, "not a number")
    refused("metr_yaml", text.replace("estimate: 718.80683", "estimate: 99999.0", 1).encode(), opus,
            "outside its own interval")
    refused("metr_yaml", text.replace("estimate: 718.80683", "estimate: 9999999.0", 1).encode(), opus,
            "a damaged value")
    cut = good[: good.index(b"claude_opus_4_6_inspect:") + 30] + b"\n  - ["
    refused("metr_yaml", cut, cut.count(b"\n") + 1, "the YAML is malformed")  # the line YAML stops at
    refused("metr_yaml", b"\xff\xfe" + good[:50], 1, "not UTF-8")
    refused("metr_yaml", b"  \n", None, "the file is empty")


METR_SMALL = """benchmark_name: METR-Horizon-v1.1
results:
  model_a:
    metrics:
      p50_horizon_length:
        ci_high: 20.0
        ci_low: 5.0
        estimate: 10.0
    release_date: 2025-01-02
  model_b:
    metrics:
      p50_horizon_length:
        ci_high: 40.0
        ci_low: 10.0
        estimate: 20.0
    release_date: 2025-06-02
"""


def test_metr_repeated_or_non_name_keys_are_refused():
    assert len(parse("metr_yaml", METR_SMALL.encode()).frame) == 6  # two models, three fields each (no p80)
    twice = METR_SMALL.replace("model_b:", "model_a:")  # YAML itself would keep the second silently
    err = refused("metr_yaml", twice.encode(), 10, "key 'model_a' appears twice (lines 3 and 10)")
    assert "keep one entry per model" in str(err)
    refused("metr_yaml", METR_SMALL.replace("model_b:", "yes:").encode(), 10,
            "key True is not a name (YAML read it as a bool)")
    refused("metr_yaml", METR_SMALL.replace("ci_low: 5.0", "ci_low: 0.0000001").encode(), 3, "a damaged value")


def test_metr_entry_without_interval_is_set_aside(data_root):
    text = (data_root / METR_11).read_text()
    block = text[text.index("  gpt_5_2:"):]
    block = block[: block.index("release_date")]
    stripped = block.replace(block[block.index("p50_horizon_length:"):block.index("estimate", block.index(
        "p50_horizon_length:"))], "p50_horizon_length:\n        ")
    records = parse("metr_yaml", text.replace(block, stripped).encode())
    assert "gpt_5_2" not in set(records.frame["entity"])
    (rejected,) = records.rejected
    assert "no 50% interval" in rejected.reason and rejected.line == line_of(text.encode(), "  gpt_5_2:")


# -- SWE-bench ------------------------------------------------------------------------------------------------------


def test_swebench_real_file_through_the_snapshot_entry(data_root, tmp_path):
    (records,) = snapshot_records(data_root, tmp_path, "swebench_verified")
    f = records.frame
    assert (len(f), len(records.rejected)) == (59, 103)  # only the results the SWE-bench team checked
    assert f["value"].max() == 74.4 and f.loc[f["value"].idxmax(), "obs_date"] == date(2025, 11, 24)
    assert all("not checked" in r.reason for r in records.rejected)
    assert max(float(r.content.rsplit(": ", 1)[1]) for r in records.rejected) == 78.8  # unchecked: not loaded


def test_swebench_bad_inputs():
    def board(results, name="Verified"):
        return json.dumps({"leaderboards": [{"name": name, "results": results}]}, indent=1).encode()

    ok = {"folder": "20250101_x", "name": "x", "date": "2025-01-01", "resolved": 50.0, "checked": True}
    assert len(parse("swebench_json", board([ok]), leaderboard="Verified").frame) == 1
    err = refused("swebench_json", board([ok], "Lite"), None, "no leaderboard named 'Verified'",
                  leaderboard="Verified")
    assert "['Lite']" in err.problem
    at = line_of(board([ok]), '"20250101_x"')  # errors point at the submission's folder
    refused("swebench_json", board([{**ok, "resolved": 150}]), at, "outside 0..100", leaderboard="Verified")
    refused("swebench_json", board([{**ok, "resolved": "lots"}]), at, "not a number", leaderboard="Verified")
    refused("swebench_json", board([{**ok, "date": "2025-02-30"}]), at, "not a date", leaderboard="Verified")
    refused("swebench_json", board([{**ok, "date": "2027-01-01"}]), at, "in the future", leaderboard="Verified")
    refused("swebench_json", board([ok, ok]), at, "appears twice", leaderboard="Verified")
    cut = board([ok])[:-9]
    refused("swebench_json", cut, cut.count(b"\n") + 1, "the JSON is malformed", leaderboard="Verified")
    refused("swebench_json", board([{**ok, "checked": False}]), None, "no result", leaderboard="Verified",
            require_checked=True)
    refused("swebench_json", board([ok]), None, "must be true or false", leaderboard="Verified",
            require_checked="yes")
    refused("swebench_json", board([ok]), None, "params.leaderboard is not set")


# -- Epoch Benchmarking Hub -----------------------------------------------------------------------------------------


def test_benchmark_hub_real_files_through_the_snapshot_entries(data_root, tmp_path):
    (versions,) = snapshot_records(data_root, tmp_path, "epoch_model_versions")
    assert (len(versions.frame), versions.skipped_missing) == (538, 36)
    (runs,) = snapshot_records(data_root, tmp_path, "epoch_benchmark_runs")
    assert len(runs.rejected) == 4 and all("no started_at" in r.reason for r in runs.rejected)
    assert runs.frame["field"].nunique() == 8 and runs.frame["obs_date"].max() == date(2025, 11, 17)
    assert runs.frame["value"].between(0, 1).all()
    (os_world,) = snapshot_records(data_root, tmp_path, "epoch_ext_os_world")
    assert (len(os_world.frame), len(os_world.rejected)) == (12, 28)  # 28 rows name no model version
    assert os_world.frame["obs_date"].min() == date(2024, 3, 20)  # "Date added", day first
    (arc,) = snapshot_records(data_root, tmp_path, "epoch_ext_arc_agi")
    assert arc.frame["value"].max() == 73.0 and set(arc.frame["unit"]) == {"percent"}  # "73%" read as percent


def test_benchmark_hub_bad_inputs(data_root):
    runs = (data_root / HUB / "benchmarks_runs.csv").read_bytes()
    refused("epoch_benchmarks", runs, None, "params.table is 'run'", table="run")
    bad = runs.replace(b",0.850,", b",1.850,", 1)
    refused("epoch_benchmarks", bad, 2, "outside 0..1", table="runs")
    bad = runs.replace(b"17 November 2025 4:28pm", b"Novembre 17", 1)
    refused("epoch_benchmarks", bad, 2, "which is not a date", table="runs")
    arc = (data_root / HUB / "external_benchmark_arc_agi.csv").read_bytes()
    refused("epoch_benchmarks", arc, None, "needs params.benchmark", table="external")
    refused("epoch_benchmarks", arc.replace(b",42%,", b",420%,", 1), 2, "outside 0..100", table="external",
            benchmark="arc_agi", score_column="Score")
    refused("epoch_benchmarks", arc, 1, "missing column(s) 'Percent'", table="external", benchmark="arc_agi",
            score_column="Percent")
    mixed = arc.replace(b",42%,", b",0.42,", 1)
    refused("epoch_benchmarks", mixed, line_of(mixed, "0.42"), "mixes percentages", table="external",
            benchmark="arc_agi", score_column="Score")
    versions = (data_root / HUB / "model_versions.csv").read_bytes()
    dated = next(line for line in versions.splitlines()[1:] if line.count(b",") >= 2
                 and line.split(b",")[2][:2] in (b"20", b"19"))
    dup = versions.rstrip(b"\r\n") + b"\n" + dated + b"\n"
    refused("epoch_benchmarks", dup, dup.rstrip(b"\n").count(b"\n") + 1, "is listed twice", table="model_versions")


# -- ingest: a bad payload fails its series with nothing half-loaded ------------------------------------------------

CATALOG = """[catalog]
name = "progress"
root = "{root}"

[[series]]
id = "metr_time_horizon"
kind = "progress"
frequency = "event"
adapter = "metr_yaml"
unit = "minutes"
roles = ["progress_frontier"]
payloads = [
    {{ path = "{v10}", retrieved_at = "2026-01-30" }},
    {{ path = "{v11}", retrieved_at = "2026-03-03" }},
]

[[series]]
id = "epoch_eci"
kind = "progress"
frequency = "event"
adapter = "epoch_eci"
unit = "ECI points"
roles = ["progress_frontier"]
params = {{ exclude_confidence = ["Unverified"] }}
payloads = [{{ path = "{eci}", retrieved_at = "2026-03-09" }}]
"""


def test_a_damaged_vintage_fails_its_series_and_keeps_the_earlier_one(data_root, tmp_path):
    files = tmp_path / "files"
    files.mkdir()
    (files / "v10.yaml").write_bytes((data_root / METR_10).read_bytes())
    v11 = (data_root / METR_11).read_text().replace("estimate: 718.80683", "estimate: many", 1)
    (files / "v11.yaml").write_text(v11)
    (files / "eci.csv").write_bytes((data_root / ECI).read_bytes())
    catalog = tmp_path / "progress.toml"
    catalog.write_text(CATALOG.format(root="catalog", v10="files/v10.yaml", v11="files/v11.yaml",
                                      eci="files/eci.csv"), encoding="utf-8")
    settings = make_settings(tmp_path / "home")
    report = ingest_job(settings, str(catalog))
    (failed,) = report.failed
    assert failed.series_id == "metr_time_horizon"
    assert failed.error.startswith(f"{files / 'v11.yaml'}, series metr_time_horizon, line ")
    assert "claude_opus_4_6_inspect" in failed.error and "not a number" in failed.error
    units = query(settings.pipeline_db, "SELECT unit, count(*) FROM raw.observations "
                                        "WHERE series_id = 'metr_time_horizon' GROUP BY unit")
    assert units == [("minutes (METR-Horizon-v1)", 132)]  # v1.0 whole, nothing of the damaged v1.1
    ok = {o.series_id: o for o in report.outcomes}["epoch_eci"]
    assert (ok.status, ok.rows_added, ok.rows_rejected) == ("ok", 258, 40)
    assert query(settings.pipeline_db, "SELECT count(*) FROM meta.rejected_rows WHERE series_id = 'epoch_eci' "
                                       "AND reason LIKE '%Unverified%'") == [(37,)]


# -- marts.progress_monthly: vintages and spans ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def progress_home(tmp_path_factory, data_root):
    root = tmp_path_factory.mktemp("progress")
    catalog = root / "progress.toml"
    catalog.write_text(CATALOG.format(root="data_root", v10=METR_10, v11=METR_11, eci=ECI), encoding="utf-8")
    settings = make_settings(root / "home", data_root=data_root)
    report = ingest_job(settings, str(catalog))
    assert report.failed == [], [o.error for o in report.failed]
    return settings


def metr_frontier(settings, month: str):
    return query(settings.analytics_db, "SELECT frontier_value, frontier_entity, unit FROM marts.progress_monthly "
                                        "WHERE measure = 'metr_p50_minutes' AND month = ?", [month])


def test_a_build_before_a_revision_uses_the_old_vintage(progress_home):
    """METR-Horizon-v1.1 (retrieved 2026-03-03) re-measured the models: a build as of 2026-02-15 knows only v1.0
    and uses its numbers, whole; a build as of 2026-03-10 uses v1.1's, whole (no v1.0-only model mixed in)."""
    built = build_job(progress_home, as_of=datetime(2026, 2, 15, 12))
    assert all(c.passed for c in built.checks), [c.describe() for c in built.checks if not c.passed]
    assert "progress_no_lookahead" in {c.name for c in built.checks}
    (old,) = metr_frontier(progress_home, "2025-11-01")
    assert (round(old[0], 2), old[1], old[2]) == (288.90, "claude_opus_4_5", "minutes (METR-Horizon-v1)")
    last = query(progress_home.analytics_db, "SELECT max(month) FROM marts.progress_monthly "
                                             "WHERE measure = 'metr_p50_minutes'")
    assert last == [(date(2025, 11, 1),)]  # v1.0's last release; v1.1's 2026 models are not known yet
    assert query(progress_home.analytics_db, "SELECT count(*) FROM marts.progress_monthly "
                                             "WHERE measure = 'eci'") == [(0,)]  # ECI retrieved 2026-03-09

    built = build_job(progress_home, as_of=datetime(2026, 3, 10, 12))
    assert all(c.passed for c in built.checks), [c.describe() for c in built.checks if not c.passed]
    (new,) = metr_frontier(progress_home, "2025-11-01")
    assert (round(new[0], 2), new[1], new[2]) == (292.99, "claude_opus_4_5_inspect", "minutes (METR-Horizon-v1.1)")
    units = query(progress_home.analytics_db, "SELECT DISTINCT unit FROM marts.progress_monthly "
                                              "WHERE measure = 'metr_p50_minutes'")
    assert units == [("minutes (METR-Horizon-v1.1)",)]
    # grok_4 (2025-07) is in v1.0 only: with v1.1 read whole it is not a frontier candidate any more.
    assert query(progress_home.analytics_db, "SELECT count(*) FROM marts.progress_monthly "
                                             "WHERE frontier_entity = 'grok_4'") == [(0,)]


def test_progress_monthly_runs_from_first_to_last_release(snapshot_run):
    settings, _ = snapshot_run
    spans = dict((m, (f, last, n)) for m, f, last, n in query(
        settings.analytics_db, "SELECT measure, min(month), max(month), count(*) FROM marts.progress_monthly "
                               "GROUP BY measure"))
    assert spans["eci"][:2] == (date(2023, 2, 1), date(2025, 12, 1))
    assert spans["metr_p50_minutes"][:2] == (date(2019, 2, 1), date(2026, 2, 1))
    # retrieved 2025-12-10: December 2025 was not over, so its last month is November (a release of 2025-12-09
    # is in the file, but a later one of December could not be)
    assert spans["swe_bench_verified_pct"][:2] == (date(2023, 10, 1), date(2025, 11, 1))
    assert spans["training_compute_flop"][0] == date(1950, 7, 1)
    assert spans["gpu_flops_per_usd"][:2] == (date(2017, 6, 1), date(2024, 11, 1))
    for measure, (first, last, n) in spans.items():  # every month in between, once
        assert n == (last.year - first.year) * 12 + last.month - first.month + 1, measure
    known = dict(query(settings.analytics_db, "SELECT DISTINCT measure, known_by FROM marts.progress_monthly"))
    assert known["swe_bench_verified_pct"] == date(2025, 12, 10) and known["eci"] == date(2026, 3, 9)
    # The Benchmarking Hub's runs (2025) count from their model version's release date: GPQA diamond from 2023.
    gpqa = query(settings.analytics_db, "SELECT min(month), min(frontier_release_date) FROM marts.progress_monthly "
                                        "WHERE measure = 'hub:GPQA diamond'")
    assert gpqa == [(date(2023, 3, 1), date(2023, 3, 14))]
    stale = query(settings.analytics_db, "SELECT months_since_new_frontier FROM marts.progress_monthly "
                                         "WHERE measure = 'hub:FrontierMath-Tier-4-2025-07-01-Public' "
                                         "ORDER BY month DESC LIMIT 1")
    assert stale[0][0] > 0  # a frontier that has not moved says so


# -- OWID progress files --------------------------------------------------------------------------------------------


def test_owid_progress_real_files_through_the_snapshot_entries(data_root, tmp_path):
    (scores,) = snapshot_records(data_root, tmp_path, "owid_ai_benchmark_progress")
    f = scores.frame
    assert (len(f), scores.skipped_missing) == (37, 77) and f["field"].nunique() == 6
    reading = f[(f["field"] == "owid:Reading comprehension") & (f["obs_date"] == date(2020, 12, 31))]
    assert float(reading["value"].iloc[0]) == 18.85  # the file's 2020 value, dated at the year's end
    (price,) = snapshot_records(data_root, tmp_path, "owid_compute_price")
    p = price.frame.set_index("entity")["value"]
    assert len(p) == 38 and p["IBM 7030 Stretch"] == 18672000000.0 and p["NVIDIA A100"] == pytest.approx(0.7692, 1e-3)


def test_owid_progress_bad_inputs(data_root):
    scores = (data_root / "owid_ai/ai_benchmark_progress.csv").read_bytes()
    refused("owid_progress", scores, None, "params.table is None")
    retrieved_2023 = scores.replace(b"2023,", b"2026,", 1)
    refused("owid_progress", retrieved_2023, line_of(retrieved_2023, "2026,"), "not a year ended before",
            table="benchmark_progress")
    refused("owid_progress", scores.replace(b"2020,,16.45", b"2020,,1645.0", 1), line_of(scores, "2020,,16.45"),
            "within -1000..1000", table="benchmark_progress")
    refused("owid_progress", scores.replace(b"2020,,16.45", b"2020,,high", 1), line_of(scores, "2020,,16.45"),
            "non-numeric score 'high'", table="benchmark_progress")
    prices = (data_root / "owid_ai/dollars_per_compute.csv").read_bytes()
    refused("owid_progress", prices.replace(b"0.769230769230769", b"-0.77", 1),
            line_of(prices, "2020-11-16,0.769"), "zero or negative", table="compute_price")
    refused("owid_progress", prices.replace(b"2020-11-16", b"2020-16-11", 1), line_of(prices, "2020-11-16"),
            "not a date", table="compute_price")
    refused("owid_progress", prices.replace(b"GFLOPCost", b"Cost", 1), 1, "missing column(s) 'GFLOPCost'",
            table="compute_price")


def test_the_lookahead_check_fails_on_a_tampered_frontier(progress_home):
    """The check recomputes the frontier from staging: a frontier doubled, a month past what its data knew (by the
    mart's known_by, and by staging's retrieval when the mart's is wrong), a release after its month or not in
    staging, and a second METR version each show up (inside a transaction that is rolled back)."""
    import duckdb

    from warehouse.db import SQL_DIR

    build_job(progress_home, as_of=datetime(2026, 3, 10, 12))
    check = (SQL_DIR / "checks" / "progress_no_lookahead.sql").read_text(encoding="utf-8")
    con = duckdb.connect(str(progress_home.pipeline_db))
    try:
        assert con.execute(check).fetchall() == []
        con.execute("BEGIN TRANSACTION")
        con.execute("UPDATE marts.progress_monthly SET frontier_value = frontier_value * 2 "
                    "WHERE measure = 'eci' AND month = DATE '2024-06-01'")
        con.execute("UPDATE marts.progress_monthly SET known_by = DATE '2025-11-15' "
                    "WHERE measure = 'eci' AND month = DATE '2025-11-01'")
        con.execute("UPDATE marts.progress_monthly SET frontier_release_date = DATE '2024-03-05' "
                    "WHERE measure = 'metr_p50_minutes' AND month = DATE '2024-02-01'")
        con.execute("UPDATE marts.progress_monthly SET unit = 'minutes (METR-Horizon-v1)' "
                    "WHERE measure = 'metr_p50_minutes' AND month = DATE '2020-01-01'")
        con.execute("UPDATE marts.progress_monthly SET frontier_release_date = DATE '2019-01-01' "
                    "WHERE measure = 'metr_p50_minutes' AND month = DATE '2023-06-01'")  # no such release
        # a month the mart's own known_by allows but staging's retrieval (ECI: 2026-03-09) does not
        con.execute("INSERT INTO marts.progress_monthly SELECT * REPLACE (DATE '2026-03-01' AS month, "
                    "DATE '2026-03-31' AS month_end, DATE '2026-04-30' AS known_by) FROM marts.progress_monthly "
                    "WHERE measure = 'eci' AND month = DATE '2025-12-01'")
        problems = {(m, str(month)[:7] if month else None, p) for m, month, _, _, _, p in con.execute(check).fetchall()}
        con.execute("ROLLBACK")
    finally:
        con.close()
    assert ("eci", "2024-06", "the frontier is not the best result staging holds among the releases by the month "
            "end") in problems
    assert ("eci", "2024-07", "the frontier fell") in problems  # the doubled month's successor is below it
    assert ("eci", "2025-11", "month not complete when its data were known, or after the as-of") in problems
    released = "frontier released after the month end, or not released when the mart says"
    assert ("metr_p50_minutes", "2024-02", released) in problems
    assert ("metr_p50_minutes", "2023-06", released) in problems
    assert ("eci", "2026-03", "month not complete when its data were known, or after the as-of") in problems
    assert ("metr_p50_minutes", None, "more than one METR version in one build") in problems


def test_lab_valuations_count_from_when_they_were_published(snapshot_run):
    """OpenAI's 2021 tender at $14bn was reported on 2023-01-05: it counts from January 2023, not 2021. Rounds
    Epoch leaves out of its charts (Mistral AI's December 2023 Series A, entered twice) are left out."""
    settings, _ = snapshot_run
    rows = dict(((str(m)[:7], c), (v, n)) for m, c, v, n in query(
        settings.analytics_db,
        "SELECT month, company, valuation_post_usd, companies FROM marts.ai_lab_valuation_monthly"))
    assert rows[("2022-12", "labs_total")] == (3.7e9, 1)  # Anthropic alone
    assert rows[("2023-01", "OpenAI")] == (14e9, 1) and rows[("2023-01", "labs_total")] == (17.7e9, 2)
    assert ("2023-12", "Mistral AI") not in rows  # its June 2023 seed and December 2023 Series A are excluded
    assert rows[("2024-06", "Mistral AI")] == (6e9, 1)
    assert max(m for m, _ in rows) == "2025-11"  # retrieved 2025-12-14: December not over
