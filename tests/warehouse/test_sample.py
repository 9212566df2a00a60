"""Tests for the synthetic sample generator (warehouse.sample)."""

from __future__ import annotations

import dataclasses
import time
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from warehouse.sample import AI_BASKET, BENCHMARKS, SampleManifest, generate_sample

END_MONTH = "2026-10"
LAST_TRADING_DAY = "2026-10-30"  # 2026-10-31 is a Saturday

FUNDAMENTAL_HEADER = [
    "date", "symbol", "reportedCurrency", "cik", "fillingDate", "acceptedDate", "calendarYear",
    "period", "revenue", "costOfRevenue", "grossProfit", "operatingIncome", "netIncome", "eps",
    "weightedAverageShsOut", "weightedAverageShsOutDil", "marketCap", "priceToSalesRatio",
    "capexPerShare",
]  # fmt: skip

EXPECTED_HEADERS: dict[str, list[str]] = {
    **{f"prices_adjclose/{t}.csv": ["Date", "Close"] for t in (*AI_BASKET, *BENCHMARKS, "^TNX")},
    "prices_ohlcv_to2024/NVDA.csv": [
        "Date", "Open", "High", "Low", "Close", "Volume", "Dividends", "Stock Splits",
    ],
    **{f"fundamentals_quarterly/{t}.csv": FUNDAMENTAL_HEADER for t in AI_BASKET},
    "fred/USINFO.csv": ["date", "value"],
    "fred/PAYEMS.csv": ["date", "value"],
    "fred/UNRATE.csv": ["date", "value"],
    "fred/FEDFUNDS.csv": ["date", "value"],
    "fred/CES6054150001.csv": ["observation_date", "CES6054150001"],
    "fred/JTU5100JOL_Information_Technology.csv": ["observation_date", "JTU5100JOL_NBD20001201"],
    "fred/DGS10.csv": ["date", "DGS10"],
    "fred/VIXCLS.csv": ["date", "value"],
    "indeed_hiring_lab/aggregate_job_postings_US.csv": [
        "date", "jobcountry", "indeed_job_postings_index_SA", "indeed_job_postings_index_NSA",
        "variable",
    ],
    "indeed_hiring_lab/job_postings_by_sector_US.csv": [
        "date", "jobcountry", "indeed_job_postings_index", "variable", "display_name",
    ],
    "indeed_hiring_lab/IHLIDXUSTPSOFTDEVE.csv": ["observation_date", "IHLIDXUSTPSOFTDEVE"],
    "layoffs_databyab/layoffs.csv": [
        "company", "location", "total_laid_off", "date", "percentage_laid_off", "industry",
        "source", "stage", "funds_raised", "country", "date_added",
    ],
    "owid_ai/private-investment-in-artificial-intelligence.csv": [
        "Entity", "Code", "Year", "Global total private investment in AI",
    ],
}  # fmt: skip


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> SampleManifest:
    return generate_sample(tmp_path_factory.mktemp("sample"), end_month=END_MONTH)


def _read(manifest: SampleManifest, rel: str, **kwargs) -> pd.DataFrame:
    return pd.read_csv(manifest.out_dir / rel, **kwargs)


def _all_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_manifest(sample: SampleManifest) -> None:
    assert sample.end_month == END_MONTH
    assert sample.seed == 20151
    assert sample.retrieved_at == date(2026, 11, 5)
    assert set(sample.files) == set(EXPECTED_HEADERS)
    assert list(sample.files) == sorted(sample.files)
    with pytest.raises(dataclasses.FrozenInstanceError):
        sample.seed = 1  # type: ignore[misc]


def test_synthetic_readme(sample: SampleManifest) -> None:
    text = (sample.out_dir / "SYNTHETIC.md").read_text()
    assert "SYNTHETIC" in text and "20151" in text and END_MONTH in text


def test_deterministic_byte_identical(tmp_path: Path) -> None:
    first = generate_sample(tmp_path / "a", end_month=END_MONTH, seed=7)
    second = generate_sample(tmp_path / "b", end_month=END_MONTH, seed=7)
    assert first.files == second.files
    a, b = _all_bytes(first.out_dir), _all_bytes(second.out_dir)
    assert a.keys() == b.keys() and len(a) == len(first.files) + 1  # + SYNTHETIC.md
    assert [k for k in a if a[k] != b[k]] == []


def test_rerun_into_same_dir_overwrites(tmp_path: Path) -> None:
    generate_sample(tmp_path, end_month="2016-06", seed=3)
    before = _all_bytes(tmp_path)
    generate_sample(tmp_path, end_month="2016-06", seed=4)
    generate_sample(tmp_path, end_month="2016-06", seed=3)
    assert _all_bytes(tmp_path) == before


def test_other_seed_differs(sample: SampleManifest, tmp_path: Path) -> None:
    other = generate_sample(tmp_path, end_month=END_MONTH, seed=1)
    rel = "prices_adjclose/NVDA.csv"
    assert (other.out_dir / rel).read_bytes() != (sample.out_dir / rel).read_bytes()


def test_generation_is_fast(tmp_path: Path) -> None:
    started = time.perf_counter()
    generate_sample(tmp_path, end_month=END_MONTH)
    assert time.perf_counter() - started < 3.0


@pytest.mark.parametrize("rel", sorted(EXPECTED_HEADERS))
def test_file_exists_and_parses_with_header(sample: SampleManifest, rel: str) -> None:
    path = sample.out_dir / rel
    assert path.is_file()
    raw = path.read_bytes()
    assert b"\r" not in raw and raw.endswith(b"\n")
    frame = pd.read_csv(path)
    assert list(frame.columns) == EXPECTED_HEADERS[rel]
    assert len(frame) > 0


def test_prices_business_days_positive_and_end_in_month(sample: SampleManifest) -> None:
    for ticker in (*AI_BASKET, *BENCHMARKS):
        frame = _read(sample, f"prices_adjclose/{ticker}.csv", parse_dates=["Date"])
        assert frame["Date"].iloc[0] == pd.Timestamp("2015-01-02")
        assert frame["Date"].iloc[-1] == pd.Timestamp(LAST_TRADING_DAY)
        assert frame["Date"].is_monotonic_increasing and frame["Date"].is_unique
        assert (frame["Date"].dt.day_of_week < 5).all()
        assert (frame["Close"] > 0).all()
    text = (sample.out_dir / "prices_adjclose/NVDA.csv").read_text().splitlines()
    assert len(text[1].split(",")[1]) > 10  # full float precision, like yfinance output


def test_tnx_is_a_plausible_yield(sample: SampleManifest) -> None:
    tnx = _read(sample, "prices_adjclose/^TNX.csv")
    assert tnx["Close"].between(0.5, 6.0).all()
    dgs10 = _read(sample, "fred/DGS10.csv")
    assert dgs10["date"].iloc[-1] == LAST_TRADING_DAY
    assert dgs10["DGS10"].between(0.5, 6.0).all()


def test_nvda_ohlcv_splits_dividends_and_timezone(sample: SampleManifest) -> None:
    frame = _read(sample, "prices_ohlcv_to2024/NVDA.csv")
    splits = frame.loc[frame["Stock Splits"] != 0, ["Date", "Stock Splits"]]
    assert splits.values.tolist() == [
        ["2021-07-20 00:00:00-04:00", 4.0],
        ["2024-06-10 00:00:00-04:00", 10.0],
    ]
    assert frame["Date"].iloc[0] == "2015-01-02 00:00:00-05:00"
    assert frame["Date"].iloc[-1].startswith("2024-11-")
    assert frame["Date"].str.fullmatch(r"\d{4}-\d{2}-\d{2} 00:00:00-0[45]:00").all()
    dividends = frame.loc[frame["Dividends"] != 0, "Dividends"]
    assert 30 <= len(dividends) <= 45 and dividends.between(0.001, 0.02).all()
    assert (frame["High"] >= frame[["Open", "Close"]].max(axis=1)).all()
    assert (frame["Low"] <= frame[["Open", "Close"]].min(axis=1)).all()
    # same close path as the adjusted-close file
    adj = _read(sample, "prices_adjclose/NVDA.csv", dtype=str)
    ohlcv = _read(sample, "prices_ohlcv_to2024/NVDA.csv", dtype=str)
    merged = ohlcv.assign(Date=ohlcv["Date"].str[:10]).merge(adj, on="Date", suffixes=("", "_adj"))
    assert len(merged) == len(ohlcv)
    assert (merged["Close"] == merged["Close_adj"]).all()


def test_fundamentals_layout(sample: SampleManifest) -> None:
    for ticker in AI_BASKET:
        frame = _read(sample, f"fundamentals_quarterly/{ticker}.csv")
        dates = pd.to_datetime(frame["date"])
        filed = pd.to_datetime(frame["fillingDate"])
        assert dates.is_monotonic_decreasing  # newest first
        assert dates.iloc[-1] == pd.Timestamp("2015-03-31")
        assert dates.iloc[0] == pd.Timestamp("2026-06-30")
        assert ((filed - dates).dt.days.between(30, 45)).all()
        assert filed.max() <= pd.Timestamp(sample.retrieved_at)
        assert (frame["acceptedDate"] == frame["fillingDate"] + " 16:30:00").all()
        assert (frame["period"] == "Q" + dates.dt.quarter.astype(str)).all()
        assert (frame["calendarYear"] == dates.dt.year).all()
        assert (frame["reportedCurrency"] == ("TWD" if ticker == "TSM" else "USD")).all()
        assert (frame["revenue"] > 0).all() and (frame["capexPerShare"] > 0).all()
        assert (frame["symbol"] == ticker).all()


def test_market_cap_is_close_times_shares(sample: SampleManifest) -> None:
    for ticker in ("NVDA", "TSM"):
        frame = _read(sample, f"fundamentals_quarterly/{ticker}.csv")
        prices = _read(sample, f"prices_adjclose/{ticker}.csv", parse_dates=["Date"])
        fx = 32.0 if ticker == "TSM" else 1.0
        for _, row in frame.iloc[[0, 10, -1]].iterrows():
            on_or_after = prices.loc[prices["Date"] >= pd.Timestamp(row["date"]), "Close"].iloc[0]
            expected = on_or_after * row["weightedAverageShsOut"] * fx
            assert row["marketCap"] == pytest.approx(expected, rel=1e-9)
            assert row["priceToSalesRatio"] == pytest.approx(row["marketCap"] / row["revenue"])


def test_basket_price_to_sales_runs_up(sample: SampleManifest) -> None:
    caps, revenue = [], []
    for ticker in AI_BASKET:
        frame = _read(sample, f"fundamentals_quarterly/{ticker}.csv")
        if (frame["reportedCurrency"] != "USD").any():
            continue
        frame = frame.sort_values("date").set_index("date")
        caps.append(frame["marketCap"])
        revenue.append(frame["revenue"].rolling(4).sum())
    ratio = pd.concat(caps, axis=1).sum(axis=1) / pd.concat(revenue, axis=1).sum(axis=1)
    assert ratio["2025-06-30"] >= 2 * ratio["2019-12-31"]


def test_fred_monthly_and_daily(sample: SampleManifest) -> None:
    for series_id in ("USINFO", "PAYEMS", "UNRATE", "FEDFUNDS"):
        frame = _read(sample, f"fred/{series_id}.csv")
        assert frame["date"].iloc[0] == "2015-01-01"
        assert frame["date"].iloc[-1] == "2026-10-01"
        assert frame["date"].str.endswith("-01").all()
        assert (frame["value"] > 0).all()
    assert _read(sample, "fred/USINFO.csv")["value"].dtype.kind == "i"
    assert _read(sample, "fred/CES6054150001.csv")["observation_date"].iloc[-1] == "2026-10-01"
    jolts = _read(sample, "fred/JTU5100JOL_Information_Technology.csv")
    assert jolts["observation_date"].iloc[-1] == "2026-08-01"
    vix = _read(sample, "fred/VIXCLS.csv")
    assert vix["date"].iloc[-1] == LAST_TRADING_DAY
    assert vix["value"].isna().sum() > 10
    assert "2025-12-25" in set(vix.loc[vix["value"].isna(), "date"])
    assert vix["value"].dropna().between(5, 90).all()


def test_indeed_files(sample: SampleManifest) -> None:
    agg = _read(sample, "indeed_hiring_lab/aggregate_job_postings_US.csv")
    assert agg["variable"].drop_duplicates().tolist() == ["total postings", "new postings"]
    assert agg["variable"].is_monotonic_decreasing  # all "total" rows, then all "new" rows
    for _, part in agg.groupby("variable"):
        assert part["date"].iloc[0] == "2020-02-01" and part["date"].iloc[-1] == LAST_TRADING_DAY
        first = part.iloc[0]
        assert first["indeed_job_postings_index_SA"] == 100
        assert first["indeed_job_postings_index_NSA"] == 100
        assert pd.to_datetime(part["date"]).diff().dropna().dt.days.eq(1).all()
    sectors = _read(sample, "indeed_hiring_lab/job_postings_by_sector_US.csv")
    assert sectors["display_name"].drop_duplicates().tolist() == [
        "Banking & Finance", "Mathematics", "IT Operations & Helpdesk", "Software Development",
    ]  # fmt: skip
    assert sectors["date"].max() == "2024-09-27"
    assert (sectors.loc[sectors["date"] == "2020-02-01", "indeed_job_postings_index"] == 100).all()
    softdev_text = (sample.out_dir / "indeed_hiring_lab/IHLIDXUSTPSOFTDEVE.csv").read_text()
    assert softdev_text.splitlines()[1] == "2020-02-01,100.00"


def test_softdev_hiring_cools(sample: SampleManifest) -> None:
    series = _read(
        sample, "indeed_hiring_lab/IHLIDXUSTPSOFTDEVE.csv", parse_dates=["observation_date"]
    ).set_index("observation_date")["IHLIDXUSTPSOFTDEVE"]
    assert series.index[-1] == pd.Timestamp(LAST_TRADING_DAY)
    assert (series > 0).all()
    assert 140 <= series["2022-01":"2022-04"].max() <= 190
    assert series["2023-07":"2024-12"].mean() < 85
    spring, autumn = series["2026-03":"2026-05"].mean(), series["2025-09":"2025-11"].mean()
    assert spring <= 0.95 * autumn


def test_layoffs(sample: SampleManifest) -> None:
    frame = _read(sample, "layoffs_databyab/layoffs.csv")
    assert frame["date"].str.fullmatch(r"[1-9]\d?/[1-9]\d?/\d{4}").all()
    dates = pd.to_datetime(frame["date"], format="%m/%d/%Y")
    added = pd.to_datetime(frame["date_added"], format="%m/%d/%Y")
    assert dates.is_monotonic_decreasing  # newest first
    assert dates.min() >= pd.Timestamp("2020-03-01")
    assert dates.max() <= pd.Timestamp("2026-10-31") and added.max() <= pd.Timestamp("2026-10-31")
    assert (added >= dates).all()
    assert frame["total_laid_off"].isna().any()
    assert frame["company"].str.startswith("Synthco ").all()
    per_year = dates.dt.year.value_counts()
    assert per_year[2022] > per_year[2021] and per_year[2023] > per_year[2025]


def test_owid(sample: SampleManifest) -> None:
    frame = _read(sample, "owid_ai/private-investment-in-artificial-intelligence.csv")
    assert frame[["Entity", "Code"]].drop_duplicates().values.tolist() == [
        ["China", "CHN"], ["United States", "USA"], ["World", "OWID_WRL"],
    ]  # fmt: skip
    assert frame["Year"].min() == 2015 and frame["Year"].max() == 2025
    assert frame["Global total private investment in AI"].dtype.kind == "i"
    assert (frame["Global total private investment in AI"] > 0).all()


def test_short_end_month(tmp_path: Path) -> None:
    manifest = generate_sample(tmp_path, end_month="2016-01")
    assert manifest.retrieved_at == date(2016, 2, 5)
    spy = _read(manifest, "prices_adjclose/SPY.csv")
    assert spy["Date"].iloc[-1] == "2016-01-29"
    fundamentals = _read(manifest, "fundamentals_quarterly/MSFT.csv")
    assert fundamentals["date"].iloc[0] == "2015-09-30"
    for rel in manifest.files:  # files with no rows yet still carry their header
        assert list(pd.read_csv(tmp_path / rel).columns) == EXPECTED_HEADERS[rel]


@pytest.mark.parametrize(
    "bad",
    ["2015-12", "2101-01", "2026-13", "2026-00", "2026-1", "26-10", "2026/10", "", None, 202610],
)
def test_bad_end_month_raises(tmp_path: Path, bad: object) -> None:
    with pytest.raises(ValueError, match="end_month"):
        generate_sample(tmp_path, end_month=bad)  # type: ignore[arg-type]
    assert not any(tmp_path.iterdir())  # nothing written


@pytest.mark.parametrize("bad", [-1, 1.5, "7"])
def test_bad_seed_raises(tmp_path: Path, bad: object) -> None:
    with pytest.raises(ValueError, match="seed"):
        generate_sample(tmp_path, seed=bad)  # type: ignore[arg-type]
