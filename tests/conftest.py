"""Shared fixtures: temp homes, the real snapshot files, and one snapshot and one sample run per session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest

from flows.pipeline import run_plain as run_job
from warehouse.settings import PROJECT_ROOT, Settings, load_settings

SHARED_DATA = Path(os.environ.get("GAPCAST_DATA_ROOT") or PROJECT_ROOT.parent / "shared" / "data").resolve()


@pytest.fixture(scope="session")
def data_root() -> Path:
    if not (SHARED_DATA / "PROVENANCE.md").exists():
        pytest.fail(f"the real data files are missing: looked for {SHARED_DATA / 'PROVENANCE.md'} "
                    "(set GAPCAST_DATA_ROOT, or put ../shared/data beside the project)")
    return SHARED_DATA


def make_settings(home: Path, **changes) -> Settings:
    return load_settings({}).with_(home=home, **changes)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return make_settings(tmp_path / "home")


@pytest.fixture(scope="session")
def snapshot_run(tmp_path_factory, data_root):
    """gapcast run --catalog snapshot once per session; tests only read from it."""
    settings = make_settings(tmp_path_factory.mktemp("snapshot") / "home", data_root=data_root)
    report = run_job(settings, "snapshot")
    return settings, report


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("sample") / "home")
    report = run_job(settings, "sample")
    return settings, report


def copy_home(run, tmp_path_factory, name: str) -> Settings:
    """A private copy of a session run's pipeline database (``run`` is snapshot_run or sample_run), so a test
    that writes never touches the shared homes."""
    settings, _ = run
    home = tmp_path_factory.mktemp(name) / "home"
    home.mkdir()
    shutil.copy(settings.pipeline_db, home / "gapcast.duckdb")
    return make_settings(home)


def query(path: Path, sql: str, params=None):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
