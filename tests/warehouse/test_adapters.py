"""Each file adapter on the real files: values checked against the files and published figures."""

from __future__ import annotations

from datetime import date, datetime
from types import MappingProxyType

import pandas as pd
import pytest

from warehouse.catalog import SeriesSpec
from warehouse.sources import ADAPTERS, adapter_for
from warehouse.sources.base import Query


def parse(data_root, adapter: str, path: str, *, series_id="S", unit="", params=None, retrieved="2026-11-01",
          kind="macro", ticker=""):
    series = SeriesSpec(id=series_id, kind=kind, adapter=adapter, frequency="daily", unit=unit,
                        params=MappingProxyType(params or {}), ticker=ticker)
    full = data_root / path
    query = Query(series=series, location=str(full), params=dict(params or {}),
                  retrieved_at=datetime.fromisoformat(retrieved))
    records = adapter_for(adapter).parse(adapter_for(adapter).fetch(query))
    return records


def value(records, obs_date, field="value", entity=""):
    frame = records.frame
    hit = frame[(frame["obs_date"] == date.fromisoformat(obs_date)) & (frame["field"] == field)
                & (frame["entity"] == entity)]
    assert len(hit) == 1, (obs_date, field, entity, len(hit))
    return float(hit["value"].iloc[0])


def test_every_adapter_declares_a_name_and_its_params():
    files = {"yahoo_csv", "fred_csv", "indeed_csv", "fmp_csv", "layoffs_csv", "owid_csv", "epoch_csv",
             "funding_rounds_csv", "epoch_ai_companies", "conceptstocks_income", "conceptstocks_segments",
             "epoch_eci", "metr_yaml", "swebench_json", "epoch_benchmarks", "owid_progress"}
    live = {"yfinance", "fred", "sec_companyfacts", "sec_form_d", "indeed_tracker", "owid_grapher", "layoffs_url"}
    assert set(ADAPTERS) == files | live
    assert {name for name, cls in ADAPTERS.items() if cls.live} == live
    for name, cls in ADAPTERS.items():
        assert cls.name == name and isinstance(cls.params_doc, dict)
    for name in live:
        assert ADAPTERS[name].about, name


def test_yahoo_close_csv(data_root):
    records = parse(data_root, "yahoo_csv", "prices_adjclose/NVDA.csv", series_id="NVDA", unit="USD", kind="price")
    assert value(records, "2026-08-03", "adj_close") == pytest.approx(207.03509521484375)
    assert set(records.frame["field"]) == {"adj_close"}
    assert records.frame["obs_date"].min() == date(1999, 1, 22)


def test_yahoo_history_csv_with_splits_and_time_zone(data_root):
    records = parse(data_root, "yahoo_csv", "prices_ohlcv_to2024/NVDA.csv", series_id="NVDA", unit="USD",
                    kind="price", retrieved="2024-12-08")
    # "2024-06-10 00:00:00-04:00" is the exchange's local date 2024-06-10.
    assert value(records, "2024-06-10", "split_ratio") == 10.0
    assert value(records, "2021-07-20", "split_ratio") == 4.0
    assert value(records, "2024-12-06", "adj_close") == pytest.approx(142.44000244140625)
    assert value(records, "2024-12-06", "volume") == 187969300
    assert set(records.frame["field"]) == {"open", "high", "low", "adj_close", "volume", "dividends", "split_ratio"}


def test_yahoo_yield_may_be_zero_or_negative(data_root):
    records = parse(data_root, "yahoo_csv", "prices_adjclose/^IRX.csv", series_id="^IRX", unit="percent")
    assert (records.frame["value"] <= 0).sum() == 7  # the 2020-21 days NOTES.md warns about


def test_fred_both_forms_and_missing_values(data_root):
    usinfo = parse(data_root, "fred_csv", "fred/USINFO.csv")
    assert value(usinfo, "1970-01-01") == 2064 and value(usinfo, "2026-07-01") == 2780
    ces = parse(data_root, "fred_csv", "fred/CES6054150001.csv")
    assert value(ces, "2026-08-01") == pytest.approx(2362.7)
    vix = parse(data_root, "fred_csv", "fred/VIXCLS.csv")
    blanks = sum(1 for line in (data_root / "fred/VIXCLS.csv").read_text().splitlines()[1:] if line.endswith(","))
    assert blanks > 0 and vix.skipped_missing == blanks
    assert len(vix.frame) == 9391 - blanks
    hiring = parse(data_root, "fred_csv", "indeed_softdev_full/hiring.csv")
    assert value(hiring, "2026-09-04") == pytest.approx(76.12)
    jolts = parse(data_root, "fred_csv", "fred/JTU5100JOL_Information_Technology.csv", params={"scale": 1.3})
    assert value(jolts, "2000-12-01") == pytest.approx(130.0)  # index 100 x 1.30 = 130 thousand


@pytest.mark.parametrize(
    ("path", "params", "obs_date", "expected"),
    [
        ("indeed_hiring_lab/aggregate_job_postings_US.csv", {"variable": "total postings"}, "2020-02-02", 100.03),
        ("indeed_hiring_lab/aggregate_job_postings_US.csv", {"variable": "new postings"}, "2026-08-14", 97.19),
        ("indeed_hiring_lab/job_postings_by_sector_US.csv", {"sector": "Accounting"}, "2020-02-02", 99.85),
        ("indeed_hiring_lab/job-postings-sector-index.csv", {"sector_code": "techsoftware"}, "2026-02-20", 73.47),
    ],
)
def test_indeed_layouts(data_root, path, params, obs_date, expected):
    records = parse(data_root, "indeed_csv", path, params=params, unit="index_feb2020_100")
    assert value(records, obs_date) == pytest.approx(expected)
    assert value(records, "2020-02-01") == pytest.approx(100)


AGGREGATE = "indeed_vintages/aggregate_US/aggregate_job_postings_US_vintage_{}.csv"
SECTOR = "indeed_vintages/sector_US/job_postings_by_sector_US_vintage_{}.csv"


def aggregate(data_root, vintage: str, variable: str = "total postings"):
    name = next((data_root / AGGREGATE.format("x")).parent.glob(f"*_vintage_{vintage}_*.csv")).name
    return parse(data_root, "indeed_csv", f"indeed_vintages/aggregate_US/{name}", params={"variable": variable},
                 unit="index_feb2020_100", retrieved=vintage, kind="hiring")


@pytest.mark.parametrize(
    ("vintage", "expected"),
    # PROVENANCE.md: total postings SA for 2023-06-01 in five vintages (the 2025-01 one has the new SA method).
    [("2023-07-04", 130.39), ("2024-04-11", 130.62), ("2025-01-15", 133.33), ("2026-01-12", 134.55),
     ("2026-04-02", 133.70)],
)
def test_indeed_aggregate_index_schema_vintages(data_root, vintage, expected):
    records = aggregate(data_root, vintage)
    assert value(records, "2023-06-01") == pytest.approx(expected)
    assert set(records.frame["field"]) == {"value", "value_nsa"}


def test_indeed_aggregate_rows_need_not_be_date_sorted(data_root):
    path = data_root / AGGREGATE.format("2026-07-01_b28323c5")
    first = path.read_text().splitlines()[1]
    assert first.startswith("2024-11-27,US,") and first.endswith(",new postings")  # not sorted by date
    total, new = aggregate(data_root, "2026-07-01"), aggregate(data_root, "2026-07-01", "new postings")
    for records in (total, new):
        frame = records.frame
        assert frame["obs_date"].min() == date(2020, 2, 1) and frame["obs_date"].max() == date(2026, 6, 26)
        assert frame.groupby("field")["obs_date"].nunique().to_dict() == {"value": 2338, "value_nsa": 2338}
    assert value(new, "2024-11-27") == pytest.approx(120.9) and value(new, "2024-11-27", "value_nsa") == 108.17


def test_indeed_aggregate_pct_change_schemas_are_read_as_the_index(data_root):
    """The 2022-07..2022-10 files give % changes since 1 Feb 2020, SA and NSA: read as 100 + change, the same
    scale as the index the 2023-01 file gives (revisions between the two vintages are small)."""
    b = aggregate(data_root, "2022-10-05")
    assert value(b, "2021-06-01") == pytest.approx(128.29) and value(b, "2021-06-01", "value_nsa") == 137.48
    assert value(b, "2020-02-01") == 100 and value(b, "2020-02-01", "value_nsa") == 100
    c = aggregate(data_root, "2023-01-05")
    for field in ("value", "value_nsa"):
        old = b.frame[b.frame["field"] == field].set_index("obs_date")["value"]
        new = c.frame[c.frame["field"] == field].set_index("obs_date")["value"]
        gap = (new - old).dropna()
        # 973 days less 2020-, 2021- and 2022-08-31, which the 2023-01 file alone leaves out
        assert len(gap) == 970 and abs(gap.mean()) < 0.2 and gap.abs().max() < 2  # not 100 apart, not x100


def test_indeed_aggregate_first_schema_is_the_seasonally_adjusted_pct_change(data_root):
    """To 2022-04 the file has one column, pct_chng_feb_1: in percent points, and seasonally adjusted -- it is
    the 2022-07 file's SA column to within revisions (mean gap 0.01), far from its NSA one (mean gap 7)."""
    a = aggregate(data_root, "2022-04-06")
    assert set(a.frame["field"]) == {"value"}
    assert value(a, "2021-06-01") == pytest.approx(128.3)  # "28.3" in the file
    b = aggregate(data_root, "2022-07-06")
    old = a.frame.set_index("obs_date")["value"]
    for field, bound in (("value", 0.05), ("value_nsa", None)):
        later = b.frame[b.frame["field"] == field].set_index("obs_date")["value"]
        gap = (later - old).dropna().abs()
        assert len(gap) == 791
        assert gap.mean() < bound if bound else gap.mean() > 3
    first = aggregate(data_root, "2021-02-04", "new postings")
    assert len(first.frame) == 364 and first.frame["obs_date"].max() == date(2021, 1, 29)


@pytest.mark.parametrize(
    ("path", "retrieved", "expected", "days"),
    # PROVENANCE.md: Software Development on 2022-09-30 in the three by-sector vintages (2022 as 67.51 % change).
    [(SECTOR.format("2022-10-05_b27a2b96"), "2022-10-05", 167.51, 973),
     (SECTOR.format("2023-10-03_40edb26c"), "2023-10-03", 166.28, 1337),
     ("indeed_hiring_lab/job_postings_by_sector_US.csv", "2024-10-03", 166.88, 1701)],
)
def test_indeed_sector_vintages(data_root, path, retrieved, expected, days):
    records = parse(data_root, "indeed_csv", path, params={"sector": "Software Development"},
                    unit="index_feb2020_100", retrieved=retrieved, kind="hiring")
    assert value(records, "2022-09-30") == pytest.approx(expected)
    assert value(records, "2020-02-01") == 100
    assert len(records.frame) == days and set(records.frame["field"]) == {"value"}


@pytest.mark.parametrize(
    ("path", "retrieved", "last", "expected"),
    [("indeed_hiring_lab/IHLIDXUSTPSOFTDEVE.csv", "2026-04-09", "2026-03-27", None),
     ("indeed_softdev_full/hiring.csv", "2026-09-05", "2026-09-04", 76.12)],
)
def test_indeed_reads_the_two_column_software_series(data_root, path, retrieved, last, expected):
    """FRED's observation_date,IHLIDXUSTPSOFTDEVE and hiring.csv's date,hiring_index: the same index as the
    by-sector files, so one adapter reads every vintage (a catalog's sector parameter does not get in the way)."""
    records = parse(data_root, "indeed_csv", path, params={"sector": "Software Development"},
                    unit="index_feb2020_100", retrieved=retrieved, kind="hiring")
    assert records.frame["obs_date"].max() == date.fromisoformat(last)
    assert value(records, "2022-09-30") == pytest.approx(168.4, abs=0.02)
    if expected:
        assert value(records, last) == pytest.approx(expected)


def test_the_portal_export_is_another_adjustment_not_a_vintage(data_root):
    """The data-portal's techsoftware series against FRED's copy of the same months: a seasonal pattern that
    recurs every year (January below, March above) -- not a revision, so the catalog keeps it apart."""
    portal = parse(data_root, "indeed_csv", "indeed_hiring_lab/job-postings-sector-index.csv",
                   params={"sector_code": "techsoftware"}).frame.set_index("obs_date")["value"]
    fred = parse(data_root, "indeed_csv", "indeed_hiring_lab/IHLIDXUSTPSOFTDEVE.csv").frame.set_index(
        "obs_date")["value"]
    ratio = (portal / fred).dropna()
    assert len(ratio) == 2212
    index = pd.to_datetime(pd.Series(ratio.index))
    by_month = ratio.groupby([index.dt.year.to_numpy(), index.dt.month.to_numpy()]).mean() - 1
    for year in range(2021, 2026):
        assert by_month[(year, 1)] < -0.005 and by_month[(year, 3)] > 0.01, year


def test_indeed_unknown_sector_lists_what_exists(data_root):
    from warehouse.sources.base import PayloadError

    with pytest.raises(PayloadError, match="no rows with display_name = 'Sofware Development'.*Accounting"):
        parse(data_root, "indeed_csv", "indeed_hiring_lab/job_postings_by_sector_US.csv",
              params={"sector": "Sofware Development"})


@pytest.mark.parametrize(
    ("ticker", "period_end", "capex_bn"),
    # PROVENANCE.md: capex = capexPerShare x weighted shares matches reported cash capex for these quarters.
    [("AMZN", "2025-03-31", 25.0), ("GOOGL", "2025-03-31", 17.2), ("MSFT", "2025-03-31", 16.7),
     ("META", "2025-03-31", 12.9)],
)
def test_fmp_capex_matches_reported_cash_capex(data_root, ticker, period_end, capex_bn):
    records = parse(data_root, "fmp_csv", f"fundamentals_quarterly/{ticker}.csv", series_id=f"{ticker}.f",
                    ticker=ticker, kind="fundamentals")
    assert value(records, period_end, "capex") / 1e9 == pytest.approx(capex_bn, abs=0.05)


def test_fmp_revenue_currency_and_filing_date(data_root):
    nvda = parse(data_root, "fmp_csv", "fundamentals_quarterly/NVDA.csv", series_id="NVDA.f", ticker="NVDA")
    assert value(nvda, "2025-01-26", "revenue") == 39_331_000_000
    row = nvda.frame[(nvda.frame["field"] == "revenue") & (nvda.frame["obs_date"] == date(2025, 1, 26))]
    assert row["unit"].iloc[0] == "USD" and row["published_at"].iloc[0] == date(2025, 2, 26)
    tsm = parse(data_root, "fmp_csv", "fundamentals_quarterly/TSM.csv", series_id="TSM.f", ticker="TSM")
    assert set(tsm.frame.loc[tsm.frame["field"] == "revenue", "unit"]) == {"TWD"}
    assert value(tsm, "2025-03-31", "revenue") == 839_254_000_000


def test_fmp_refuses_another_symbols_file(data_root):
    from warehouse.sources.base import PayloadError

    with pytest.raises(PayloadError, match="row is for symbol 'NVDA', not 'AMD'"):
        parse(data_root, "fmp_csv", "fundamentals_quarterly/NVDA.csv", series_id="AMD.f", ticker="AMD")


def test_layoffs_both_layouts(data_root):
    full = parse(data_root, "layoffs_csv", "layoffs_databyab/layoffs.csv", retrieved="2026-02-01")
    assert len(full.frame) == 4277
    amazon = full.frame[(full.frame["company"] == "Amazon") & (full.frame["event_date"] == date(2026, 1, 28))]
    assert amazon["laid_off"].tolist() == [16000.0] and amazon["funds_raised_musd"].tolist() == [8100.0]
    short = parse(data_root, "layoffs_csv", "layoffs_datainsider/layoffs.csv", retrieved="2026-04-09")
    oracle = short.frame[(short.frame["company"] == "Oracle") & (short.frame["event_date"] == date(2026, 3, 31))]
    assert oracle["laid_off"].tolist() == [30000.0] and oracle["location"].tolist() == ["SF Bay Area"]
    assert short.frame["country"].isna().all()


def test_owid_entities_and_years(data_root):
    records = parse(data_root, "owid_csv", "owid_ai/private-investment-in-artificial-intelligence.csv")
    assert value(records, "2024-01-01", entity="World") == 130_255_020_381
    assert set(records.frame["entity"]) == {"China", "Europe", "United States", "World"}
    share = parse(data_root, "owid_csv", "owid_ai/share-artificial-intelligence-job-postings.csv",
                  params={"entities": ["United States"]})
    assert value(share, "2024-01-01", entity="United States") == pytest.approx(1.79)


def test_epoch_models(data_root):
    records = parse(data_root, "epoch_csv", "epoch_ai/notable_ai_models.csv", retrieved="2025-04-18",
                    params={"date_column": "Publication date", "entity_column": "Model",
                            "fields": {"training_compute_flop": "Training compute (FLOP)"}})
    assert value(records, "2025-03-16", "training_compute_flop", entity="EXAONE Deep 32B") == pytest.approx(1.26e24)
    import csv

    with open(data_root / "epoch_ai/notable_ai_models.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with_compute = [r for r in rows if r["Training compute (FLOP)"].strip() and r["Publication date"].strip()]
    # PROVENANCE.md: 924 rows, 468 with compute; one of those (Llama 4 Behemoth) has no date and is skipped.
    assert len(records.frame) == len(with_compute) == 467


def _payload(tmp_path, adapter, text, unit="USD", kind="price"):
    path = tmp_path / "f.csv"
    path.write_text(text)
    series = SeriesSpec(id="S", kind=kind, adapter=adapter, frequency="daily", unit=unit)
    query = Query(series=series, location=str(path), params={}, retrieved_at=datetime(2026, 11, 1))
    return adapter_for(adapter), adapter_for(adapter).fetch(query)


@pytest.mark.parametrize(
    ("adapter", "text", "problem"),
    [
        ("fred_csv", "date,value\n2020-01-01,4,07\n", "field(s)"),  # a decimal comma splits the row
        ("fred_csv", 'date,value\n2020-01-01,"4,07"\n', "non-numeric value '4,07'"),
        ("fred_csv", "date,value\n2015-01-02junk,1\n", "not a date"),
        ("fred_csv", "date,value\n0202-06-26,1\n", "before 1800-01-01"),
        ("yahoo_csv", "Date,Close,Volume\n2020-01-02,10,-5\n", "volume -5.0 on 2020-01-02 is negative"),
        ("fred_csv", "\ufeff", "the file is empty"),
        ("fred_csv", "date,value,value\n2020-01-01,1,2\n", "names column(s) ['value'] more than once"),
    ],
)
def test_malformed_values_are_refused_with_the_line(tmp_path, adapter, text, problem):
    from warehouse.sources.base import PayloadError

    parser, payload = _payload(tmp_path, adapter, text)
    with pytest.raises(PayloadError) as err:
        parser.parse(payload)
    assert problem in str(err.value)


def test_thousands_separators_in_their_place_are_read(tmp_path):
    parser, payload = _payload(tmp_path, "fred_csv", 'date,value\n2020-01-01,"1,200.5"\n2020-02-01," 12,345"\n')
    records = parser.parse(payload)
    assert records.frame["value"].tolist() == [1200.5, 12345.0]
