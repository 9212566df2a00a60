"""Hostile series ids, tickers, catalog values and SQL: stored as data, never run; no file, no extension."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.conftest import make_settings, query
from warehouse.db import QueryRefused, sql_job
from flows.pipeline import run_plain as run_job

HOSTILE_IDS = [
    "X'); DROP TABLE raw.observations; --",
    'Y"; ATTACH \'/tmp/evil.duckdb\' AS evil; --',
    "Z; COPY raw.observations TO '/tmp/stolen.csv'",
    "W' OR '1'='1",
]


def _hostile_catalog(src, ids, values):
    entries = []
    for i, (sid, value) in enumerate(zip(ids, values)):
        (src / f"s{i}.csv").write_text("date,value\n2026-01-01,1\n2026-02-01,2\n")
        toml_id = sid.replace("\\", "\\\\").replace('"', '\\"')
        toml_value = value.replace("\\", "\\\\").replace('"', '\\"')
        entries.append(f'[[series]]\nid = "{toml_id}"\nname = "{toml_value}"\ndescription = "{toml_value}"\n'
                       f'kind = "hiring"\nfrequency = "monthly"\nadapter = "fred_csv"\nunit = "{toml_value}"\n'
                       f'payloads = [{{ path = "s{i}.csv", retrieved_at = "2026-03-01" }}]\n')
    (src / "hostile.toml").write_text('[catalog]\nname = "h\'; DROP TABLE x; --"\nroot = "catalog"\n' + "".join(entries))
    return src / "hostile.toml"


@pytest.mark.parametrize("sid", HOSTILE_IDS)
def test_hostile_ids_are_refused_at_the_catalog_in_one_line(tmp_path, sid):
    """Ids name files, tables and command-line arguments, so the catalog keeps them to a stated character set."""
    src = tmp_path / "src"
    src.mkdir()
    path = _hostile_catalog(src, [sid], ["plain"])
    settings = make_settings(tmp_path / "home")
    result = CliRunner().invoke(app, ["run", "--catalog", str(path), "--home", str(settings.home), "--no-report"])
    assert result.exit_code != 0 and "Traceback" not in result.output, result.output
    assert "has characters outside letters, digits and _ . ^ -" in result.output
    assert "hostile.toml" in result.output and "entry 1" in result.output
    assert not (tmp_path / "evil.duckdb").exists() and not list(tmp_path.glob("stolen*"))
    assert not settings.analytics_db.exists()


def test_hostile_values_are_data(tmp_path):
    """Names, descriptions, units and the catalog's name are free text: stored as given, never run."""
    src = tmp_path / "src"
    src.mkdir()
    ids = [f"HOSTILE_{i}" for i in range(len(HOSTILE_IDS))]
    path = _hostile_catalog(src, ids, HOSTILE_IDS)
    settings = make_settings(tmp_path / "home")
    report = run_job(settings, str(path))
    assert not report.ingest.failed
    stored = {r[0] for r in query(settings.analytics_db, "SELECT DISTINCT series_id FROM marts.hiring_monthly")}
    assert stored == set(ids)
    names = {r[0] for r in query(settings.analytics_db, "SELECT name FROM marts.series")}
    assert set(HOSTILE_IDS) <= names
    assert query(settings.pipeline_db, "SELECT count(*) FROM raw.observations") == [(8,)]
    assert not (tmp_path / "evil.duckdb").exists() and not list(tmp_path.glob("stolen*"))
    tables = {r[0] for r in query(settings.analytics_db, "SELECT table_name FROM duckdb_tables()")}
    assert "series" in tables and "hiring_monthly" in tables


SQL_ATTACKS = [
    ("DROP TABLE marts.series", "DROP statements are refused"),
    ("INSERT INTO marts.series SELECT * FROM marts.series", "INSERT statements are refused"),
    ("SELECT 1; DROP TABLE marts.series", "read-only"),
    ("ATTACH '{tmp}/x.duckdb' AS x", "ATTACH statements are refused"),
    ("SELECT * FROM read_csv('/etc/passwd')", "file system operations are disabled"),
    ("SELECT * FROM read_csv_auto('{tmp}/../home/gapcast.duckdb')", "file system operations are disabled"),
    ("SELECT * FROM read_parquet('{tmp}/x.parquet')", "file system operations are disabled"),
    ("COPY marts.series TO '{tmp}/out.csv'", "COPY statements are refused"),
    ("EXPORT DATABASE '{tmp}/dump'", "EXPORT statements are refused"),
    ("INSTALL httpfs", "INSTALL statements are refused"),
    ("LOAD httpfs", "LOAD statements are refused"),
    ("SET enable_external_access = true", "SET statements are refused"),
    ("SELECT * FROM duckdb_settings() WHERE 1=1; SET lock_configuration = false", "read-only"),
    ("PRAGMA enable_external_access", "PRAGMA statements are refused"),
    ("CALL load_extension('httpfs')", "CALL statements are refused"),
    ("  -- a comment first\n  DELETE FROM marts.series", "DELETE statements are refused"),
    ("/* hidden */ UPDATE marts.series SET name = 'x'", "UPDATE statements are refused"),
    ("WITH x AS (SELECT 1) INSERT INTO marts.series SELECT * FROM marts.series", "read-only"),
    ("SELECT * FROM glob('/etc/*')", "file system operations are disabled"),
    ("CREATE TEMP TABLE t AS SELECT 1", "CREATE statements are refused"),
]


@pytest.mark.parametrize(("statement", "expected"), SQL_ATTACKS)
def test_sql_attacks_are_refused(sample_run, tmp_path, statement, expected):
    settings, _ = sample_run
    before = settings.analytics_db.read_bytes()
    with pytest.raises((QueryRefused, Exception)) as err:
        sql_job(settings, statement.format(tmp=tmp_path))
    assert expected in str(err.value), str(err.value)
    assert settings.analytics_db.read_bytes() == before
    assert not any(tmp_path.iterdir())  # nothing written anywhere


def test_cli_sql_attack_gives_one_line(sample_run):
    settings, _ = sample_run
    result = CliRunner().invoke(app, ["sql", "SELECT * FROM read_csv('/etc/passwd')", "--home", str(settings.home)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "file system operations are disabled" in result.output
