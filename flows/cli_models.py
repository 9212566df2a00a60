"""The model commands of the `gapcast` CLI (estimate, backtest, bubble), added to an app by :func:`register`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.console import Console

out = Console()
err = Console(stderr=True)

HomeOption = Annotated[
    Optional[Path], typer.Option("--home", help="Where gapcast writes (default: $GAPCAST_HOME or ./data).")
]


def register(app: typer.Typer) -> None:
    """Add ``estimate``, ``backtest``, ``thesis`` and ``bubble`` to a Typer app (flows.cli's, or a test's)."""
    app.command("estimate")(estimate)
    app.command("thesis")(thesis)
    app.command("backtest")(backtest)
    app.command("bubble")(bubble)


def _settings(home: Path | None):
    from warehouse.settings import load_settings

    return load_settings().with_(home=home)


def _fail(message: str, code: int = 1) -> None:
    first = message.strip().splitlines()[0] if message.strip() else "failed"
    err.print(f"[bold red]gapcast: error:[/] {escape(first)}", markup=True, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _known_errors():
    from flows.steps import BacktestError, EstimateError
    from models.api import AssumptionsError, BubbleInputError, CoolingConfigError, DivergenceInputError
    from warehouse.catalog import CatalogError
    from warehouse.db import WarehouseError
    from warehouse.settings import SettingsError

    return (AssumptionsError, EstimateError, WarehouseError, SettingsError, BubbleInputError, DivergenceInputError,
            BacktestError, CoolingConfigError, CatalogError)


def _money(value) -> str:
    return "n/a" if value is None or value != value else f"{value / 1e9:,.0f}bn"


def _number(value, fmt: str = ".2f") -> str:
    return "n/a" if value is None or value != value else format(value, fmt)


def estimate(home: HomeOption = None) -> None:
    """Estimate the AI basket, divergence measures and PSY bubble tests, and forecast, on the built marts; publish."""
    from flows.cli_common import run_flow

    settings = _settings(home)
    if not settings.pipeline_db.exists():
        _fail(f"{settings.pipeline_db} does not exist: run `gapcast run` (or ingest and build) first")
    # The steps as plain calls, as before Prefect: a one-off command needs no API (the scheduled flows use one).
    outcome = run_flow(settings, "estimate_flow", prefect=False, home=str(settings.home))
    if outcome.error is not None:
        _fail(str(outcome.error))
    if outcome.value["error"] is not None:
        _fail(f"{outcome.value['model_error']} (nothing new was published for it)")
    _print_estimate(settings, outcome.value["estimate"])


def thesis(home: HomeOption = None) -> None:
    """Test the thesis on the built marts: does the gap between what markets pay for technology and what it earns
    lead the talent market? The long tech basket and the tests into marts.tech_basket_monthly and
    marts.thesis_tests (docs/thesis.md); publish; print the verdicts."""
    from flows.cli_common import run_flow

    settings = _settings(home)
    if not settings.pipeline_db.exists():
        _fail(f"{settings.pipeline_db} does not exist: run `gapcast run` (or ingest and build) first")
    outcome = run_flow(settings, "thesis_flow", prefect=False, home=str(settings.home))
    if outcome.error is not None:
        _fail(str(outcome.error))
    print_thesis(outcome.value["thesis"])
    typer.echo(f"published: {settings.analytics_db}")


def print_thesis(report) -> None:
    label = " [SYNTHETIC sample data]" if report.synthetic else ""
    b = report.basket
    peak = b.get("peak_1998_2001")
    if report.reused:
        out.print(f"thesis run {report.run_id} on data as of {report.data_as_of}{label}: inputs, configuration and "
                  f"models unchanged, so the results of run {report.reused} were kept (nothing re-estimated)",
                  highlight=False, markup=False)
    else:
        out.print(f"thesis run {report.run_id} on data as of {report.data_as_of} in {report.seconds:.0f}s{label}: "
                  + ", ".join(f"{k} {v:,}" for k, v in report.rows.items()), highlight=False, markup=False)
    out.print(f"long tech basket {b['first_month']}..{b['last_month']}: P/S "
              + (f"peak {peak[1]:.1f} in {peak[0]}, " if peak else "")
              + f"latest {b['latest'][1]:.1f} ({b['latest'][0]}); bubble episodes (PSY, 95%): "
              + ("; ".join(b["episodes"]) or "none dated"), highlight=False, markup=False)
    for verdict in report.verdicts:
        out.print(f"  {verdict}", highlight=False, markup=False, soft_wrap=True)
    out.print("every test (Granger, the calendar claim, out of sample): SELECT test, target, verdict FROM "
              "marts.thesis_tests WHERE test <> 'local_projection'", highlight=False, markup=False)
    for warning in report.warnings:
        err.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False, soft_wrap=True)


def _month_option(value: str | None, flag: str):
    import pandas as pd

    if value is None:
        return None
    try:
        return pd.Timestamp(f"{value}-01")
    except ValueError:
        _fail(f"{flag} {value!r}: expected a month, YYYY-MM")


def backtest(
    home: HomeOption = None,
    catalog: Annotated[Optional[str], typer.Option(
        "--catalog", help="First run the pipeline on this catalog (live, sample, snapshot or a TOML path); "
                          "without it, backtest what the warehouse holds.")] = None,
    first: Annotated[Optional[str], typer.Option("--from", help="First origin month, YYYY-MM.")] = None,
    last: Annotated[Optional[str], typer.Option("--to", help="Last origin month, YYYY-MM.")] = None,
    target: Annotated[Optional[list[str]], typer.Option("--target", help="Only these talent targets.")] = None,
    workers: Annotated[Optional[int], typer.Option("--workers", min=1, help="Processes (default: catalogs/cooling.toml).")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", help="A cooling configuration other than catalogs/cooling.toml.")] = None,
    dask: Annotated[bool, typer.Option("--dask", help="Run the origins on a Dask LocalCluster of --workers processes "
                                                      "(GAPCAST_DASK_ADDRESS names a running scheduler instead).")] = False,
) -> None:
    """Backtest the cooling forecast: one origin a month, each with only the data known then; score every model
    and baseline (MASE, RMSE, CRPS, pinball, coverage, Brier) into marts.backtest_*, and publish."""
    from flows.cli_common import known_errors as pipeline_errors
    from flows.cli_common import run_flow

    settings = _settings(home)
    _month_option(first, "--from"), _month_option(last, "--to")
    if catalog is not None:
        ran = run_flow(settings.with_(catalog=catalog), "daily", home=str(settings.home), catalog=catalog)
        if ran.error is not None:
            _fail(str(ran.error))
    elif not settings.pipeline_db.exists():
        _fail(f"{settings.pipeline_db} does not exist: run `gapcast run` first")
    # The steps as plain calls: the origins go to a Dask cluster when there is more than one worker.
    outcome = run_flow(settings, "backtest", prefect=False, home=str(settings.home), workers=workers, first=first,
                       last=last,
                       targets=list(target) if target else None, config=str(config) if config else None, dask=dask)
    if outcome.error is not None:
        if isinstance(outcome.error, (*_known_errors(), *pipeline_errors())):
            _fail(str(outcome.error))
        _fail(f"the backtest failed: {type(outcome.error).__name__}: {outcome.error}")
    print_backtest(outcome.value)
    typer.echo(f"published: {settings.analytics_db}")


def print_backtest(report) -> None:
    label = " [SYNTHETIC sample data]" if report.synthetic else ""
    rows = ", ".join(f"{k} {v:,}" for k, v in report.rows.items())
    out.print(f"backtest run {report.run_id} on data as of {report.data_as_of} in {report.seconds:.0f}s with "
              f"{report.workers} worker(s), {report.runner}{label}: {rows}", highlight=False, markup=False)
    for sid, (first, last, n) in report.origins.items():
        out.print(f"  {sid}: {n} origins {first}..{last}. {report.data_basis.get(sid, '')}", highlight=False,
                  markup=False)
    statuses = "; ".join(f"{m} " + ", ".join(f"{k} {v}" for k, v in sorted(c.items()))
                         for m, c in sorted(report.statuses.items()))
    out.print(f"  fits: {statuses}", highlight=False, markup=False)
    if not report.headline.empty:
        out.print("relative MASE (model / random walk; < 1 beats it) at 1, 3, 6, 9 months, and the Brier score of "
                  "P(cooling) against the climatological base rate's:", highlight=False, markup=False)
        for r in report.headline.itertuples(index=False):
            mase = " ".join(_number(getattr(r, f"rel_mase_h{h}"), ".2f") for h in (1, 3, 6, 9))
            out.print(f"  {r.target_series:<20} {r.model:<15} MASE ratio {mase:<23} Brier {_number(r.brier, '.3f')} "
                      f"vs {_number(r.brier_climatology, '.3f')} (skill {_number(r.brier_skill, '+.2f')}, "
                      f"{r.brier_forecasts} forecasts)", highlight=False)
            if isinstance(getattr(r, "live_verdict", None), str):
                out.print(f"    live lead (made Sep-Dec): Brier skill "
                          f"{_number(r.live_skill, '+.2f')} [{_number(r.live_lo90, '+.2f')}, "
                          f"{_number(r.live_hi90, '+.2f')}] over {r.live_seasons} seasons: {r.live_verdict}",
                          highlight=False, markup=False)
    if report.forecast is not None:
        fc = report.forecast
        how = f"reused run {fc.reused}" if fc.reused else f"run {fc.run_id}, {fc.seconds:.0f}s"
        out.print(f"forecast re-run on these scores ({how}): the published headline is the one they choose",
                  highlight=False, markup=False)
    for warning in report.warnings[:10]:
        err.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False, soft_wrap=True)
    if len(report.warnings) > 10:
        err.print(f"[yellow]warning:[/] {len(report.warnings) - 10} more in meta.model_runs (model = 'backtest')",
                  highlight=False)


def _print_estimate(settings, report) -> None:
    import duckdb

    if report.reused:
        out.print(f"estimate run {report.run_id}: inputs, assumptions and models unchanged since run "
                  f"{report.reused}: its results were kept (nothing refitted)", highlight=False, markup=False)
    else:
        rows = ", ".join(f"{k} {v:,}" for k, v in report.rows.items())
        span = f"{report.months[0]}..{report.months[1]}" if report.months else "no months"
        label = " [SYNTHETIC sample data]" if report.synthetic else ""
        out.print(f"estimated run {report.run_id} on data as of {report.data_as_of} ({span}) in "
                  f"{report.seconds:.1f}s{label}: {rows}", highlight=False, markup=False)
    con = duckdb.connect(str(settings.analytics_db), read_only=True)
    try:
        last = con.execute(
            "SELECT month, price_to_sales, ps_zscore, coint_gap_eg, capex_gap, required_ai_revenue, "
            "required_revenue_gap, revenue_basis, revenue_age_days, bubble_exuberant "
            "FROM marts.divergence_monthly ORDER BY month DESC LIMIT 1").fetchall()
        stats = con.execute("SELECT series, gsadf, gsadf_cv95, rejects_gsadf, episodes, cv_source "
                            "FROM marts.bubble_statistics ORDER BY series").fetchall()
    finally:
        con.close()
    if last:
        (month, ps, z, gap, capex_gap, required, hole, basis, age, exuberant) = last[0]
        out.print(
            f"{month:%Y-%m}: price-to-sales {_number(ps)} (z {_number(z)}), cointegration gap {_number(gap, '.3f')}, "
            f"capex gap {_number(capex_gap, '.1%')}, required AI revenue {_money(required)} "
            f"(gap {_money(hole)}); revenue {basis}, {age} days old; in a bubble episode: {bool(exuberant)}",
            highlight=False, markup=False)
    for series, gsadf, cv95, rejects, episodes, source in stats:
        out.print(f"  {series}: GSADF {gsadf:.3f} vs 95% {cv95:.3f} -> "
                  f"{'explosive' if rejects else 'not explosive'}, {episodes} episode(s) [critical values: {source}]",
                  highlight=False, markup=False)
    for warning in report.warnings:
        err.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False, soft_wrap=True)
    if report.assumptions is not None:
        typer.echo(report.assumptions.describe())
    typer.echo(f"published: {settings.analytics_db}")


def _read_series(csv: Path, column: str, date_column: str | None):
    import pandas as pd

    if not csv.exists():
        _fail(f"{csv}: file not found")
    try:
        frame = pd.read_csv(csv, skipinitialspace=True)
    except (ValueError, UnicodeDecodeError, OSError) as exc:
        _fail(f"{csv}: not a readable CSV ({str(exc).splitlines()[0]})")
    for name, wanted in (("--column", column), ("--date-column", date_column)):
        if wanted is not None and wanted not in frame.columns:
            _fail(f"{csv}: no column {wanted!r} ({name}); columns: {', '.join(map(str, frame.columns))}")
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna()
    if bad.any():
        line = int(bad.to_numpy().argmax()) + 2  # header is line 1
        _fail(f"{csv}: column {column!r} has {int(bad.sum())} missing or non-numeric value(s), the first on line "
              f"{line} ({frame[column].iloc[line - 2]!r}); the tests need a gap-free numeric series")
    if date_column is None:
        return values.rename(column)
    dates = pd.to_datetime(frame[date_column], errors="coerce", format="mixed")
    if dates.isna().any():
        line = int(dates.isna().to_numpy().argmax()) + 2
        _fail(f"{csv}: column {date_column!r} has a value that is not a date on line {line} "
              f"({frame[date_column].iloc[line - 2]!r})")
    if dates.duplicated().any():
        dup = dates[dates.duplicated()].iloc[0]
        _fail(f"{csv}: date {dup:%Y-%m-%d} appears more than once in {date_column!r}")
    series = pd.Series(values.to_numpy(), index=pd.DatetimeIndex(dates), name=column)
    if not series.index.is_monotonic_increasing:
        err.print(f"note: rows of {csv} sorted by {date_column}", highlight=False, markup=False)
        series = series.sort_index()
    return series


def bubble(
    csv: Annotated[Path, typer.Option("--csv", help="CSV file holding the series.")],
    column: Annotated[str, typer.Option("--column", help="Column to test (levels, e.g. a price or a ratio).")],
    date_column: Annotated[Optional[str], typer.Option("--date-column", help="Column of dates labelling the rows (sorted if needed).")] = None,
    lag: Annotated[int, typer.Option("--lag", help="Lagged differences in each ADF regression.", min=0)] = 0,
    reps: Annotated[int, typer.Option("--reps", help="Monte Carlo replications for the critical values.", min=10)] = 2000,
    min_window: Annotated[Optional[float], typer.Option("--min-window", help="Minimum window as a fraction of T (default 0.01 + 1.8/sqrt(T)).")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the Monte Carlo draws.")] = 20150401,
    format: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    home: HomeOption = None,
) -> None:
    """PSY (2015) bubble test of any CSV column: ADF, SADF, GSADF, critical values and dated episodes."""
    from flows.steps import critical_values_source
    from models.api import BubbleTest, psy_min_window

    if format not in {"table", "json"}:
        _fail(f"--format {format!r} is not one of table, json", code=2)
    series = _read_series(csv, column, date_column)
    notes: list[str] = []
    try:
        window = psy_min_window(len(series), min_window)
        cv, source = critical_values_source(
            _settings(home), notes, announce=lambda message: err.print(f"note: {message}", markup=False,
                                                                       highlight=False, soft_wrap=True))(
            len(series), min_window=window, lag=lag, reps=reps, seed=seed)
        result = BubbleTest(series, lag=lag, min_window=window, name=column).fit(cv)
    except _known_errors() as exc:
        _fail(str(exc))
    for note in notes:
        err.print(f"[yellow]warning:[/] {escape(note)}", highlight=False, soft_wrap=True)
    if format == "json":
        sys.stdout.write(json.dumps(bubble_report(result, source), indent=1) + "\n")
        return
    typer.echo(result.summary())
    typer.echo(f"critical values: {source} ({cv.key})")


def bubble_report(result, cv_source: str) -> dict:
    """The JSON `gapcast bubble --format json` prints: every number as the Python objects hold it."""
    stats, cv = result.statistics, result.critical_values

    def label(value):
        return None if value is None else (value.isoformat()[:10] if hasattr(value, "isoformat") else int(value))

    return {
        "series": stats.name, "n": stats.n, "lag": stats.lag, "min_window": stats.min_window,
        "adf": stats.adf, "sadf": stats.sadf, "gsadf": stats.gsadf,
        "critical_values": {"levels": list(cv.levels), "adf": cv.adf.tolist(), "sadf": cv.sadf.tolist(),
                            "gsadf": cv.gsadf.tolist(), "reps": cv.reps, "seed": cv.seed, "source": cv_source,
                            "key": cv.key},
        "level": result.level, "rejects": {s: result.rejects(s) for s in ("adf", "sadf", "gsadf")},
        "min_duration": result.min_duration,
        "episodes": [{"start": label(e.start), "peak": label(e.peak), "end": label(e.end), "duration": e.duration,
                      "ongoing": e.ongoing} for e in result.episodes],
        "sequence": [{"label": label(k), "badf": float(b), "bsadf": float(s), "bsadf_cv": [float(v) for v in c]}
                     for k, b, s, c in zip(stats.labels[stats.offset:], stats.badf_values, stats.bsadf_values,
                                           cv.bsadf, strict=True)],
        "warnings": list(result.warnings),
    }
