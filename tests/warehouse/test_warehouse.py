"""Raw is append-only and idempotent, vintages are kept, builds are atomic, publishing never blocks."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from tests.conftest import make_settings, query
from warehouse import db
from warehouse.build import BuildError
from warehouse.jobs import build_job, ingest_job
from flows.pipeline import run_plain as run_job

CATALOG = """
[catalog]
name = "mini"
root = "catalog"

[[series]]
id = "USINFO"
kind = "hiring"
frequency = "monthly"
adapter = "fred_csv"
unit = "thousands"
roles = ["talent_target"]
payloads = [{{ path = "usinfo.csv", retrieved_at = "{retrieved}" }}]

[[series]]
id = "NVDA"
kind = "price"
frequency = "daily"
adapter = "yahoo_csv"
unit = "USD"
roles = ["ai_basket"]
payloads = [{{ path = "nvda.csv", retrieved_at = "2026-08-03" }}]
"""


def write_mini(folder: Path, usinfo: str, retrieved: str = "2026-08-22") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "usinfo.csv").write_text(usinfo)
    (folder / "nvda.csv").write_text("Date,Close\n2026-07-31,180.5\n2026-08-03,182.25\n")
    path = folder / "mini.toml"
    path.write_text(CATALOG.format(retrieved=retrieved))
    return path


USINFO_V1 = "date,value\n2026-05-01,2790\n2026-06-01,2785\n2026-07-01,2780\n"
USINFO_V2 = "date,value\n2026-05-01,2790\n2026-06-01,2783\n2026-07-01,2780\n2026-08-01,2776\n"


def raw_rows(settings, series_id="USINFO"):
    return query(settings.pipeline_db,
                 "SELECT obs_date, value, retrieved_at FROM raw.observations WHERE series_id = ? "
                 "ORDER BY obs_date, retrieved_at", [series_id])


def test_same_payload_twice_adds_nothing(tmp_path, settings):
    catalog = write_mini(tmp_path / "src", USINFO_V1)
    first = ingest_job(settings, str(catalog))
    assert first.rows_added == 5 and not first.failed
    before = raw_rows(settings)
    second = ingest_job(settings, str(catalog))
    assert second.rows_added == 0
    assert [o.status for o in second.outcomes] == ["unchanged", "unchanged"]
    assert raw_rows(settings) == before
    batches = query(settings.pipeline_db, "SELECT count(*) FROM meta.load_batches")
    assert batches == [(2,)]


def test_revised_payload_keeps_old_vintage_and_staging_uses_latest(tmp_path, settings):
    catalog = write_mini(tmp_path / "src", USINFO_V1, retrieved="2026-08-22")
    ingest_job(settings, str(catalog))
    catalog = write_mini(tmp_path / "src", USINFO_V2, retrieved="2026-09-05")
    report = ingest_job(settings, str(catalog))
    # Only the revised June value and the new August value are new; May and July are unchanged.
    assert report.rows_added == 2
    rows = raw_rows(settings)
    june = [(r[1], r[2].date().isoformat()) for r in rows if r[0].isoformat() == "2026-06-01"]
    assert june == [(2785.0, "2026-08-22"), (2783.0, "2026-09-05")]
    build_job(settings)
    latest = query(settings.analytics_db,
                   "SELECT month, value FROM marts.hiring_monthly WHERE series_id = 'USINFO' ORDER BY month")
    assert [(m.isoformat(), v) for m, v in latest] == [
        ("2026-05-01", 2790.0), ("2026-06-01", 2783.0), ("2026-07-01", 2780.0), ("2026-08-01", 2776.0)]
    # As of a day before the revision, the marts show the first vintage only.
    build_job(settings, as_of=datetime(2026, 9, 1))
    earlier = query(settings.analytics_db,
                    "SELECT month, value FROM marts.hiring_monthly WHERE series_id = 'USINFO' ORDER BY month")
    assert [(m.isoformat(), v) for m, v in earlier] == [
        ("2026-05-01", 2790.0), ("2026-06-01", 2785.0), ("2026-07-01", 2780.0)]


def test_refetch_with_new_bytes_but_same_values_adds_no_rows(tmp_path, settings):
    catalog = write_mini(tmp_path / "src", USINFO_V1, retrieved="2026-08-22")
    ingest_job(settings, str(catalog))
    # Same observations, different bytes (Windows line ends) and a later retrieval: a new batch, no new rows.
    catalog = write_mini(tmp_path / "src", USINFO_V1.replace("\n", "\r\n"), retrieved="2026-09-22")
    report = ingest_job(settings, str(catalog))
    assert report.rows_added == 0
    assert report.outcomes[0].status == "ok"
    assert len(raw_rows(settings)) == 3


def test_failed_check_rolls_back_the_whole_build(tmp_path, settings):
    catalog = write_mini(tmp_path / "src", USINFO_V1)
    run_job(settings, str(catalog))
    marts_before = query(settings.pipeline_db, "SELECT * FROM marts.prices_daily ORDER BY date")
    published_before = settings.analytics_db.read_bytes()
    # A raw row that breaks a check (the same observation twice in one vintage), written behind the loader's back.
    con = duckdb.connect(str(settings.pipeline_db))
    con.execute("INSERT INTO raw.observations SELECT * FROM raw.observations WHERE series_id = 'NVDA' LIMIT 1")
    con.execute("INSERT INTO raw.observations SELECT batch_id, source, series_id, entity, DATE '2026-08-04', field, "
                "-5.0, unit, published_at, retrieved_at, synthetic FROM raw.observations "
                "WHERE series_id = 'NVDA' LIMIT 1")
    con.close()
    with pytest.raises(BuildError) as err:
        build_job(settings)
    message = str(err.value)
    assert "check raw_observations_unique failed" in message
    assert "check prices_positive failed" in message and "-5.0" in message
    assert query(settings.pipeline_db, "SELECT * FROM marts.prices_daily ORDER BY date") == marts_before
    assert settings.analytics_db.read_bytes() == published_before
    recorded = query(settings.pipeline_db,
                     "SELECT check_name FROM meta.check_results WHERE NOT passed ORDER BY check_name")
    assert recorded == [("prices_positive",), ("raw_observations_unique",)]
    status = query(settings.pipeline_db, "SELECT status FROM meta.runs WHERE command = 'build'")
    assert status == [("failed",)]


def test_migrations_are_recorded_and_an_edited_one_is_refused(settings, monkeypatch, tmp_path):
    con = db.connect_pipeline(settings)
    versions = [r[0] for r in con.execute("SELECT version FROM meta.schema_migrations ORDER BY version").fetchall()]
    con.close()
    assert versions == sorted(p.stem for p in db.sql_files("schema")) and versions
    fake = tmp_path / "sql"
    (fake / "schema").mkdir(parents=True)
    for path in db.sql_files("schema"):
        (fake / "schema" / path.name).write_text(path.read_text() + "\n-- edited\n")
    (fake / "migrations.sql").write_text(db.sql_text("migrations.sql"))
    monkeypatch.setattr(db, "SQL_DIR", fake)
    with pytest.raises(db.WarehouseError, match="changed after it was applied"):
        db.connect_pipeline(settings)


READER = textwrap.dedent(
    """
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    print(con.execute("SELECT count(*) FROM marts.hiring_monthly").fetchall()[0][0], flush=True)
    sys.stdin.readline()  # hold the file open until told to go
    print(con.execute("SELECT count(*) FROM marts.hiring_monthly").fetchall()[0][0], flush=True)
    """
)


def test_a_reader_holding_analytics_open_does_not_block_a_run(tmp_path, settings):
    catalog = write_mini(tmp_path / "src", USINFO_V1, retrieved="2026-08-22")
    run_job(settings, str(catalog))
    reader = subprocess.Popen([sys.executable, "-c", READER, str(settings.analytics_db)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "3"
        catalog = write_mini(tmp_path / "src", USINFO_V2, retrieved="2026-09-05")
        started = time.monotonic()
        report = run_job(settings, str(catalog))
        assert time.monotonic() - started < 30
        assert report.published_to == str(settings.analytics_db)
        # The reader still sees the file it opened; a new reader sees the new publish.
        reader.stdin.write("go\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "3"
    finally:
        reader.stdin.close()
        reader.wait(timeout=30)
    assert query(settings.analytics_db, "SELECT count(*) FROM marts.hiring_monthly") == [(4,)]
    assert not list(settings.home.glob(".analytics.*"))


def test_a_second_writer_gets_a_clear_message(tmp_path, settings):
    catalog = write_mini(tmp_path / "src", USINFO_V1)
    ingest_job(settings, str(catalog))
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, duckdb; c = duckdb.connect(sys.argv[1]); print('held', flush=True); sys.stdin.readline()",
         str(settings.pipeline_db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(db.WarehouseError, match="in use by another process"):
            ingest_job(settings, str(catalog))
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


def test_real_and_synthetic_data_never_share_a_home(tmp_path):
    settings = make_settings(tmp_path / "home")
    catalog = write_mini(tmp_path / "src", USINFO_V1)
    ingest_job(settings, str(catalog))
    from warehouse.load import IngestError

    with pytest.raises(IngestError, match="already holds real data.*--home"):
        ingest_job(settings, "sample")


def test_a_failing_model_does_not_stop_the_marts_from_publishing(tmp_path, settings, monkeypatch):
    from models import api as models_api

    def broken(*args, **kwargs):
        raise ValueError("the model fell over")

    monkeypatch.setattr(models_api, "estimate_divergence", broken)
    catalog = write_mini(tmp_path / "src", USINFO_V1)
    report = run_job(settings, str(catalog))
    assert report.estimate_error == "ValueError: the model fell over"
    assert "the marts were built and published" in str(report.error)
    assert query(settings.analytics_db, "SELECT count(*) FROM marts.hiring_monthly") == [(3,)]
    assert query(settings.analytics_db, "SELECT status, message FROM meta.runs WHERE command = 'run'") == [
        ("failed", "models failed: ValueError: the model fell over")]


VINTAGES = """
[catalog]
name = "vintages"
root = "catalog"

[[series]]
id = "USINFO"
kind = "hiring"
frequency = "monthly"
adapter = "fred_csv"
unit = "thousands"
payloads = [{ path = "v1.csv", retrieved_at = "2026-06-05" }, { path = "v2.csv", retrieved_at = "2026-07-05" },
            { path = "v3.csv", retrieved_at = "2026-08-05" }]
"""


@pytest.mark.parametrize("broken, landed, fetched", [
    ("v2.csv", {"2026-06-05"}, 2),  # a bad payload stops the series: the one after it is not even fetched
    ("v3.csv", {"2026-06-05", "2026-07-05"}, 3),  # the last fails: all before it land
    ("unreadable", {"2026-06-05", "2026-07-05"}, 2),  # the third cannot be read: the second (parsed ahead) lands
])
def test_payloads_land_in_order_until_the_first_failure(tmp_path, settings, broken, landed, fetched):
    """Payloads are parsed one ahead of the one being written; what lands is still what a one-by-one load lands."""
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "v1.csv").write_text("date,value\n2026-04-01,2790\n2026-05-01,2785\n")
    (folder / "v2.csv").write_text("date,value\n2026-04-01,2790\n2026-05-01,2784\n2026-06-01,2780\n")
    (folder / "v3.csv").write_text("date,value\n2026-05-01,2784\n2026-06-01,2781\n2026-07-01,2779\n")
    if broken == "unreadable":  # a folder where the file should be: fetching it fails, not parsing
        (folder / "v3.csv").unlink()
        (folder / "v3.csv").mkdir()
    else:
        (folder / broken).write_text("date,value\n2026-04-01,2790\n2026-05-01,lots\n")
    (folder / "vintages.toml").write_text(VINTAGES)
    report = ingest_job(settings, str(folder / "vintages.toml"))
    assert [o.series_id for o in report.failed] == ["USINFO"]
    assert ("v3.csv" if broken == "unreadable" else broken) in report.failed[0].error
    vintages = {r[0].strftime("%Y-%m-%d") for r in query(
        settings.pipeline_db, "SELECT DISTINCT retrieved_at FROM raw.observations WHERE series_id = 'USINFO'")}
    assert vintages == landed
    batches = query(settings.pipeline_db, "SELECT count(*) FROM meta.load_batches WHERE series_id = 'USINFO'")
    assert batches == [(len(landed),)]
    assert report.failed[0].payloads == fetched


def test_an_interrupt_during_a_fetch_is_not_turned_into_a_failed_series(tmp_path, settings, monkeypatch):
    """Ctrl-C (or a termination) while the next payload is fetched stops the run; it is never recorded as one
    series' failure with the others going on."""
    from warehouse.sources.fred_csv import FredCsv

    folder = tmp_path / "src"
    folder.mkdir()
    for name in ("v1.csv", "v2.csv", "v3.csv"):
        (folder / name).write_text("date,value\n2026-04-01,2790\n2026-05-01,2785\n")
    (folder / "vintages.toml").write_text(VINTAGES)
    original, calls = FredCsv.fetch, []

    def fetch(self, query, context=None):
        calls.append(query)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return original(self, query, context)

    monkeypatch.setattr(FredCsv, "fetch", fetch)
    with pytest.raises(KeyboardInterrupt):
        ingest_job(settings, str(folder / "vintages.toml"))


def test_a_failed_write_inside_a_transaction_reports_its_own_error():
    """A statement that fails inside a transaction aborts it, and DuckDB then refuses even the unregistering of the
    frame: the error raised must be the statement's (here: a missing column), never 'transaction is aborted'."""
    import pandas as pd

    con = duckdb.connect()
    con.execute("CREATE TABLE t (a INTEGER)")
    with pytest.raises(duckdb.BinderException, match="no_such_column"):
        with db.transaction(con):
            with db.registered(con, "frame", pd.DataFrame({"a": [1]})):
                con.execute("INSERT INTO t SELECT no_such_column FROM frame")
    assert con.execute("SELECT count(*) FROM t").fetchall() == [(0,)]


def test_a_field_beyond_the_csv_limit_is_refused_with_or_without_quotes(tmp_path):
    """The fast path for quote-free files refuses what csv.reader refuses: a field longer than its limit."""
    import csv

    from tests.warehouse.test_adapters import _payload
    from warehouse.sources.base import PayloadError

    for body in ("9" * (csv.field_size_limit() + 10), '"' + "9" * (csv.field_size_limit() + 10) + '"'):
        adapter, payload = _payload(tmp_path, "fred_csv", f"date,value\n2026-01-01,{body}\n", unit="", kind="hiring")
        with pytest.raises(PayloadError, match="field larger than field limit"):
            adapter.parse(payload)
