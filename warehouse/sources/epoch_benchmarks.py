"""Epoch AI's Benchmarking Hub (github.com/epoch-research/benchmark-stitching ``data/``): its own evaluation runs,
the external leaderboards it curates, and the model-version table that dates them.

``params.table`` says which file a series reads:

* ``model_versions`` (``model_versions.csv``): one row per model version with its release date: field
  ``released`` (value 1) dated by ``Version release date``. Rows without a date are counted, not loaded.
* ``runs`` (``benchmarks_runs.csv``): one row per evaluation run: field ``hub:<task>`` (e.g. ``hub:GPQA diamond``),
  the run's best score (0..1), dated by the run's start (``17 November 2025 4:28pm``), per model version.
  Only dated runs with Status "Success" load; the others are set aside in meta.rejected_rows.
* ``external`` (``external_benchmark_<name>.csv``): a curated leaderboard: ``params.benchmark`` names it (field
  ``ext:<benchmark>``), ``params.score_column`` its score (``42%`` and ``42.0`` both read as percent), dated by
  ``params.date_column`` where the file has one, else by the payload's retrieval date (when it was known to be
  public). Rows without a model version are set aside.

marts.progress_monthly places each result at its model version's release date (from a ``model_versions`` series
in the same catalog), else at its own date, and keeps the best per benchmark by month (measure ``hub:<task>``).
"""

from __future__ import annotations

import pandas as pd

from warehouse.sources.base import Adapter, Payload, Records, RejectedRow
from warehouse.sources.csvtools import (
    is_missing,
    parse_dates,
    parse_numbers,
    read_table,
    refuse_future,
    to_dates,
)

TABLES = ("model_versions", "runs", "external")
RUN_DATE_FORMATS = ("%d %B %Y %I:%M%p", "%d %B %Y %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d")


class EpochBenchmarks(Adapter):
    name = "epoch_benchmarks"
    params_doc = {
        "table": "model_versions, runs or external",
        "benchmark": "external: the leaderboard's name (field ext:<benchmark>)",
        "score_column": "external: the score column, e.g. 'Percent correct', 'Score'",
        "date_column": "external: a date column if the file has one (else the retrieval date dates each row)",
        "date_format": "external: strptime format of date_column (default ISO)",
    }
    about = "Epoch AI Benchmarking Hub (CSV): runs, curated external leaderboards, model-version release dates"

    def parse(self, payload: Payload) -> Records:
        params = payload.query.params
        table = params.get("table")
        if table not in TABLES:
            raise payload.error(f"params.table is {table!r}, expected one of {TABLES}",
                                hint="set params.table in the catalog")
        return getattr(self, f"_{table}")(payload, params)

    def _model_versions(self, payload: Payload, params) -> Records:
        frame = read_table(payload, required=("id", "Version release date"))
        undated = is_missing(frame["Version release date"])
        frame = frame[~undated].reset_index(drop=True)
        if frame.empty:
            raise payload.error("no model version has a 'Version release date'")
        dates = parse_dates(payload, frame, "Version release date")
        refuse_future(payload, frame, dates, "Version release date")
        records = pd.DataFrame({"entity": frame["id"].astype(str).str.strip(), "obs_date": dates,
                                "field": "released", "value": 1.0, "unit": "", "published_at": None,
                                "_line": frame["_line"]})
        twice = records.duplicated("entity", keep=False)
        if twice.any():
            first = records[twice].iloc[0]
            lines = records[records["entity"] == first["entity"]]["_line"].tolist()
            raise payload.error(f"model version {first['entity']!r} is listed twice (lines {lines})",
                                line=int(lines[-1]))
        return Records("observations", records, skipped_missing=int(undated.sum()))

    def _runs(self, payload: Payload, params) -> Records:
        score = "Best score (across scorers)"
        frame = read_table(payload, required=("task", "model", score, "started_at", "Status"))
        status = frame["Status"].astype(str).str.strip()
        failed = status != "Success"
        undated = ~failed & is_missing(frame["started_at"])
        reasons = pd.Series("no started_at: the run cannot be dated", index=frame.index)
        reasons[failed] = "Status " + status[failed].map(repr) + ": not a successful run"
        out = failed | undated
        rejected = tuple(RejectedRow(int(line), reason, f"{task},{model}")
                         for line, reason, task, model in zip(frame["_line"][out], reasons[out],
                                                              frame["task"][out], frame["model"][out]))
        frame = frame[~out].reset_index(drop=True)
        unscored = is_missing(frame[score])
        frame = frame[~unscored].reset_index(drop=True)
        if frame.empty:
            raise payload.error("no successful, scored run")
        raw = frame["started_at"].astype(str).str.strip()
        started = to_dates(raw, RUN_DATE_FORMATS)
        if started.isna().any():
            i = started.isna().idxmax()
            raise payload.error(f"column 'started_at' has {raw[i]!r}, which is not a date "
                                "(expected e.g. '17 November 2025 4:28pm')", line=int(frame["_line"][i]))
        dates = started.dt.date
        refuse_future(payload, frame, dates, "started_at")
        values = parse_numbers(payload, frame, score, what="score")
        _refuse_outside(payload, frame, values, 0.0, 1.0, score)
        blank = is_missing(frame["model"]) | is_missing(frame["task"])
        if blank.any():
            i = blank.idxmax()
            raise payload.error("a run has no model or no task", line=int(frame["_line"][i]))
        records = pd.DataFrame({"entity": frame["model"].astype(str).str.strip(), "obs_date": dates,
                                "field": "hub:" + frame["task"].astype(str).str.strip(), "value": values,
                                "unit": "score (0-1)", "published_at": dates, "_line": frame["_line"]})
        # Several runs of one model on one task on one day: the best, as the hub's own "best score" does.
        records = records.sort_values(["entity", "field", "obs_date", "value"], ascending=[True, True, True, False])
        records = records.drop_duplicates(["entity", "obs_date", "field"], keep="first").reset_index(drop=True)
        return Records("observations", records, rejected=rejected, skipped_missing=int(unscored.sum()))

    def _external(self, payload: Payload, params) -> Records:
        benchmark, column = params.get("benchmark"), params.get("score_column")
        if not isinstance(benchmark, str) or not benchmark.strip() or not isinstance(column, str):
            raise payload.error("an external leaderboard needs params.benchmark and params.score_column",
                                hint="e.g. benchmark = \"arc_agi\", score_column = \"Score\"")
        date_column = params.get("date_column")
        frame = read_table(payload, required=("Model version", column, *([date_column] if date_column else [])))
        unscored = is_missing(frame[column])
        frame = frame[~unscored].reset_index(drop=True)
        nameless = is_missing(frame["Model version"])
        rejected = tuple(RejectedRow(int(line), "no model version: the result cannot be dated or matched",
                                     ",".join(str(v) for v in row))
                         for line, row in zip(frame["_line"][nameless],
                                              frame[nameless].drop(columns="_line").itertuples(index=False)))
        frame = frame[~nameless].reset_index(drop=True)
        if frame.empty:
            raise payload.error(f"no row has both a model version and a {column!r}")
        text = frame[column].astype(str).str.strip()
        percent = text.str.endswith("%")
        if percent.any() and not percent.all():  # "42%" beside "0.5": which scale is 0.5 on? Refused, not guessed
            i = (~percent).idxmax()
            raise payload.error(f"column {column!r} mixes percentages ('{text[percent.idxmax()]}') with bare numbers "
                                f"({text[i]!r})", line=int(frame["_line"][i]),
                                hint="write every score on one scale")
        frame = frame.assign(**{column: text.str.rstrip("%").str.strip()})
        values = parse_numbers(payload, frame, column, what="score")
        _refuse_outside(payload, frame, values, 0.0, 100.0, column)
        if date_column:
            fmt = params.get("date_format")
            dates = parse_dates(payload, frame, date_column, **({"formats": (str(fmt),)} if fmt else {}))
            refuse_future(payload, frame, dates, date_column)
        else:
            dates = pd.Series(payload.retrieved_at.date(), index=frame.index)
        records = pd.DataFrame({"entity": frame["Model version"].astype(str).str.strip(), "obs_date": dates,
                                "field": f"ext:{benchmark.strip()}", "value": values,
                                "unit": "percent" if percent.any() or values.max() > 1 else "score (0-1)",
                                "published_at": None, "_line": frame["_line"]})
        records = records.sort_values(["entity", "obs_date", "value"], ascending=[True, True, False])
        # Several agents on one model version (Terminal-Bench): the model's best, as for the hub's runs.
        records = records.drop_duplicates(["entity", "obs_date", "field"], keep="first").reset_index(drop=True)
        return Records("observations", records, rejected=rejected, skipped_missing=int(unscored.sum()))


def _refuse_outside(payload: Payload, frame: pd.DataFrame, values: pd.Series, low: float, high: float,
                    column: str) -> None:
    bad = (values < low) | (values > high)
    if bad.any():
        i = bad.idxmax()
        raise payload.error(f"column {column!r} has {values[i]!r}, outside {low:g}..{high:g}",
                            line=int(frame["_line"][i]))
