"""Rebuild staging and marts from raw in one transaction, then run the data checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import pandas as pd

from warehouse.db import now_utc, registered, sql_files, sql_text
from warehouse.faults import crash_point


@dataclass(frozen=True)
class CheckResult:
    name: str
    offending_rows: int
    sample: pd.DataFrame

    @property
    def passed(self) -> bool:
        return self.offending_rows == 0

    def describe(self) -> str:
        shown = self.sample.head(5).to_string(index=False, max_colwidth=40)
        return f"check {self.name} failed: {self.offending_rows} offending row(s), e.g.\n{shown}"


class BuildError(RuntimeError):
    """The build failed; the previous marts are untouched."""

    def __init__(self, message: str, failures: tuple[CheckResult, ...] = ()):
        super().__init__(message)
        self.failures = failures


@dataclass(frozen=True)
class RevenueRules:
    """When a basket member's revenue is too old to count (catalogs/assumptions.toml [ragged_edge], which
    flows passes in): a quarter is overdue once ``filing_lag_days`` have passed since its end with no
    filing; a member more than ``max_overdue_quarters`` overdue is left out of the daily basket's ratio."""

    filing_lag_days: int = 60
    max_overdue_quarters: int = 2


@dataclass
class BuildReport:
    run_id: str
    as_of: datetime
    checks: list[CheckResult] = field(default_factory=list)
    mart_rows: dict[str, int] = field(default_factory=dict)


def run_checks(con: duckdb.DuckDBPyConnection) -> list[CheckResult]:
    """Each check is a query returning offending rows; zero rows means it holds."""
    results = []
    for path in sql_files("checks"):
        frame = con.execute(path.read_text(encoding="utf-8")).df()
        results.append(CheckResult(path.stem, len(frame), frame.head(20)))
    return results


def series_status(con: duckdb.DuckDBPyConnection, stale_factor: float) -> pd.DataFrame:
    return con.execute(sql_text("status/series_status.sql"), [stale_factor]).df()


def build(
    con: duckdb.DuckDBPyConnection,
    *,
    run_id: str,
    as_of: datetime | None = None,
    stale_factor: float = 3.0,
    revenue_rules: RevenueRules = RevenueRules(),
) -> BuildReport:
    """Rebuild every mart from raw as known at ``as_of`` (default: now) inside one transaction.

    A failing statement or data check rolls the whole build back, so the previous marts stay.
    """
    as_of = as_of or now_utc()
    report = BuildReport(run_id=run_id, as_of=as_of)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM meta.build_context")
        con.execute(sql_text("build/set_context.sql"), [as_of, now_utc()])
        con.execute(sql_text("build/set_filing_lag_days.sql"), [int(revenue_rules.filing_lag_days)])
        con.execute(sql_text("build/set_max_overdue_quarters.sql"), [int(revenue_rules.max_overdue_quarters)])
        for path in sql_files("staging") + sql_files("marts"):
            try:
                con.execute(path.read_text(encoding="utf-8"))
            except duckdb.Error as exc:
                raise BuildError(f"{path.relative_to(path.parents[2])} failed: {exc}") from None
            crash_point(f"build.{path.parent.name}")
        status = series_status(con, stale_factor)
        with registered(con, "status_frame", status):
            con.execute(sql_text("build/series_status.sql"))
        crash_point("build.before_checks")
        report.checks = run_checks(con)
        failures = tuple(c for c in report.checks if not c.passed)
        if failures:
            raise BuildError(
                f"{len(failures)} data check(s) failed; the previous marts are unchanged.\n"
                + "\n".join(f.describe() for f in failures),
                failures,
            )
        report.mart_rows = {
            table: con.execute(sql_text("build/count_rows.sql"), [f"marts.{table}"]).fetchall()[0][0]
            for (table,) in con.execute(sql_text("build/mart_tables.sql")).fetchall()
        }
        _record_checks(con, run_id, report.checks)
        crash_point("build.before_commit")
        con.execute("COMMIT")
        crash_point("build.after_commit")
    except BaseException:
        con.execute("ROLLBACK")
        if report.checks:
            _record_checks(con, run_id, report.checks)
        raise
    return report


def _record_checks(con: duckdb.DuckDBPyConnection, run_id: str, checks: list[CheckResult]) -> None:
    rows = pd.DataFrame(
        [
            {
                "run_id": run_id,
                "check_name": c.name,
                "checked_at": now_utc(),
                "passed": c.passed,
                "offending_rows": c.offending_rows,
                "sample": None if c.passed else c.sample.head(5).to_json(orient="records", date_format="iso"),
            }
            for c in checks
        ]
    )
    with registered(con, "check_rows", rows):
        con.execute(sql_text("build/record_checks.sql"))
