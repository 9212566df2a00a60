"""A full disk during publish (issue 18, class 1): the write fails with one line that says the previous publish is
untouched, no half-written file is left (before: a traceback, and the temporary file stayed beside the published
one), and the analysts' file stays readable with its old contents. The disk is filled by a file-size limit on the
publishing process (RLIMIT_FSIZE): every write past it fails as on a full disk."""

from __future__ import annotations

import subprocess
import sys

import duckdb

from tests.conftest import copy_home
from warehouse.db import connect_pipeline, publish

PUBLISH_ON_A_FULL_DISK = r"""
import resource, signal, sys
from tests.conftest import make_settings
from warehouse.db import WarehouseError, connect_pipeline, publish
settings = make_settings(__import__("pathlib").Path(sys.argv[1]))
con = connect_pipeline(settings)
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead of killing us
resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, resource.RLIM_INFINITY))
try:
    publish(con, settings)
except WarehouseError as exc:
    print(str(exc))
    sys.exit(3)
print("published")
"""


def test_a_full_disk_during_publish_fails_in_one_line_and_keeps_the_previous_publish(sample_run, tmp_path_factory):
    settings = copy_home(sample_run, tmp_path_factory, "full-disk")
    con = connect_pipeline(settings)
    try:
        publish(con, settings)
    finally:
        con.close()
    before = settings.analytics_db.read_bytes()
    done = subprocess.run([sys.executable, "-c", PUBLISH_ON_A_FULL_DISK, str(settings.home)], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 3, (done.returncode, done.stdout, done.stderr[-1500:])
    message = done.stdout.strip()
    assert "\n" not in message and "publish failed writing" in message and "is untouched and still readable" in \
        message and "free space" in message, message
    assert list(settings.home.glob(".analytics.*")) == []  # no half-written file left
    assert settings.analytics_db.read_bytes() == before
    reader = duckdb.connect(str(settings.analytics_db), read_only=True)
    try:
        assert reader.execute("SELECT count(*) FROM marts.series").fetchall()[0][0] > 0
    finally:
        reader.close()
