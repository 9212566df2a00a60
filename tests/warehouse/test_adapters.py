"""Each file adapter on the real files: values checked against the files and published figures."""

from __future__ import annotations

from datetime import date, datetime
from types import MappingProxyType

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
             "funding_rounds_csv", "epoch_ai_companies", "conceptstocks_income", "conceptstocks_segments"}
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
    excerpt = parse(data_root, "fred_csv", "indeed_hiring_lab/hiring_softdev_2026_excerpt.csv")
    assert value(excerpt, "2026-09-04") == pytest.approx(76.12)
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
