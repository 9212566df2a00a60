"""What the monthly report says, read from the published warehouse; sections not built yet say so."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pandas as pd

from dashboards.report.answer import MODEL_NAMES, SOURCE_NAMES, Answer, compose, short_name
from warehouse.db import sql_text

THESIS_NOTE = ("gapcast's claim: when markets price technology far above its revenue, the year-end review and the "
               "March results cool capital, and tech hiring cools after it. Tested on the long tech basket (AAPL, "
               "AMD, AMZN, MSFT, NVDA, ORCL: market cap over revenue filed, 1987 on) against the talent targets, "
               "1995-2026, each link on its own: local projections (Jorda, HAC errors), Granger causality both "
               "ways, the season after a wide November gap, and out-of-sample forecasts with and without the gap. "
               "The verdicts follow fixed rules (docs/thesis.md); a null result is printed as one, and a sign "
               "against the thesis as that.")
SEASON_NOTE = ("Cooling, as measured here: a target's March–May average against its September–November average "
               "of the year before (from the venture funds' year-end review to the results).")


@dataclass(frozen=True)
class Section:
    """One part of the report: a title, a paragraph, optional table and chart data, or why it is empty."""

    key: str
    title: str
    text: str
    table: pd.DataFrame | None = None
    chart: pd.DataFrame | None = None
    missing: str | None = None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ReportContent:
    month: str
    synthetic: bool
    built_as_of: str
    headline_label: str
    headline_value: float | None
    headline_text: str
    sections: tuple[Section, ...]
    forecasts_csv: pd.DataFrame
    answer: Answer | None = None

    @property
    def banner(self) -> str | None:
        return ("SYNTHETIC — built from the bundled synthetic sample, not from market data."
                if self.synthetic else None)


BACKTEST_COLUMNS = ("origins", "lo90", "hi90", "verdict")  # a backtest from before the live-lead scores lacks them


def _has_columns(con: duckdb.DuckDBPyConnection, qualified: str, columns) -> bool:
    schema, table = qualified.split(".")
    have = {r[0] for r in con.execute(sql_text("status/table_columns.sql"), [schema, table]).fetchall()}
    return set(columns) <= have


def _exists(con: duckdb.DuckDBPyConnection, qualified: str) -> bool:
    schema, table = qualified.split(".")
    return bool(con.execute(sql_text("report/table_exists.sql"), [schema, table]).fetchall()[0][0])


MODELS_NOTE = (
    "Each model's P(cooling) for the coming season; 'headline' marks the one the report leads with, chosen by the "
    "combination rule (below, 'What each headline rests on'); the threshold is the fall that counts as cooling. "
    "climatology is the base rate: the share of past seasons that cooled. The regime model's number is another "
    "event, the probability of its low-growth regime, and is shown apart, below the table.")
SKILL_NOTE = (
    "Brier skill of P(cooling) against the base rate for forecasts made in September-December for the coming "
    "March-May (leads 5-8 months: the year-end review), with a 90% interval from resampling whole seasons. An "
    "interval that contains 0 is no demonstrated skill: the model has not shown it does better than the base rate; "
    "under 8 seasons there is no interval. real time: the same skill over the past months whose data were as "
    "published then (s. = seasons). The headline keeps the default model unless another shows skill here.")
BACKTEST_NOTE = (
    "Each model re-run at every past month on the data known then (gapcast backtest). MASE against the random "
    "walk by months ahead: below 1 beats it. Brier score of P(cooling), lower is better, beside the base rate's "
    "at the same months. The monthly forecasts of one season are not independent: a few seasons are scored per "
    "target, so small differences mean little. "
    "Columns 1-9 mo: MASE over the random walk's; n: probability forecasts scored.")


def _frame(con: duckdb.DuckDBPyConnection, name: str, params=()) -> pd.DataFrame:
    return con.execute(sql_text(f"report/{name}.sql"), list(params)).df()


PROGRESS_TITLE = "Capital against technical progress"
PROGRESS_NOTE = ("The thesis's second half: markets price AI above what it can actually do. The frontier of AI "
                 "capability (the best result released by each month's end) is combined into an index that counts "
                 "months of average progress, and the AI basket's market cap is set against it, each in standard "
                 "deviations of its own history (docs/progress.md).")


def _progress_section(con: duckdb.DuckDBPyConnection, month_end) -> Section:
    """The capital-progress gap in words, its chart and tests, and the source of every frontier series."""
    if not (_exists(con, "marts.capital_progress_monthly") and _exists(con, "marts.capital_progress_tests")):
        return Section("progress", PROGRESS_TITLE, "", missing="Capital against progress is not estimated yet: "
                       "`gapcast estimate` fills marts.capital_progress_monthly.")
    frame = _frame(con, "capital_progress", [month_end])
    if frame.empty:
        failed = _frame(con, "capital_progress_failure")
        why = (f"The progress model failed in its last run: {failed['warning'].iloc[0]}" if len(failed) else
               "No months where the AI basket and the progress index both exist.")
        return Section("progress", PROGRESS_TITLE, PROGRESS_NOTE, missing=why)
    tests = _frame(con, "capital_progress_tests").set_index("test")
    last = frame.iloc[-1]
    seen = frame[frame["progress_age_months"] == 0]
    latest = seen.iloc[-1] if len(seen) else last  # the real-time gap exists only where the index was observed
    lines = [PROGRESS_NOTE]
    if "since_2023" in tests.index:
        t = tests.loc["since_2023"]
        lines.append(f"In short: {t['verdict']} since January 2023 ({t['note']}). The gap in "
                     f"{pd.Timestamp(latest['month']):%B %Y}, the index's last month: "
                     f"{latest['gap_zscore_realtime']:+.2f} sd against its own past (real time).")
        if "since_2023_time_trend" in tests.index:
            trend = tests.loc["since_2023_time_trend"]
            lines.append(f"Against a plain time trend instead of the index: {trend['verdict']} "
                         f"({trend['note'].split('; ', 1)[-1]}).")
        if "since_2023_labs" in tests.index:
            labs = tests.loc["since_2023_labs"]
            lines.append(f"The AI labs' private valuations (Epoch AI's funding rounds, summed) against the index: "
                         f"{labs['verdict']} since January 2023 (to {pd.Timestamp(labs['last_month']):%B %Y}).")
    names = {"psy_gsadf_gap": "Bubble test of the gap (PSY)", "engle_granger_capital_progress":
             "Cointegration of capital and capability (Engle-Granger)", "revenue_growth_on_progress_growth":
             "Revenue growth on capability growth (HAC)"}
    for key, label in names.items():
        if key in tests.index:
            t = tests.loc[key]
            p = "" if pd.isna(t["pvalue"]) else f", p = {t['pvalue']:.2f}"
            lines.append(f"{label}: {t['verdict']} (statistic {t['statistic']:+.2f}{p}, {int(t['months'])} months).")
    if int(last["progress_age_months"]) > 0:
        lines.append(f"The progress index ends {int(last['progress_age_months'])} month(s) before "
                     f"{pd.Timestamp(last['month']):%B %Y} (no later release in the data): it is carried forward, "
                     "shaded grey in the chart.")
    sources = _frame(con, "progress_sources")
    source = ("Sources: AI basket market cap from Yahoo Finance prices and filed shares (marts.divergence_monthly); "
              + "; ".join(f"{r.series_name if pd.notna(r.series_name) else r.series_id} "
                          f"(to {pd.Timestamp(r.last_month):%Y-%m})"
                          for r in sources.itertuples()) + ".")
    return Section("progress", PROGRESS_TITLE, "\n".join(lines), chart=frame, extra={"source": source})


def _revenue_note(members: pd.DataFrame, through: pd.DataFrame) -> str:
    """Which members the basket leaves out and why, and how far each input reaches."""
    parts = []
    if not members.empty:
        out = members[members["status"] != "counted"]
        if len(out):
            parts.append(" Left out of the basket: " + "; ".join(
                (f"{r.ticker} (no quarter filed since the one ended {pd.Timestamp(r.quarter_end):%Y-%m-%d}: "
                 "no fresher fundamentals in the data)" if r.status == "out: stale" else f"{r.ticker} (no revenue)")
                for r in out.itertuples()) + ".")
        imputed = members[(members["status"] == "counted") & (members["date_basis"] == "imputed")]
        if len(imputed):
            parts.append(f" Filing dates imputed as the SEC deadline (the source gives none) for "
                         f"{', '.join(imputed['ticker'])}.")
    if not through.empty:
        known = [f"{r.input} {pd.Timestamp(r.data_through):%Y-%m-%d}" for r in through.itertuples()
                 if pd.notna(r.data_through)]
        if known:
            parts.append(" Data through: " + "; ".join(known) + ".")
    return "".join(parts)


def gather(con: duckdb.DuckDBPyConnection, month: str) -> ReportContent:
    """Read everything the report for `month` (YYYY-MM) shows from a read-only analytics connection."""
    year, mon = (int(x) for x in month.split("-"))
    month_end = (pd.Timestamp(year=year, month=mon, day=1) + pd.offsets.MonthEnd(0)).date()
    synthetic = bool(con.execute(sql_text("report/synthetic.sql")).fetchall()[0][0])
    as_of_rows = con.execute("SELECT max(as_of) FROM meta.build_context").fetchall()
    built_as_of = str(as_of_rows[0][0])[:16] if as_of_rows and as_of_rows[0][0] else "unknown"
    sections = []
    vintage_all = _frame(con, "data_vintage")  # per kind and source: the source lines under the charts

    # Headline: P(cooling) for the coming season when the forecast exists, else the valuation gap.
    headline_label, headline_value, headline_text = "AI basket price-to-sales", None, ""
    if _exists(con, "marts.cooling_probability"):
        prob = _frame(con, "cooling_headline")
        if not prob.empty:
            row = prob.iloc[0]
            headline_label = f"P(cooling) in {row['season']}, {row['target_series']}"
            headline_value = float(row["probability"])
            change = row.get("change")
            headline_text = (
                f"The probability that {row['target_series']} falls more than {abs(float(row['threshold'])):.1%} "
                f"from its September–November average to {row['season']} is {headline_value:.0%}, against a "
                f"historical base rate of {float(row['base_rate']):.0%} (model: {str(row['model']).split(':')[0]}, "
                "the combination rule's choice)"
                + (f"; {change * 100:+.1f} points since last month's forecast." if pd.notna(change) else
                   "; there is no forecast from an earlier month to compare with yet."))
    basket = _frame(con, "basket_monthly", [month_end])
    if headline_value is None and _exists(con, "marts.divergence_monthly"):
        measured = _frame(con, "divergence_chart", [month_end])
        if not measured.empty:
            last = measured.iloc[-1]
            headline_value = round(float(last["price_to_sales"]), 1)
            filed = float(basket.iloc[-1]["price_to_sales"]) if not basket.empty else None
            headline_text = (
                f"In {pd.Timestamp(last['month']):%B %Y} the AI basket trades at {headline_value:.1f} times its "
                f"trailing revenue ({str(last['revenue_basis']).replace('_', ' ')}, {int(last['revenue_age_days'])} "
                "days old" + (f"; {filed:.1f} on revenue filed so far" if filed is not None else "") + "), "
                f"{float(last['ps_zscore']):+.2f} standard deviations from its own history. The cooling forecast "
                "is not built yet, so the valuation gap leads this report.")
    if headline_value is None and not basket.empty:
        last = basket.iloc[-1]
        headline_value = round(float(last["price_to_sales"]), 1)
        previous = basket.iloc[-2]["price_to_sales"] if len(basket) > 1 else None
        headline_text = (
            f"The AI basket trades at {headline_value:.1f} times the trailing revenue filed by "
            f"{last['month']:%B %Y}" + (f" ({float(last['price_to_sales']) - float(previous):+.1f} on the month)"
                                        if previous is not None else "")
            + f"; its revenue is {int(last['max_revenue_age_days'])} days old at most. The cooling forecast "
            "is not built yet, so the valuation gap leads this report.")

    if _exists(con, "marts.cooling_probability"):
        sections.append(Section("cooling", "Probability of cooling", SEASON_NOTE + " " + MODELS_NOTE,
                                table=_frame(con, "cooling_table"), extra={"regimes": _frame(con, "regime_table")}))
        reasons = _frame(con, "cooling_reasons")
        grid = _frame(con, "cooling_thresholds") if _exists(con, "marts.cooling_thresholds") else pd.DataFrame()
        if not grid.empty:
            lines = []
            for (target, model), g in grid.groupby(["target", "model"], sort=True):
                cells = "; ".join(
                    (f"a fall of more than {-t * 100:.3g}%" if t < 0 else "any fall") + (" (ours)" if c else "")
                    + f": {p:.0%}" for t, c, p in g[["threshold", "configured", "probability"]].itertuples(index=False))
                lines.append(f"{short_name(g['name'].iloc[0])} ({MODEL_NAMES.get(model, model)}): {cells}.")
            missing = sorted(set(reasons.loc[~reasons["target_series"].isin(grid["target"]), "name"]))
            if missing:
                lines.append(f"{', '.join(missing)}: no simulated changes behind the headline (the regime model or no "
                             "run), so no other thresholds.")
            sections.append(Section("thresholds", "P(cooling) at other thresholds", (
                "Each target's cooling threshold is a choice (catalogs/cooling.toml says why). The headline model's "
                "P(cooling) if cooling meant another fall from autumn to spring, ours marked:\n")
                + "\n".join(lines)))
        if not reasons.empty:
            sections.append(Section("reasons", "What each headline rests on", "\n".join(
                f"{short_name(r.name)}, {MODEL_NAMES.get(r.model, r.model)} ({float(r.probability):.0%}): "
                f"{r.chosen_by}."
                for r in reasons.itertuples(index=False))))
    else:
        sections.append(Section("cooling", "Probability of cooling", SEASON_NOTE,
                                missing="The cooling forecast is not built yet: this section fills in once "
                                        "marts.cooling_probability is published."))

    if _exists(con, "marts.divergence_monthly"):
        divergence = _frame(con, "divergence_chart", [month_end])
        episodes = _frame(con, "bubble_episodes") if _exists(con, "marts.bubble_episodes") else pd.DataFrame()
        # Shaded on the chart: the episodes of the series it plots (the cap-weighted P/S), not the equal-weighted one's.
        basket_episodes = episodes[episodes["series"] == "ai_basket_price_to_sales"] if not episodes.empty \
            else episodes
        text = ("How far AI valuations run ahead of the revenue filed so far: the AI basket's price-to-sales, its "
                "z-score against its own history, the valuation that revenue does not explain (cointegration), "
                "capex growth against revenue growth, and the revenue the data-centre spend requires (Sequoia's "
                "arithmetic) beyond what is realized. Shaded: dated bubble episodes of the basket (Phillips, Shi "
                "and Yu).")
        if not divergence.empty:
            last = divergence.iloc[-1]
            if pd.notna(last["price_to_sales"]):
                text += (f" Latest month: price-to-sales {last['price_to_sales']:.1f}, z-score "
                         f"{last['ps_zscore']:+.2f}, revenue {str(last['revenue_basis']).replace('_', ' ')} "
                         f"({int(last['revenue_age_days'])} days old at most).")
            else:
                text += " Latest month: no basket member has revenue recent enough to count."
        members = _frame(con, "basket_revenue", [month_end]) if _exists(con, "marts.ai_basket_member_daily") \
            else pd.DataFrame()
        text += _revenue_note(members, _frame(con, "data_through", [month_end])
                              if _exists(con, "marts.ai_basket_member_daily") else pd.DataFrame())
        sources = sorted({SOURCE_NAMES.get(a, a) for k, a in zip(vintage_all["kind"], vintage_all["adapter"])
                          if k in ("price", "fundamentals", "segment") and isinstance(a, str)})
        sections.append(Section("divergence", "Valuations against revenue", text,
                                chart=divergence, table=episodes,
                                extra={"episodes": basket_episodes, "members": members,
                                       "source": "Sources: " + "; ".join(sources) + " (marts.divergence_monthly, "
                                                 "marts.bubble_episodes)."}))
    else:
        sections.append(Section("divergence", "Valuations against revenue",
                                "The AI basket's market cap over its trailing twelve-month revenue, counting only "
                                "revenue filed by each month's end. The divergence measures and bubble dating "
                                "are not built yet.", chart=basket))

    sections.append(_progress_section(con, month_end))

    targets = _frame(con, "talent_targets", [month_end])
    seasons = _seasonal_changes(targets)
    hiring_sources = sorted({SOURCE_NAMES.get(a, a) for k, a in zip(vintage_all["kind"], vintage_all["adapter"])
                             if k == "hiring" and isinstance(a, str)})
    sections.append(Section("talent", "The talent market", SEASON_NOTE, chart=targets, table=seasons,
                            extra={"source": "Sources: " + "; ".join(hiring_sources) + " (marts.hiring_monthly)."}))

    if _exists(con, "marts.thesis_tests"):
        verdicts = _frame(con, "thesis_verdicts")
        cycles = _frame(con, "thesis_cycles", [month_end])
        names = {"local_projection": "local projection", "granger": "Granger", "calendar": "calendar",
                 "calendar_season": "the season", "calendar_windows": "the season against other windows",
                 "out_of_sample": "out of sample"}
        lp = verdicts[verdicts["test"] == "local_projection"]["verdict"]
        signs = lp.str.extract(r"^a one-sd higher .* precedes .* (higher|lower) by")[0]
        summary = (f"In short: of {len(lp)} local projections, {int((signs == 'higher').sum())} find the target "
                   f"higher after a wider gap (against the thesis), {int((signs == 'lower').sum())} lower (for it), "
                   f"and {int(signs.isna().sum())} no evidence, too short a history, or no estimate.")
        if _exists(con, "marts.backtest_gap_test"):
            gap = _frame(con, "gap_decisions")
            if len(gap):
                summary += "\n" + _gap_line(gap)
        lines = [summary] + [
                 ("Capital cools? " if r.link == "a" else f"{r.talent_target}, ") + f"{names.get(r.test, r.test)}"
                 + (f" ({r.measure})" if r.test == "local_projection" else "") + f": {r.verdict}."
                 for r in verdicts.itertuples()]
        sections.append(Section("thesis", "Does the gap lead the talent market?",
                                THESIS_NOTE + "\n" + "\n".join(lines), chart=cycles,
                                extra={"response": _frame(con, "thesis_response")}))
    else:
        sections.append(Section("thesis", "Does the gap lead the talent market?", "",
                                missing="The thesis tests have not run yet: `gapcast thesis` (or the monthly flow) "
                                        "fills marts.thesis_tests."))

    if _exists(con, "marts.cooling_forecast"):
        sections.append(Section("forecast", "Forecast paths",
                                "Each target's headline model (the best CRPS skill in the backtest, else "
                                "SARIMAX): mean forecast with 80% and 95% intervals.",
                                chart=_frame(con, "forecast_fan")))
    else:
        sections.append(Section("forecast", "Forecast paths", "",
                                missing="No forecast paths yet: marts.cooling_forecast is not built."))
    if _exists(con, "marts.forecast_news"):
        sections.append(Section("news", "What moved the forecast", "", table=_frame(con, "forecast_news")))
    else:
        sections.append(Section("news", "What moved the forecast", "",
                                missing="No news decomposition yet: marts.forecast_news is not built."))
    if _exists(con, "marts.backtest_scores") and not _has_columns(con, "marts.backtest_scores", BACKTEST_COLUMNS):
        sections.append(Section("backtest", "How good such forecasts have been", "",
                                missing="The published backtest predates this version of gapcast (no live-lead "
                                        "skill, no real-time scores): run `gapcast backtest` again."))
    elif _exists(con, "marts.backtest_scores"):
        sections.append(Section("skill", "Skill at the lead readers act on", SKILL_NOTE,
                                table=_frame(con, "backtest_live_skill")))
        sections.append(Section("backtest", "How good such forecasts have been", BACKTEST_NOTE,
                                table=_frame(con, "backtest_summary")))
    else:
        sections.append(Section("backtest", "How good such forecasts have been", "",
                                missing="No backtest yet: marts.backtest_scores is not built."))

    freshness = _frame(con, "freshness")
    failed_series = _frame(con, "failed_series")
    checks = _frame(con, "checks_last_build")
    health = _frame(con, "model_health") if _exists(con, "meta.model_runs") else pd.DataFrame()
    failed = int((checks["passed"] == False).sum()) if not checks.empty else 0  # noqa: E712
    sections.append(Section(
        "health", "Data freshness and model health",
        f"{len(checks) - failed} of {len(checks)} data checks passed at the last build (as of {built_as_of}).",
        table=freshness, extra={"checks": checks, "models": health, "failed": failed_series}))
    vintage = _frame(con, "data_vintage")
    sections.append(_risks_section(con, vintage))
    sections.append(Section("method", "Method and sources (appendix)", METHOD_NOTES, table=vintage))

    answer = answer_from(con, month_end)
    if answer.lead_probability is not None:
        headline_label, headline_value = answer.title, answer.lead_probability
        headline_text = " ".join(answer.sentences)
    if _exists(con, "marts.cooling_forecast"):
        forecasts = _frame(con, "forecast_csv")
    else:
        long = _frame(con, "report_data_csv", [month_end, month_end])
        forecasts = long.pivot(index="month", columns="series", values="value").reset_index()
        forecasts.columns.name = None
        first = ["month", "ai_basket_price_to_sales"]
        forecasts = forecasts[[c for c in first if c in forecasts.columns]
                              + [c for c in forecasts.columns if c not in first]]
    return ReportContent(month, synthetic, built_as_of, headline_label, headline_value, headline_text,
                         tuple(sections), forecasts, answer)


def answer_from(con: duckdb.DuckDBPyConnection, month_end) -> Answer:
    """Page 1 (dashboards.report.answer): the inputs of its rules, each None where its mart is not built."""
    def maybe(table: str, name: str, params=()) -> pd.DataFrame | None:
        return _frame(con, name, params) if _exists(con, table) else None

    backtest = _exists(con, "marts.backtest_scores") and _has_columns(con, "marts.backtest_scores", BACKTEST_COLUMNS)
    targets = maybe("marts.cooling_probability", "answer_targets")
    return compose(
        targets if targets is not None else pd.DataFrame(),
        skill=_frame(con, "answer_skill") if backtest else None,
        divergence=maybe("marts.divergence_monthly", "divergence_chart", [month_end]),
        progress_tests=maybe("marts.capital_progress_tests", "capital_progress_tests"),
        thesis=maybe("marts.thesis_tests", "thesis_verdicts"),
        gap=maybe("marts.backtest_gap_test", "gap_decisions"),
        grid=maybe("marts.cooling_thresholds", "cooling_thresholds"),
        vintage=_frame(con, "data_vintage"))


def _risks_section(con: duckdb.DuckDBPyConnection, vintage: pd.DataFrame) -> Section:
    """Risks and limits, from the data where they can be counted: staleness, few seasons, the basket's survivorship,
    the models' caveats."""
    lines = []
    if not vintage.empty:
        stale = vintage.groupby("kind")[["series", "stale"]].sum()
        stale = stale[stale["stale"] > 0]
        if len(stale):
            lines.append("Stale data: " + "; ".join(f"{int(r.stale)} of {int(r.series)} {kind} series"
                                                    for kind, r in stale.iterrows())
                         + " are older than their publication rhythm allows (see 'Data through' on page 1): the "
                           "answer is as of those dates, not of this month.")
    if _exists(con, "marts.cooling_probability"):
        seasons = _frame(con, "answer_targets")
        if len(seasons):
            lines.append("Few seasons: each target's base rate rests on " + "; ".join(
                f"{short_name(r.name)} {int(r.base_seasons)}" for r in seasons.itertuples())
                + " past seasons; a rate from a handful of seasons can move by tens of points with one more.")
    lines.append("Survivorship: the AI basket holds today's AI leaders, chosen with hindsight; its history is that of "
                 "the winners, which flatters the gap's past and says nothing of firms that failed.")
    lines.append("Models: the probabilities come from the spread of each model's simulated paths; where no backtest "
                 "has scored them, neither their calibration nor their skill is known. The thesis tests use two tech "
                 "cycles, so a null result is weak evidence either way.")
    return Section("risks", "Risks and limits", "\n".join(lines))


def _gap_line(gap: pd.DataFrame) -> str:
    """One line on whether the forecast carries the gap, per target: the backtest's gap test in short (the full
    words are in marts.backtest_gap_test.decision and the headline's chosen_by)."""
    def one(r) -> str:
        what = ("leaves it out, untested" if pd.isna(r.uses_gap) else "uses it" if bool(r.uses_gap)
                else "leaves it out")
        rel = f"{float(r.relative):+.1%}" if pd.notna(r.relative) else "n/a"
        p = f", p {float(r.p_value):.3f}" if pd.notna(r.p_value) else ""
        return f"{r.target_series} {what} (CRPS {rel} with the gap{p}, {int(r.n)} origins)"
    return ("Does the gap help the forecast itself? The backtest's test, SARIMAX with and without it on the same "
            "months (Diebold-Mariano, horizons 1-9; 120 origins needed): " + "; ".join(one(r) for r in gap.itertuples())
            + ".")


def _seasonal_changes(targets: pd.DataFrame) -> pd.DataFrame:
    """Per target and spring: March–May mean against the previous September–November mean."""
    rows = []
    for series_id, group in targets.groupby("series_id"):
        by_month = group.set_index(pd.to_datetime(group["month"]))["value"]
        for year in sorted({d.year for d in by_month.index}):
            spring = by_month[(by_month.index.year == year) & by_month.index.month.isin([3, 4, 5])]
            autumn = by_month[(by_month.index.year == year - 1) & by_month.index.month.isin([9, 10, 11])]
            if len(spring) == 3 and len(autumn) == 3:
                rows.append({"target": series_id, "spring": year, "sep_nov": autumn.mean(), "mar_may": spring.mean(),
                             "change": spring.mean() / autumn.mean() - 1})
    frame = pd.DataFrame(rows, columns=["target", "spring", "sep_nov", "mar_may", "change"])
    return frame.sort_values(["target", "spring"]).groupby("target").tail(4).reset_index(drop=True)


METHOD_NOTES = (
    "Market caps are closes times shares outstanding, consistent across splits; revenue is trailing twelve months "
    "as filed, counted from its filing date (the source's, or the SEC deadline where the source gives none) so no "
    "month sees revenue before it was public. TSM reports in TWD and is left out of USD sums. The talent targets "
    "are Indeed Hiring Lab software-development postings (100 = 1 Feb 2020; CC BY 4.0), JOLTS information-sector "
    "openings and BLS employment (computer systems design, the information sector, and total payrolls as the "
    "control). Layoffs come from layoffs.fyi (not an official statistic). Every number is rebuilt from the "
    "warehouse at each run; the SQL behind it is in warehouse/sql/. The table below is this run's data vintage: "
    "per kind and source (the adapter that read it: a '_csv' adapter reads copies of the source's files), its "
    "series, their newest and oldest last observation, the newest retrieval, and how many are stale or failed."
)
