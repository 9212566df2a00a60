"""The `gapcast` command line: each command runs a flow of flows.pipeline or one step of flows.steps."""

from __future__ import annotations

import csv
import json
import re
import sys
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

app = typer.Typer(
    help="gapcast: is the gap between what markets pay for AI and what AI earns wide enough to cool "
    "the tech talent market, and when?",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)

HomeOption = Annotated[
    Optional[Path], typer.Option("--home", help="Where gapcast writes (default: $GAPCAST_HOME or ./data).")
]
CatalogOption = Annotated[
    Optional[str],
    typer.Option("--catalog", help="Catalog: live, sample, snapshot, or a path to a TOML file (default: $GAPCAST_CATALOG or live)."),
]
AsOfOption = Annotated[
    Optional[str],
    typer.Option("--as-of", help="Build from only what had been retrieved by this date (YYYY-MM-DD) or time."),
]


def _settings(home: Path | None, catalog: str | None = None):
    from warehouse.settings import load_settings

    return load_settings().with_(home=home, catalog=catalog)


def _parse_as_of(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD", param_hint="--as-of") from None
    if len(value) == 10:  # a date means the whole of that day
        parsed = datetime.combine(parsed.date(), time.max)
    return parsed


def _fail(message: str, code: int = 1) -> None:
    first = message.strip().splitlines()[0] if message.strip() else "failed"
    err.print(f"[bold red]gapcast: error:[/] {escape(first)}", markup=True, highlight=False, soft_wrap=True)
    rest = message.strip().splitlines()[1:]
    if rest:
        err.print("\n".join(rest), markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _progress():
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


from flows.cli_common import known_errors as _known_errors  # noqa: E402
from flows.cli_common import run_flow  # noqa: E402,F401


def _print_failures(report) -> None:
    """One line per failed series, except one line per source when a whole source was unreachable."""
    by_reason: dict[str, list[str]] = {}
    down: dict[str, tuple[str, list[str]]] = {}
    for outcome in report.failed:
        if outcome.unreachable:
            first_reason, ids = down.setdefault(outcome.source, (outcome.error or "", []))
            ids.append(outcome.series_id)
        else:
            by_reason.setdefault(outcome.error or "", []).append(outcome.series_id)
    for source, (reason, ids) in down.items():
        err.print(f"[red]failed[/] {escape(source)}: {len(ids)} series not fetched: {escape(reason)}", highlight=False,
                  soft_wrap=True)
    for reason, ids in by_reason.items():
        who = ids[0] if len(ids) == 1 else f"{len(ids)} series ({', '.join(ids[:4])}{', ...' if len(ids) > 4 else ''})"
        err.print(f"[red]failed[/] {escape(who)}: {escape(reason)}", highlight=False, soft_wrap=True)


@app.command()
def run(
    home: HomeOption = None,
    catalog: CatalogOption = None,
    as_of: AsOfOption = None,
    offline: Annotated[bool, typer.Option("--offline", help="Do not fetch live sources; build from what raw holds.")] = False,
    month: Annotated[Optional[str], typer.Option("--month", help="Report month, YYYY-MM (default: this month).")] = None,
    report: Annotated[bool, typer.Option(help="Write the month's report after publishing.")] = True,
    send: Annotated[bool, typer.Option("--send", help="Email the report (once a month unless --force).")] = False,
    force: Annotated[bool, typer.Option("--force", help="With --send: send even if this month's went out.")] = False,
) -> None:
    """Run the pipeline: ingest, build, estimate, forecast, publish, then the month's report (the Prefect parent
    flow).

    Runs under Prefect (a temporary local API, no server to start) unless GAPCAST_PREFECT=off, which calls the
    same flow's steps as plain functions.
    """
    from warehouse.jobs import preflight_job

    settings = _settings(home, catalog)
    as_of_time = _parse_as_of(as_of)
    if month:
        _check_month(month)
    try:
        # Before Prefect starts (it takes seconds): with no network, say so at once and write nothing.
        preflight_job(settings, settings.catalog, offline=offline)
    except _known_errors() as exc:
        _fail(str(exc))
    kwargs = {"home": str(settings.home), "catalog": settings.catalog, "offline": offline,
              "as_of": as_of_time.isoformat() if as_of_time else None}
    if report:
        outcome = run_flow(settings, "monthly", month=month, send=send, force=force, **kwargs)
    else:
        outcome = run_flow(settings, "daily", **kwargs)
    error = outcome.error
    result = outcome.value if error is None else getattr(error, "result", None)
    if result is not None:
        _summarize_run(settings, result.get("daily", result))
        if "report" in result:
            _print_report(result["report"])
        thesis = result.get("thesis")
        if isinstance(thesis, str):  # the monthly flow's thesis step failed: the report went out without it
            err.print(f"[yellow]warning:[/] the thesis tests did not run ({escape(thesis)}); the report shows the "
                      "last published ones, if any: run `gapcast thesis` to see why", highlight=False,
                      soft_wrap=True)
        elif thesis is not None:
            out.print(f"thesis tests: {len(thesis['thesis'].verdicts)} verdicts in marts.thesis_tests "
                      "(`gapcast thesis` prints them)", highlight=False, markup=False)
    if error is not None:
        if isinstance(error, _known_errors()):
            _fail(str(error))
        _fail(str(error) or f"the flow failed: {type(error).__name__}")


_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def _check_month(month: str) -> None:
    """YYYY-MM and nothing else (strptime would take 2026-1); how late a month may be, the report decides from the
    data (dashboards.report.check_month)."""
    if not _MONTH.fullmatch(month.strip()):
        _fail(f"--month {month!r} is not a month: use YYYY-MM, e.g. 2026-12", code=2)


@app.command()
def serve(
    home: HomeOption = None,
    port: Annotated[Optional[int], typer.Option("--port", help="Port of the local Prefect server it starts.")] = None,
) -> None:
    """Serve the scheduled deployments of prefect.yaml here until SIGTERM or Ctrl-C.

    Starts a local Prefect server on 127.0.0.1 when PREFECT_API_URL is unset; stops both cleanly, serving
    first, and leaves the schedules active.
    """
    from flows import environment
    from flows.serve import ServeError, deployment_specs, run as serve_run

    settings = _settings(home)
    (settings.home / "prefect").mkdir(parents=True, exist_ok=True)
    environment.apply(settings.home)
    try:
        specs = deployment_specs()

        def ready(api_url: str) -> None:
            typer.echo(f"Prefect API: {api_url}")
            for spec in specs:
                when = "; ".join(f"{s.get('cron') or s.get('rrule')} ({s['timezone']})" for s in spec["schedules"])
                typer.echo(f"serving {spec['name']:<16} {spec['flow']:<8} {when}")
            typer.echo("Ctrl-C or SIGTERM stops serving (schedules stay active).")

        code = serve_run(settings.home, port, ready=ready)
    except ServeError as exc:
        _fail(str(exc))
    raise typer.Exit(code)


def _print_report(rep: dict) -> None:
    typer.echo(f"report ({rep['month']}): {rep['pdf']}")
    typer.echo(f"                  {rep['html']}")
    typer.echo(f"                  {rep['csv']}")
    delivery = rep.get("delivery")
    if delivery:
        typer.echo(f"email: {delivery['status']} to {', '.join(delivery.get('recipients', []))}"
                   + (f" ({delivery['note']})" if delivery.get("note") else ""))


@app.command()
def report(
    home: HomeOption = None,
    month: Annotated[Optional[str], typer.Option("--month", help="Report month, YYYY-MM (default: this month).")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Folder for the files (default: outputs/reports/MONTH).")] = None,
    send: Annotated[bool, typer.Option("--send", help="Email it to GAPCAST_EMAIL_TO (once a month).")] = False,
    force: Annotated[bool, typer.Option("--force", help="With --send: send even if this month's went out.")] = False,
) -> None:
    """Write the monthly report (HTML, PDF, CSV) from analytics.duckdb; with --send, email it."""
    from dashboards.report import ReportMonthError
    from dashboards.report.email import DeliveryError
    from flows import steps

    if month:
        _check_month(month)
    settings = _settings(home)
    try:
        files = steps.report(settings, month, out_dir=out)
        delivery = steps.send(settings, files, force=force) if send else None
    except (*_known_errors(), DeliveryError, ReportMonthError) as exc:
        _fail(str(exc))
    _print_report({"month": files.month, "pdf": files.pdf, "html": files.html, "csv": files.csv,
                   "delivery": None if delivery is None else {"status": delivery.status, "note": delivery.note,
                                                              "recipients": list(delivery.recipients)}})


def _summarize_run(settings, result: dict) -> None:
    sources = result["ingest"]["sources"]
    series = sum(s["series"] for s in sources.values())
    skipped = sum(s["skipped"] for s in sources.values())
    changed = sum(s["changed"] for s in sources.values())
    added = sum(s["rows_added"] for s in sources.values())
    typer.echo(f"ingested {series - skipped} series ({changed} with new payloads, {added:,} raw rows added)"
               + (f"; {skipped} live series skipped (--offline)" if skipped else ""))
    built = result["build"]
    typer.echo(f"built {len(built['marts'])} marts as of {built['as_of'][:16].replace('T', ' ')}; "
               f"{built['checks_passed']}/{built['checks']} data checks passed")
    for step in ("estimate", "forecast"):
        est = built.get(step)
        if est is None:
            continue
        if est.get("reused"):
            typer.echo(f"{step}: inputs, configuration and models unchanged: reused the results of run {est['reused']}")
        else:
            typer.echo(f"{'estimated' if step == 'estimate' else 'forecast'} "
                       f"{', '.join(f'{k} {v:,}' for k, v in est['rows'].items())}"
                       + (f"; {est['warnings']} model warnings (meta.model_runs)" if est["warnings"] else ""))
    typer.echo(f"analysts' database: {settings.analytics_db}")
    typer.echo(f"pipeline database:  {settings.pipeline_db}")
    typer.echo(f"outputs:            {settings.outputs_dir}")


@app.command()
def ingest(
    home: HomeOption = None,
    catalog: CatalogOption = None,
    series: Annotated[Optional[list[str]], typer.Option("--series", help="Only these series ids.")] = None,
    offline: Annotated[bool, typer.Option("--offline", help="Do not fetch live sources; load files only.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List what would be fetched, and from where.")] = False,
) -> None:
    """Load the catalog's sources into raw (append-only; unchanged payloads add nothing)."""
    from warehouse.catalog import load_catalog
    from warehouse.jobs import dry_run_job, ingest_job

    settings = _settings(home, catalog)
    if dry_run:
        try:
            plan = dry_run_job(settings, only=set(series) if series else None)
        except _known_errors() as exc:
            _fail(str(exc))
        table = Table(title=f"what `gapcast ingest` would fetch ({settings.catalog})")
        for column in ("series_id", "adapter", "location", "note"):
            table.add_column(column, no_wrap=column != "note", overflow="fold")
        for item in plan:
            table.add_row(item["series_id"], item["adapter"], item["location"] or "", item["note"] or "")
        _print_table(table)
        return
    try:
        n = len(load_catalog(settings.catalog, settings, check_files=False).series)
        with _progress() as progress:
            task = progress.add_task("ingest", total=len(series) if series else n)
            report = ingest_job(
                settings,
                only=set(series) if series else None,
                offline=offline,
                on_series=lambda s, o: progress.update(task, advance=1, description=f"ingest {s.id}"),
            )
    except _known_errors() as exc:
        _fail(str(exc))
    skipped = sum(1 for o in report.outcomes if o.status == "skipped")
    typer.echo(f"ingested {len(report.outcomes) - skipped} series, {report.rows_added:,} raw rows added"
               + (f"; {skipped} live series skipped (--offline)" if skipped else ""))
    if report.failed:
        _print_failures(report)
        _fail(f"{len(report.failed)} series failed to load; nothing of theirs was written")


@app.command()
def build(
    home: HomeOption = None,
    as_of: AsOfOption = None,
    publish: Annotated[bool, typer.Option(help="Publish to analytics.duckdb after a successful build.")] = True,
) -> None:
    """Rebuild the marts from raw in one transaction, run the data checks, and publish."""
    from flows import steps

    settings = _settings(home)
    as_of_time = _parse_as_of(as_of)
    if not settings.pipeline_db.exists():
        _fail(f"{settings.pipeline_db} does not exist: run `gapcast ingest` first")
    try:
        with err.status("building marts", spinner="dots"):
            report = steps.build(settings, as_of=as_of_time, publish=publish)
    except _known_errors() as exc:
        _fail(str(exc))
    rows = ", ".join(f"{k} {v:,}" for k, v in report.mart_rows.items())
    typer.echo(f"built as of {report.as_of:%Y-%m-%d %H:%M}: {rows}")
    if not any(v for k, v in report.mart_rows.items() if k != "series"):
        err.print(f"[yellow]warning:[/] the marts are empty: no payload had been retrieved by "
                  f"{report.as_of:%Y-%m-%d %H:%M} (see meta.load_batches.retrieved_at)", highlight=False)
    out.print(f"{sum(c.passed for c in report.checks)}/{len(report.checks)} data checks passed", highlight=False)
    if publish:
        typer.echo(f"published: {settings.analytics_db}")


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="One read-only SQL query over analytics.duckdb.")],
    home: HomeOption = None,
    format: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    max_rows: Annotated[int, typer.Option("--max-rows", help="Rows shown in table format.")] = 50,
    limit: Annotated[int, typer.Option("--limit", help="Rows fetched at most (a bigger result is cut, and says "
                                       "so on stderr); 0: no limit.")] = 100_000,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds the query may run; 0: no limit.")] = 60.0,
) -> None:
    """Query the published marts read-only (writes, file access and extensions are refused)."""
    from warehouse.db import sql_job

    if format not in {"table", "csv", "json"}:
        _fail(f"--format {format!r} is not one of table, csv, json", code=2)
    if limit < 0 or timeout < 0:
        _fail("--limit and --timeout must be 0 (no limit) or positive", code=2)
    settings = _settings(home)
    try:
        result = sql_job(settings, query, row_limit=limit or None, timeout=timeout or None)
    except _known_errors() as exc:
        _fail(str(exc))
    except Exception as exc:  # a SQL error in the analyst's query: say it in one line, with DuckDB's hint
        lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
        hint = next((ln for ln in lines[1:] if ln.startswith("Did you mean")), "")
        _fail(lines[0] + (f" {hint}" if hint else "") if lines else type(exc).__name__)
    if format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows([_plain(v) for v in row] for row in result.rows)
    elif format == "json":
        records = [{c: _plain(v) for c, v in zip(result.columns, row)} for row in result.rows]
        sys.stdout.write(json.dumps(records, indent=1, default=str) + "\n")
    else:
        table = Table(show_lines=False)
        for column in result.columns:
            table.add_column(str(column), no_wrap=True, overflow="ellipsis", max_width=48)
        for row in result.rows[:max_rows]:
            table.add_row(*("" if v is None else str(_plain(v)) for v in row))
        _print_table(table)
        if len(result.rows) > max_rows:
            out.print(f"({len(result.rows):,} rows; showing {max_rows}; use --format csv for all)", markup=False)
    if result.truncated:
        err.print(f"gapcast sql: the result has more than {limit:,} rows; these are the first {limit:,} "
                  "(raise --limit, or narrow the query)", markup=False)


@app.command()
def status(
    home: HomeOption = None,
    format: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """Per series: last observation, last retrieval, rows, and whether it is ok, stale or failed."""
    from warehouse.jobs import status_job

    if format not in {"table", "json"}:
        _fail(f"--format {format!r} is not one of table, json", code=2)
    settings = _settings(home)
    try:
        frame, where = status_job(settings)
    except _known_errors() as exc:
        _fail(str(exc))
    if format == "json":
        sys.stdout.write(frame.to_json(orient="records", date_format="iso", indent=1) + "\n")
        return
    table = Table(title=f"series status ({where})")
    for column in ("series_id", "kind", "raw_rows", "last_observation", "last_retrieval", "status"):
        table.add_column(column, no_wrap=True)
    table.add_column("last_error", overflow="fold", max_width=80)
    styles = {"ok": "green", "stale": "yellow", "failed": "red", "empty": "yellow"}
    for row in frame.itertuples(index=False):
        table.add_row(  # every value from the data is escaped: '[x]' in an id or an error is text, not markup
            escape(str(row.series_id)),
            escape(str(row.kind)),
            f"{row.raw_rows:,}",
            "" if row.last_observation is None or str(row.last_observation) == "NaT" else str(row.last_observation)[:10],
            "" if row.last_retrieval is None or str(row.last_retrieval) == "NaT" else str(row.last_retrieval)[:16],
            f"[{styles.get(row.status, 'white')}]{row.status}[/]",
            "" if row.last_error is None or str(row.last_error) in {"None", "nan"} else escape(str(row.last_error)),
        )
    _print_table(table)
    counts = frame["status"].value_counts().to_dict()
    out.print(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())), markup=False)
    from warehouse.jobs import deliveries_job

    for row in deliveries_job(settings).itertuples(index=False):
        line = f"report {row.month}: {row.status} {row.attempted_at:%Y-%m-%d %H:%M} UTC to {row.recipients}"
        if row.status == "failed":
            line += f" after {row.attempts} attempts: {row.error}"
        err.print(escape(line) if row.status == "sent" else f"[red]{escape(line)}[/]", highlight=False, soft_wrap=True)


@app.command()
def catalog(
    name: Annotated[Optional[str], typer.Argument(help="Catalog name or path (default: the configured one).")] = None,
    home: HomeOption = None,
) -> None:
    """Validate a catalog and list its series."""
    from warehouse.catalog import load_catalog

    settings = _settings(home)
    try:
        cat = load_catalog(name or settings.catalog, settings)
    except _known_errors() as exc:
        _fail(str(exc))
    table = Table(title=escape(f"{cat.name}: {cat.description}" + (" [SYNTHETIC]" if cat.synthetic else "")))
    for column in ("id", "kind", "frequency", "adapter", "unit", "roles", "payloads"):
        table.add_column(column, no_wrap=True)
    for s in cat.series:
        table.add_row(*(escape(str(v)) for v in (s.id, s.kind, s.frequency, s.adapter, s.unit, ",".join(s.roles),
                                                  len(s.payloads))))
    _print_table(table)


def _print_table(table: Table) -> None:
    """Tables keep one line per row: piped output gets a wide console instead of wrapped cells."""
    (out if out.is_terminal else Console(width=240)).print(table)


def _plain(value):
    """Dates as ISO text, floats as they are, everything else as the database gave it."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, float) and value != value:
        return None
    return value


def _register_commands() -> None:
    """The model and dashboard commands live in their own modules."""
    from flows import cli_dashboard, cli_models

    cli_models.register(app)
    cli_dashboard.register(app)


_register_commands()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
