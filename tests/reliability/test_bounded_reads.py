"""Every read is bounded (issue 18, class 6): a FIFO, device or directory in place of a payload is refused at once
(before: the run hung holding the pipeline lock), a file over GAPCAST_MAX_PAYLOAD_MB is refused on its size before it
is read (before: a sparse 1 GB file was read whole, peaking at 7.6 GB), and a payload path that is a symbolic link
out of the catalog's root is refused when the catalog loads. Each refusal names the file and series, and the other
series still load."""

from __future__ import annotations

import os
import subprocess

import duckdb
import pytest

from tests.reliability.conftest import gapcast, write_catalog
from warehouse.catalog import CatalogError, load_catalog
from warehouse.sources.base import PayloadError, read_payload_file

from tests.conftest import make_settings


def loaded_series(home) -> set[str]:
    con = duckdb.connect(str(home / "gapcast.duckdb"), read_only=True)
    try:
        return {r[0] for r in con.execute("SELECT DISTINCT series_id FROM raw.observations").fetchall()}
    finally:
        con.close()


def test_a_fifo_in_place_of_a_payload_is_refused_at_once_and_the_rest_loads(tmp_path, data_root):
    catalog = write_catalog(tmp_path / "cat", data_root)
    payload = tmp_path / "cat" / "dgs10.csv"
    payload.unlink()
    os.mkfifo(payload)  # nobody ever writes to it: opening it for reading the plain way blocks for ever
    try:
        done = gapcast("ingest", "--catalog", str(catalog), home=tmp_path / "home", timeout=90)
    except subprocess.TimeoutExpired:
        pytest.fail("gapcast ingest hung on a FIFO in place of a payload")
    assert done.returncode != 0
    assert "dgs10.csv" in done.stderr and "DGS10" in done.stderr and "FIFO" in done.stderr, done.stderr
    assert {"NVDA", "MSFT", "USINFO"} <= loaded_series(tmp_path / "home")  # the other series loaded


def test_a_payload_over_the_size_limit_is_refused_on_its_size(tmp_path, data_root):
    catalog = write_catalog(tmp_path / "cat", data_root)
    payload = tmp_path / "cat" / "usinfo.csv"
    with payload.open("r+b") as handle:
        handle.truncate(3 * 1024 * 1024)  # sparse: 3 MB of size, no blocks, over a 2 MB limit
    done = gapcast("ingest", "--catalog", str(catalog), home=tmp_path / "home", env={"GAPCAST_MAX_PAYLOAD_MB": "2"})
    assert done.returncode != 0
    assert "usinfo.csv" in done.stderr and "over the payload limit of 2 MB" in done.stderr, done.stderr
    assert "GAPCAST_MAX_PAYLOAD_MB" in done.stderr
    assert "USINFO" not in loaded_series(tmp_path / "home") and "NVDA" in loaded_series(tmp_path / "home")


@pytest.mark.parametrize("make, says", [
    (lambda p: os.mkfifo(p), "is a FIFO (named pipe), not a regular file"),
    (lambda p: p.mkdir(), "is a directory, not a regular file"),
])
def test_what_is_not_a_regular_file_is_refused_without_blocking(tmp_path, make, says):
    path = tmp_path / "payload.csv"
    make(path)
    with pytest.raises(PayloadError) as err:
        read_payload_file(path, "S1", 1024)
    assert says in str(err.value) and "S1" in str(err.value) and str(path) in str(err.value)


def test_a_device_is_refused(tmp_path):
    with pytest.raises(PayloadError, match="is a device, not a regular file"):
        read_payload_file(__import__("pathlib").Path("/dev/zero"), "S1", 1024)  # /dev/zero would read for ever


def test_a_symlink_out_of_the_root_is_refused_when_the_catalog_loads(tmp_path, data_root):
    catalog = write_catalog(tmp_path / "cat", data_root)
    outside = tmp_path / "elsewhere.csv"
    (tmp_path / "cat" / "dgs10.csv").rename(outside)
    (tmp_path / "cat" / "dgs10.csv").symlink_to(outside)
    with pytest.raises(CatalogError) as err:
        load_catalog(str(catalog), make_settings(tmp_path / "home"))
    assert "DGS10" in str(err.value) and "outside the root" in str(err.value) and "symbolic link" in str(err.value)


def test_a_bad_payload_limit_setting_is_refused():
    from warehouse.settings import SettingsError, load_settings

    with pytest.raises(SettingsError, match="GAPCAST_MAX_PAYLOAD_MB='lots' must be a whole number"):
        load_settings({"GAPCAST_MAX_PAYLOAD_MB": "lots"})
