"""PSY bubble tests: statsmodels' ADF, pyexuber's SADF/GSADF/BSADF and critical values, dating, cache, CLI."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from flows.cli_models import register
from models import _radf_kernel as kernel
from models import bubbles
from flows.steps import critical_values_source


def cached_critical_values(folder, n, *, lag=0, reps=2000, seed=20150401, notes=None, min_window=None):
    """The estimate's cached critical values, with the cache in ``folder`` (GAPCAST_CACHE_DIR's role)."""
    return critical_values_source(None, notes if notes is not None else [], folder=folder)(
        n, min_window=min_window, lag=lag, reps=reps, seed=seed)

REFERENCE = json.loads((Path(__file__).resolve().parents[1] / "reference" / "bubble_reference.json").read_text())
SERIES = {name: np.asarray(values) for name, values in REFERENCE["series"].items()}
RADF_CASES = [(row["series"], row["lag"]) for row in REFERENCE["radf"]]


def reference_row(series: str, lag: int) -> dict:
    return next(r for r in REFERENCE["radf"] if r["series"] == series and r["lag"] == lag)


def statsmodels_adf(x: np.ndarray, lag: int) -> float:
    from statsmodels.tsa.stattools import adfuller

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # adfuller's notice about its return type
        return float(adfuller(x, maxlag=lag, autolag=None, regression="c")[0])


# -- against statsmodels -------------------------------------------------------------------------


@pytest.mark.parametrize("lag", [0, 1, 2, 3])
@pytest.mark.parametrize("name", ["random_walk_150", "psy2_300", "blanchard_240"])
def test_single_window_adf_equals_statsmodels_adfuller(name, lag):
    x = SERIES[name]
    result = bubbles.radf(x, lag=lag)
    assert result.adf == pytest.approx(statsmodels_adf(x, lag), abs=1e-8)
    # The forward windows [0, end): each BADF value is adfuller on that prefix.
    for k in (0, len(result.badf_values) // 3, len(result.badf_values) - 1):
        end = result.offset + k + 1
        assert result.badf_values[k] == pytest.approx(statsmodels_adf(x[:end], lag), abs=1e-8)


@pytest.mark.parametrize("lag", [0, 1])
def test_bsadf_is_the_backward_sup_of_statsmodels_adf(lag):
    x = SERIES["explosive_ar_260"][:90]
    result = bubbles.radf(x, lag=lag, min_window=20)
    for k in (0, 7, len(result.bsadf_values) - 1):
        end = result.offset + k + 1  # the window ends at observation end - 1
        starts = range(0, end - lag - 1 - 20 + 1)
        brute = max(statsmodels_adf(x[s:end], lag) for s in starts)
        assert result.bsadf_values[k] == pytest.approx(brute, abs=1e-8)


# -- against pyexuber ------------------------------------------------------------------------------


@pytest.mark.parametrize("name,lag", RADF_CASES)
def test_sadf_gsadf_bsadf_equal_committed_pyexuber_reference(name, lag):
    ref = reference_row(name, lag)
    result = bubbles.radf(SERIES[name], lag=lag)
    assert result.min_window == ref["minw"]
    scale = max(1.0, abs(ref["gsadf"]))  # the Blanchard series reaches 1,500: compare relatively there
    assert result.adf == pytest.approx(ref["adf"], abs=1e-6 * scale)
    assert result.sadf == pytest.approx(ref["sadf"], abs=1e-6 * scale)
    assert result.gsadf == pytest.approx(ref["gsadf"], abs=1e-6 * scale)
    np.testing.assert_allclose(result.badf_values, ref["badf"], rtol=0, atol=1e-6 * scale)
    np.testing.assert_allclose(result.bsadf_values, ref["bsadf"], rtol=0, atol=1e-6 * scale)


@pytest.mark.parametrize("lag", [0, 1])
def test_equals_live_pyexuber(lag):
    exuber = pytest.importorskip("exuber")
    rng = np.random.default_rng(lag + 41)
    for x in (np.cumsum(rng.normal(size=333)), np.exp(np.cumsum(rng.normal(0.01, 0.02, size=211)))):
        ours, theirs = bubbles.radf(x, lag=lag), exuber.radf(x, lag=lag)
        assert ours.gsadf == pytest.approx(theirs.gsadf[0], abs=1e-6)
        assert ours.sadf == pytest.approx(theirs.sadf[0], abs=1e-6)
        np.testing.assert_allclose(ours.bsadf_values, theirs.bsadf[:, 0], rtol=0, atol=1e-6)


def test_monte_carlo_critical_values_reproduce_pyexuber_with_the_same_seed():
    # Same seed, same draws (numpy's default_rng in the same order): the values agree exactly.
    for ref in REFERENCE["mc_cv"]:
        cv = bubbles.simulate_critical_values(ref["n"], reps=ref["nrep"], seed=ref["seed"])
        assert cv.min_window == ref["minw"]
        for name in ("adf", "sadf", "gsadf"):
            np.testing.assert_allclose(getattr(cv, name), ref[f"{name}_cv"], rtol=0, atol=1e-9)
        np.testing.assert_allclose(cv.bsadf, ref["bsadf_cv"], rtol=0, atol=1e-9)


def test_monte_carlo_critical_values_agree_with_pyexuber_within_simulation_error():
    exuber = pytest.importorskip("exuber")
    theirs = exuber.radf_mc_cv(150, nrep=2000, seed=1)
    ours = bubbles.simulate_critical_values(150, reps=2000, seed=2)  # independent draws
    assert abs(ours.gsadf[1] - theirs.gsadf_cv[1]) < 0.1
    assert np.abs(ours.sadf - theirs.sadf_cv).max() < 0.15
    assert np.abs(ours.bsadf[-1] - theirs.bsadf_cv[-1]).max() < 0.15


def test_datestamp_equals_pyexuber():
    for ref in REFERENCE["datestamp"]:
        x = SERIES[ref["series"]]
        cv = bubbles.simulate_critical_values(len(x), reps=ref["nrep"], seed=ref["seed"])
        episodes = bubbles.datestamp(bubbles.radf(x), cv, min_duration=ref["min_duration"])
        got = [{"start": e.start_position, "peak": e.peak_position, "end": e.end_position, "duration": e.duration,
                "ongoing": e.ongoing} for e in episodes]
        assert got == ref["episodes"], ref["series"]


MC_REFERENCE = json.loads((Path(__file__).resolve().parents[1] / "reference" / "mc_reference.json").read_text())


@pytest.mark.parametrize("ref", MC_REFERENCE["cases"],
                         ids=lambda r: f"T{r['n']}_w{r['min_window']}_lag{r['lag']}_reps{r['reps']}")
def test_monte_carlo_critical_values_equal_the_recorded_ones_of_the_old_kernel(ref):
    # tests/reference/make_mc_reference.py recorded these with the kernel of commit e9de31e (worker processes).
    cv = bubbles.simulate_critical_values(ref["n"], min_window=ref["min_window_given"], lag=ref["lag"],
                                          reps=ref["reps"], seed=ref["seed"], levels=tuple(ref["levels"]))
    assert (cv.min_window, cv.lag, cv.reps, cv.seed) == (ref["min_window"], ref["lag"], ref["reps"], ref["seed"])
    for name in ("adf", "sadf", "gsadf", "badf", "bsadf"):
        np.testing.assert_allclose(getattr(cv, name), np.asarray(ref[name]), rtol=1e-10, atol=0, err_msg=name)


def test_batches_change_neither_the_walks_nor_the_statistics():
    walks = np.concatenate(list(kernel.seeded_walks(3, 60, 40, 7)))
    np.testing.assert_array_equal(walks, np.cumsum(np.random.default_rng(3).normal(size=(40, 60)), axis=1))
    window = bubbles.psy_min_window(60)
    for lag in (0, 1):
        one = kernel.simulate(3, 60, 40, window, lag, batch=1)
        for batch in (7, 40, None):
            other = kernel.simulate(3, 60, 40, window, lag, batch=batch)
            np.testing.assert_allclose(other["gsadf"], one["gsadf"], rtol=1e-12, atol=0)
            np.testing.assert_allclose(other["badf"], one["badf"], rtol=1e-12, atol=0)


def test_monte_carlo_runs_in_this_process(monkeypatch):
    import concurrent.futures
    import subprocess
    import threading

    def refuse(*args, **kwargs):
        raise AssertionError("the Monte Carlo must not start processes or threads")

    for module, name in ((subprocess, "Popen"), (subprocess, "run"), (threading.Thread, "start"),
                         (concurrent.futures.ThreadPoolExecutor, "submit"),
                         (concurrent.futures.ProcessPoolExecutor, "submit")):
        monkeypatch.setattr(module, name, refuse)
    cv = bubbles.simulate_critical_values(200, reps=100, seed=3)
    assert cv.reps == 100 and np.isfinite(cv.gsadf).all()


def test_the_kernel_imports_no_process_or_thread_machinery():
    import ast

    root = Path(__file__).resolve().parents[2] / "models"
    for name in ("_radf_kernel.py", "bubbles.py"):
        tree = ast.parse((root / name).read_text(encoding="utf-8"))
        imported = {a.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}
        imported |= {(node.module or "").split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert imported <= {"__future__", "dataclasses", "functools", "numpy", "pandas", "models"}, (name, imported)


# -- the public function on any series -------------------------------------------------------------


def test_radf_labels_sequences_by_the_series_index():
    x = pd.Series(SERIES["psy2_300"], index=pd.date_range("1990-01-31", periods=300, freq="ME"), name="ratio")
    result = bubbles.radf(x)
    assert result.name == "ratio"
    assert result.bsadf.index[0] == x.index[result.min_window]
    assert result.bsadf.index[-1] == x.index[-1]
    assert not result.bsadf_values.flags.writeable
    with pytest.raises(Exception):
        result.gsadf = 0.0  # frozen


@pytest.mark.parametrize(
    "data,options,message",
    [
        (pd.Series([1.0, 2.0, np.nan] + list(range(40)), name="gappy"), {}, "gappy: 1 missing"),
        (pd.Series(np.ones(50), name="flat"), {}, "constant"),
        (pd.Series(np.arange(40.0), name="line"), {}, "straight line"),
        (pd.Series(SERIES["random_walk_150"][:8], name="short"), {"lag": 3}, "too small for lag 3"),
        (pd.Series(SERIES["random_walk_150"][:30], name="tiny"), {"min_window": 40}, "fewer than the minimum window"),
        (pd.Series(SERIES["random_walk_150"], name="neg"), {"lag": -1}, "lag -1"),
    ],
)
def test_radf_refuses_unusable_series_with_the_reason(data, options, message):
    with pytest.raises(bubbles.BubbleInputError, match=message):
        bubbles.radf(data, **options)


def test_bubble_test_fit_gives_an_immutable_result_with_summary():
    x = pd.Series(SERIES["psy2_300"], name="psy2")
    cv = bubbles.simulate_critical_values(300, reps=200, seed=4)
    result = bubbles.BubbleTest(x).fit(cv)
    assert result.exuberant and len(result.episodes) >= 1
    assert "GSADF" in result.summary() and "psy2" in result.summary()
    assert any("200 replications" in w for w in result.warnings)
    seq = result.sequence()
    assert list(seq.columns[:2]) == ["badf", "bsadf"] and seq["in_episode"].any()
    with pytest.raises(bubbles.BubbleInputError, match="critical values are for n=300"):
        bubbles.datestamp(bubbles.radf(x.iloc[:250]), cv)


# -- the cache ---------------------------------------------------------------------------------------


def test_critical_values_are_cached_by_key_and_reused(tmp_path):
    notes: list[str] = []
    first, source = cached_critical_values(tmp_path, 80, lag=1, reps=50, seed=5, notes=notes)
    assert source == "simulated"
    files = list(tmp_path.glob("*.json"))
    assert [f.name for f in files] == [f"{first.key}.json"]
    assert "T80" in first.key and "lag1" in first.key and "reps50" in first.key and "seed5" in first.key
    again, source = cached_critical_values(tmp_path, 80, lag=1, reps=50, seed=5, notes=notes)
    assert source == "cache"
    np.testing.assert_array_equal(again.bsadf, first.bsadf)
    other, source = cached_critical_values(tmp_path, 80, lag=1, reps=50, seed=6, notes=notes)
    assert source == "simulated" and len(list(tmp_path.glob("*.json"))) == 2
    files[0].write_text("{ not json")
    redo, source = cached_critical_values(tmp_path, 80, lag=1, reps=50, seed=5, notes=notes)
    assert source == "simulated" and any("unreadable" in n for n in notes)
    np.testing.assert_array_equal(redo.gsadf, first.gsadf)
    assert not list(tmp_path.glob(".*.tmp"))


# -- the CLI -----------------------------------------------------------------------------------------


@pytest.fixture
def cli():
    app = typer.Typer()
    register(app)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def ratio_csv(tmp_path) -> Path:
    x = SERIES["psy2_300"]
    frame = pd.DataFrame({"month": pd.date_range("1990-01-31", periods=len(x), freq="ME").strftime("%Y-%m-%d"),
                          "ratio": x})
    path = tmp_path / "ratio.csv"
    frame.iloc[::-1].to_csv(path, index=False)  # newest first, as some sources write: sorted by the command
    return path


def test_cli_bubble_prints_the_numbers_of_the_python_function(cli, ratio_csv, tmp_path):
    result = cli("bubble", "--csv", ratio_csv, "--column", "ratio", "--date-column", "month", "--reps", 300,
                 "--seed", 8, "--format", "json", "--home", tmp_path / "home")
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    series = pd.Series(SERIES["psy2_300"], index=pd.date_range("1990-01-31", periods=300, freq="ME"), name="ratio")
    expected = bubbles.BubbleTest(series).fit(bubbles.simulate_critical_values(300, reps=300, seed=8))
    assert printed["gsadf"] == expected.statistics.gsadf
    assert printed["sadf"] == expected.statistics.sadf and printed["adf"] == expected.statistics.adf
    assert printed["critical_values"]["gsadf"] == expected.critical_values.gsadf.tolist()
    assert [e["start"] for e in printed["episodes"]] == [f"{e.start:%Y-%m-%d}" for e in expected.episodes]
    assert [s["bsadf"] for s in printed["sequence"]] == expected.statistics.bsadf_values.tolist()
    table = cli("bubble", "--csv", ratio_csv, "--column", "ratio", "--date-column", "month", "--reps", 300,
                "--seed", 8, "--home", tmp_path / "home")
    assert table.exit_code == 0
    assert f"{expected.statistics.gsadf:.4f}" in table.stdout
    assert f"{expected.critical_values.gsadf[1]:.4f}" in table.stdout
    assert "critical values: cache" in table.stdout  # the first run cached them
    for e in expected.episodes:
        assert f"start {e.start:%Y-%m-%d}" in table.stdout


def test_cli_bubble_errors_are_one_line(cli, ratio_csv, tmp_path):
    missing = cli("bubble", "--csv", ratio_csv, "--column", "nope", "--home", tmp_path)
    assert missing.exit_code == 1 and "no column 'nope'" in missing.stderr and "ratio" in missing.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("d,v\n2020-01-01,1\n2020-02-01,\n2020-03-01,3\n")
    gap = cli("bubble", "--csv", bad, "--column", "v", "--home", tmp_path)
    assert gap.exit_code == 1 and "line 3" in gap.stderr and "Traceback" not in gap.output
    short = cli("bubble", "--csv", bad.with_name("short.csv"), "--column", "v", "--home", tmp_path)
    assert short.exit_code == 1 and "not found" in short.stderr
    assert cli("bubble", "--csv", ratio_csv, "--column", "ratio", "--format", "xml").exit_code == 2


def test_cli_commands_have_help(cli):
    for command in ("estimate", "bubble"):
        result = cli(command, "--help")
        assert result.exit_code == 0 and "Usage" in result.output


def test_pyexuber_is_never_imported_at_run_time():
    """pyexuber is GPL and a development dependency: no module of models/, warehouse/ or flows/ imports it."""
    import ast

    root = Path(__file__).resolve().parents[2]
    for folder in ("models", "warehouse", "flows"):
        for path in (root / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                         else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
                assert not any(n.split(".")[0] == "exuber" for n in names), path
