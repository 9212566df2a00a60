"""A stale write-ahead log beside the published file (an analyst opened analytics.duckdb read-write and died) must
not lock every reader out after the next publish (issue 18: "analysts never locked out")."""

from __future__ import annotations

import subprocess
import sys

import duckdb

from tests.conftest import copy_home
from warehouse.db import connect_pipeline, publish

CRASH_READ_WRITE = (
    "import duckdb, os, sys\n"
    "con = duckdb.connect(sys.argv[1])\n"
    "con.execute(\"SET checkpoint_threshold = '1TB'\")  # keep the change in the log\n"
    "con.execute('CREATE TABLE main.scratch AS SELECT range AS x FROM range(1000)')\n"
    "os._exit(9)  # dies without closing: the log stays beside the file\n"
)


def test_a_stale_wal_beside_the_published_file_does_not_survive_the_next_publish(sample_run, tmp_path_factory):
    settings = copy_home(sample_run, tmp_path_factory, "stale-wal")
    con = connect_pipeline(settings)
    try:
        publish(con, settings)
    finally:
        con.close()
    subprocess.run([sys.executable, "-c", CRASH_READ_WRITE, str(settings.analytics_db)], check=False)
    wal = settings.analytics_db.with_name(settings.analytics_db.name + ".wal")
    assert wal.exists() and wal.stat().st_size > 0  # the analyst's crash left its log
    con = connect_pipeline(settings)
    try:
        publish(con, settings)
    finally:
        con.close()
    assert not wal.exists()
    reader = duckdb.connect(str(settings.analytics_db), read_only=True)  # before the fix: "WAL does not match"
    try:
        assert reader.execute("SELECT count(*) FROM marts.series").fetchall()[0][0] > 0
        assert reader.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'scratch'").fetchall() == [(0,)]
    finally:
        reader.close()
