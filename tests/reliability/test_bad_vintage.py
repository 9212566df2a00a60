"""A bad vintage never freezes publishing (issue 18, class 2, first part): a price file with a 1000-fold jump, a
1e308, or the same in a price series outside the basket, is refused at ingest with the series, file and line named;
the rest is built and published (exit non-zero); the corrected file, put in its place, loads on the next run, which
exits 0 with fresh marts. Before: the basket check failed the build naming no series, the bad vintage stayed in raw,
the corrected file was skipped as bytes already loaded, and every later build failed (or, outside the basket, the
jump was published with exit 0)."""

from __future__ import annotations

import duckdb
import pytest

from tests.reliability.conftest import gapcast, write_catalog

IGV = ('\n[[series]]\nid = "IGV"\nkind = "price"\nfrequency = "daily"\nadapter = "yahoo_csv"\nunit = "USD"\n'
       'roles = ["benchmark"]\npayloads = [{ path = "igv.csv", retrieved_at = "2026-08-03" }, '
       '{ path = "igv_v2.csv", retrieved_at = "2026-09-03" }]\n')


def spoil(path, line: int, how) -> str:
    """Replace the price on ``line`` (1-based, header = 1) and return the original file text."""
    text = path.read_text()
    lines = text.splitlines()
    day, price = lines[line - 1].split(",")
    lines[line - 1] = f"{day},{how(float(price))}"
    path.write_text("\n".join(lines) + "\n")
    return text


def published_rows(home, sql: str):
    con = duckdb.connect(str(home / "analytics.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("series, file, how", [
    ("NVDA", "nvda_v2.csv", lambda p: p * 1000),
    ("NVDA", "nvda_v2.csv", lambda p: "1e308"),
    ("IGV", "igv_v2.csv", lambda p: p * 1000),  # a benchmark, outside the basket's checks
])
def test_a_bad_price_vintage_is_refused_and_its_correction_loads(tmp_path, data_root, series, file, how):
    catalog = write_catalog(tmp_path / "cat", data_root)
    folder = tmp_path / "cat"
    lines = (data_root / "prices_adjclose" / "IGV.csv").read_text().splitlines()
    (folder / "igv.csv").write_text("\n".join(lines[:301]) + "\n")
    base = catalog.read_text()
    catalog.write_text(base + IGV.replace(', { path = "igv_v2.csv", retrieved_at = "2026-09-03" }', ""))
    home = tmp_path / "home"
    first = gapcast("run", "--catalog", str(catalog), "--no-report", home=home)  # the first vintages only
    assert first.returncode == 0, first.stderr[-2000:]
    # A second vintage of each arrives; one of them is spoiled.
    (folder / "igv_v2.csv").write_text("\n".join(lines[:401]) + "\n")
    nvda = (data_root / "prices_adjclose" / "NVDA.csv").read_text().splitlines()
    (folder / "nvda_v2.csv").write_text("\n".join(nvda[:501]) + "\n")  # 100 more days than the first
    catalog.write_text(base.replace('[{ path = "nvda.csv", retrieved_at = "2026-08-03" }]',
                                    '[{ path = "nvda.csv", retrieved_at = "2026-08-03" }, '
                                    '{ path = "nvda_v2.csv", retrieved_at = "2026-09-03" }]') + IGV)
    good = spoil(folder / file, 250, how)
    bad = gapcast("run", "--catalog", str(catalog), "--no-report", home=home)
    assert bad.returncode != 0
    assert series in bad.stderr and file in bad.stderr and "line 250" in bad.stderr, bad.stderr[-1500:]
    assert ("-fold in one step" in bad.stderr) or ("implausibly large" in bad.stderr)
    assert published_rows(home, "SELECT count(*) FROM marts.prices_daily")[0][0] > 0  # the rest was published
    (folder / file).write_text(good)  # the corrected file, at the same path and vintage
    fixed = gapcast("run", "--catalog", str(catalog), "--no-report", home=home)
    assert fixed.returncode == 0, fixed.stderr[-2000:]
    con = duckdb.connect(str(home / "gapcast.duckdb"), read_only=True)
    try:
        vintages = con.execute("SELECT count(DISTINCT retrieved_at) FROM raw.observations WHERE series_id = ?",
                               [series]).fetchall()[0][0]
    finally:
        con.close()
    assert vintages == 2  # the corrected second vintage landed beside the first
