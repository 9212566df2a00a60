"""A small real-data catalog the reliability tests run the whole pipeline on, many times, quickly."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

ROWS = 400  # rows of each real file kept: enough for every mart, small enough for many runs


def excerpt(source: Path, target: Path, rows: int = ROWS) -> None:
    lines = source.read_text().splitlines(keepends=True)
    target.write_text("".join(lines[: rows + 1]))


def write_catalog(folder: Path, data_root: Path, *, vintage2: bool = False) -> Path:
    """Prices, fundamentals, hiring, macro and layoffs series from excerpts of the real files.

    With vintage2, a later vintage of the hiring series (its revised copy) is added: new work for a run.
    """
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "nvda.csv": "prices_adjclose/NVDA.csv",
        "msft.csv": "prices_adjclose/MSFT.csv",
        "nvda_f.csv": "fundamentals_quarterly/NVDA.csv",
        "msft_f.csv": "fundamentals_quarterly/MSFT.csv",
        "softdev.csv": "indeed_hiring_lab/IHLIDXUSTPSOFTDEVE.csv",
        "usinfo.csv": "fred/USINFO.csv",
        "dgs10.csv": "fred/DGS10.csv",
        "layoffs.csv": "layoffs_databyab/layoffs.csv",
    }
    for name, source in files.items():
        excerpt(data_root / source, folder / name)
    vintages = {name: [f'{{ path = "{name}.csv", retrieved_at = "{when}" }}']
                for name, when in (("softdev", "2026-04-09"), ("usinfo", "2026-08-22"), ("dgs10", "2026-07-30"))}
    if vintage2:
        # Later, revised vintages of three series: new work for the run that the crash tests interrupt.
        for name, bump in (("softdev", 0.35), ("usinfo", 1.0), ("dgs10", 0.01)):
            lines = (folder / f"{name}.csv").read_text().splitlines()
            body = [f"{line.split(',')[0]},{float(line.split(',')[1]) + bump:.2f}" if line.split(",")[1] else line
                    for line in lines[1:]]
            (folder / f"{name}_v2.csv").write_text("\n".join([lines[0], *body]) + "\n")
            vintages[name].append(f'{{ path = "{name}_v2.csv", retrieved_at = "2026-09-05" }}')
    softdev = vintages["softdev"]
    entries = [
        ("NVDA", "price", "daily", "yahoo_csv", "USD", '["ai_basket"]', '[{ path = "nvda.csv", retrieved_at = "2026-08-03" }]', ""),
        ("MSFT", "price", "daily", "yahoo_csv", "USD", '["ai_basket"]', '[{ path = "msft.csv", retrieved_at = "2026-08-03" }]', ""),
        ("NVDA.f", "fundamentals", "quarterly", "fmp_csv", "USD", "[]", '[{ path = "nvda_f.csv", retrieved_at = "2025-11-13" }]', 'ticker = "NVDA"'),
        ("MSFT.f", "fundamentals", "quarterly", "fmp_csv", "USD", "[]", '[{ path = "msft_f.csv", retrieved_at = "2025-11-13" }]', 'ticker = "MSFT"'),
        ("IHLIDXUSTPSOFTDEVE", "hiring", "daily", "fred_csv", "index_feb2020_100", '["talent_target"]', "[" + ", ".join(softdev) + "]", ""),
        ("USINFO", "hiring", "monthly", "fred_csv", "thousands", "[]", "[" + ", ".join(vintages["usinfo"]) + "]", ""),
        ("DGS10", "macro", "daily", "fred_csv", "percent", "[]", "[" + ", ".join(vintages["dgs10"]) + "]", ""),
        ("layoffs", "layoffs", "event", "layoffs_csv", "persons", "[]", '[{ path = "layoffs.csv", retrieved_at = "2026-02-01" }]', ""),
    ]
    text = '[catalog]\nname = "reliability"\nroot = "catalog"\n'
    for sid, kind, freq, adapter, unit, roles, payloads, extra in entries:
        text += (f'\n[[series]]\nid = "{sid}"\n{extra}\nkind = "{kind}"\nfrequency = "{freq}"\nadapter = "{adapter}"\n'
                 f'unit = "{unit}"\nroles = {roles}\npayloads = {payloads}\n')
    path = folder / "reliability.toml"
    path.write_text(text)
    return path


def gapcast(*args: str, home: Path, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "GAPCAST_PREFECT": "off", "GAPCAST_HOME": str(home), **(env or {})}
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], env=full_env, capture_output=True, text=True,
                          timeout=timeout)


def marts_digest(path: Path) -> dict[str, str]:
    """A digest of every mart's rows (sorted), to tell one publish from another."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts' "
                                            "ORDER BY 1").fetchall()]
        out = {}
        for table in tables:
            rows = con.execute("SELECT * FROM query_table(?)", [f"marts.{table}"]).fetchall()
            # DuckDB's parallel sums may differ in the last bit between builds: compare 12 significant digits.
            rows = [tuple(float(f"{v:.12g}") if isinstance(v, float) else v for v in row) for row in rows]
            out[table] = hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()
        return out
    finally:
        con.close()


def raw_keys(path: Path) -> set:
    con = duckdb.connect(str(path), read_only=True)
    try:
        obs = con.execute("SELECT series_id, entity, obs_date, field, retrieved_at, value FROM raw.observations").fetchall()
        events = con.execute("SELECT series_id, batch_id, row_number FROM raw.layoff_events").fetchall()
        return set(obs) | {("event",) + e for e in events}
    finally:
        con.close()


@pytest.fixture(scope="session")
def reliability_base(tmp_path_factory, data_root):
    """A home after one complete run (v1), a catalog with new work (v2), and the clean result of running v2."""
    root = tmp_path_factory.mktemp("reliability")
    v1 = write_catalog(root / "v1", data_root)
    v2 = write_catalog(root / "v2", data_root, vintage2=True)
    base = root / "base"
    done = gapcast("run", "--catalog", str(v1), "--no-report", home=base)
    assert done.returncode == 0, done.stderr
    reference = root / "reference"
    shutil.copytree(base, reference)
    done = gapcast("run", "--catalog", str(v2), "--no-report", home=reference)
    assert done.returncode == 0, done.stderr
    return {"v1": v1, "v2": v2, "base": base, "reference": reference}
