"""Catalog parsing: the bundled catalogs, and refusals that name the file and the entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import make_settings
from warehouse.catalog import CatalogError, load_catalog

BASKET = {"NVDA", "MSFT", "GOOGL", "META", "AMZN", "AMD", "AVGO", "TSM", "ORCL", "PLTR", "SMCI"}
BENCHMARKS = {"SPY", "QQQ", "SOXX", "SMH", "IGV"}


def test_snapshot_catalog_covers_the_real_files(data_root, tmp_path):
    catalog = load_catalog("snapshot", make_settings(tmp_path, data_root=data_root))
    used = {p.path.resolve() for s in catalog.series for p in s.payloads}
    must_cover = (
        list((data_root / "prices_adjclose").glob("*.csv"))
        + list((data_root / "fundamentals_quarterly").glob("*.csv"))
        + [data_root / "indeed_hiring_lab" / n for n in
           ("aggregate_job_postings_US.csv", "IHLIDXUSTPSOFTDEVE.csv", "job_postings_by_sector_US.csv",
            "job-postings-sector-index.csv")]
        + [data_root / "indeed_softdev_full" / "hiring.csv"]
        + list((data_root / "indeed_vintages" / "aggregate_US").glob("*.csv"))
        + list((data_root / "indeed_vintages" / "sector_US").glob("*.csv"))
        + list((data_root / "fred").glob("*.csv"))
        + list((data_root / "fred_vintages_liberalmarkets").glob("*.csv"))
        + [data_root / "layoffs_databyab" / "layoffs.csv", data_root / "layoffs_datainsider" / "layoffs.csv"]
        + [data_root / "owid_ai" / "private-investment-in-artificial-intelligence.csv",
           data_root / "owid_ai" / "share-artificial-intelligence-job-postings.csv"]
    )
    missing = sorted(str(p.relative_to(data_root)) for p in must_cover if p.resolve() not in used)
    assert missing == []
    # the 2026 excerpt is superseded by the full file it was cut from (PROVENANCE.md)
    assert (data_root / "indeed_hiring_lab" / "hiring_softdev_2026_excerpt.csv").resolve() not in used
    by_id = {s.id: s for s in catalog.series}
    counts = {sid: len(by_id[sid].payloads) for sid in
              ("IHLIDXUSTPSOFTDEVE", "indeed_us_total", "indeed_us_new", "USINFO", "PAYEMS")}
    assert counts == {"IHLIDXUSTPSOFTDEVE": 5, "indeed_us_total": 24, "indeed_us_new": 24, "USINFO": 10, "PAYEMS": 10}
    for sid in counts:  # a vintage's retrieved_at is the date in its file name
        for p in by_id[sid].payloads:
            if "_vintage_" in p.path.name:
                assert p.retrieved_at.date().isoformat() == p.path.name.split("_vintage_")[1][:10], p.path
    prices = {s.id for s in catalog.series if s.kind == "price"}
    tickers = {p.stem for p in (data_root / "prices_adjclose").glob("*.csv")}
    assert tickers - {"^TNX", "^IRX"} <= prices
    assert {s.id for s in catalog.series if s.kind == "macro"} >= {"^TNX", "^IRX"}
    assert {s.id for s in catalog.with_role("ai_basket")} == BASKET
    assert {s.id for s in catalog.with_role("benchmark")} == BENCHMARKS
    assert {s.symbol for s in catalog.with_role("hyperscaler") if s.kind == "price"} == {
        "MSFT", "GOOGL", "META", "AMZN", "ORCL"}
    assert {s.id for s in catalog.with_role("talent_target")} >= {"IHLIDXUSTPSOFTDEVE", "JTU5100JOL", "CES6054150001"}
    assert not catalog.synthetic


def test_sample_catalog_is_synthetic(tmp_path):
    catalog = load_catalog("sample", make_settings(tmp_path))
    assert catalog.synthetic and all(s.synthetic for s in catalog.series)
    assert catalog.sample_end_month == "2026-10"
    assert {p.retrieved_at.date().isoformat() for s in catalog.series for p in s.payloads} == {"2026-11-05"}


def test_live_catalog_uses_only_live_adapters_this_version_has(tmp_path):
    catalog = load_catalog("live", make_settings(tmp_path))
    assert {s.adapter for s in catalog.series} == {"yfinance", "sec_companyfacts", "sec_form_d", "fred",
                                                   "indeed_tracker", "owid_grapher", "layoffs_url"}
    assert {s.id for s in catalog.with_role("ai_basket")} == BASKET
    assert {s.id for s in catalog.with_role("talent_target")} >= {"IHLIDXUSTPSOFTDEVE", "JTU5100JOL", "CES6054150001"}


GOOD_ENTRY = """
[[series]]
id = "X"
kind = "macro"
frequency = "monthly"
adapter = "fred_csv"
unit = "percent"
payloads = [{ path = "x.csv" }]
"""


def write_catalog(tmp_path: Path, body: str) -> Path:
    (tmp_path / "x.csv").write_text("date,value\n2020-01-01,1\n")
    path = tmp_path / "bad.toml"
    path.write_text('[catalog]\nname = "t"\nroot = "catalog"\n' + body)
    return path


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (GOOD_ENTRY.replace('unit = "percent"', 'unit = "percent"\ncolour = "red"'), "unknown key(s) ['colour']"),
        (GOOD_ENTRY + GOOD_ENTRY, "duplicate id 'X' (entry 1 is 'X'; ids are compared ignoring case)"),
        (GOOD_ENTRY.replace("fred_csv", "carrier_pigeon"), "unknown adapter 'carrier_pigeon'"),
        (GOOD_ENTRY.replace("x.csv", "nowhere.csv"), "file not found"),
        (GOOD_ENTRY.replace('kind = "macro"', 'kind = "weather"'), "kind = 'weather' is not one of"),
        (GOOD_ENTRY.replace('unit = "percent"', 'unit = "percent"\nparams = { colum = "v" }'),
         "unknown param(s) ['colum'] for adapter fred_csv"),
        (GOOD_ENTRY.replace('unit = "percent"', 'unit = "percent"\nroles = ["oracle"]'), "unknown role(s) ['oracle']"),
        (GOOD_ENTRY.replace('[{ path = "x.csv" }]', '[{ path = "x.csv", retrieved_at = "last tuesday" }]'),
         "retrieved_at 'last tuesday' is not a date"),
    ],
)
def test_bad_catalog_is_refused_naming_file_and_entry(tmp_path, body, expected):
    path = write_catalog(tmp_path, body)
    with pytest.raises(CatalogError) as err:
        load_catalog(str(path), make_settings(tmp_path / "home"))
    message = str(err.value)
    assert str(path) in message
    assert "series 'X'" in message
    assert expected in message
    assert "To fix:" in message


def test_unknown_top_level_key_and_bad_toml(tmp_path):
    path = write_catalog(tmp_path, GOOD_ENTRY + "\n[extras]\na = 1\n")
    with pytest.raises(CatalogError, match=r"top level: unknown key\(s\) \['extras'\]"):
        load_catalog(str(path), make_settings(tmp_path / "home"))
    path.write_text("[catalog\n")
    with pytest.raises(CatalogError, match="not valid TOML"):
        load_catalog(str(path), make_settings(tmp_path / "home"))


def test_unknown_bundled_name_lists_the_bundled_ones(tmp_path):
    with pytest.raises(CatalogError, match="bundled: live, sample, snapshot"):
        load_catalog("snapshots", make_settings(tmp_path))
