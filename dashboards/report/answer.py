"""Page 1 of the report: the answer in words, generated from the published warehouse by fixed rules.

The rules (docs/report.md says the same, for readers):

- **The view** is said in calibrated words of the median headline P(cooling) over the tech targets (every talent
  target but the controls, e.g. total payrolls): under 1/3 "unlikely", 1/3 to 2/3 "as likely as not", over 2/3
  "likely". When no tech target's headline model has shown skill at the lead readers act on, the title says so.
- **Skill** of a headline is its Brier skill against the base rate for forecasts made September-December for the
  coming March-May: "no backtest yet" when none is published, "no demonstrated skill" when its 90% interval
  contains 0 (or it has none), else "skill" with the interval.
- **The gap** is the AI basket's price-to-sales and its z-score against its own history; against technical
  progress, the since-2023 verdict, and whether a plain time trend gives the same one.
- **The thesis** is counted from its local projections of the tech targets on the gap: how many find the target
  lower after a wider gap (the thesis's sign), how many higher, how many no evidence; and how many out-of-sample
  tests the gap improves.
- **The change** is each headline's against the latest headline of an earlier month, same season and model.
- **What would change the view**: whether the headline models carry the gap at all (if not, a wider or narrower
  gap cannot move them), how P(cooling) moves with the threshold, and what a backtest would have to show.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

UNLIKELY, LIKELY = 1 / 3, 2 / 3

KIND_NAMES = {  # a kind of series, in a reader's words, in the order page 1 lists them
    "price": "Market prices",
    "fundamentals": "Company revenue and capex (quarterly filings)",
    "segment": "Data-centre and cloud segment revenue",
    "hiring": "Hiring (postings, openings, employment)",
    "macro": "Macro series",
    "funding": "Funding and AI labs",
    "layoffs": "Layoffs",
    "progress": "Technical progress (AI capability frontier)",
}
SOURCE_NAMES = {  # the adapter that loaded a series, as a source line names it: the snapshot's copies as copies
    "yahoo_csv": "Yahoo Finance (copies)",
    "yfinance_prices": "Yahoo Finance (yfinance)",
    "fred_csv": "FRED (copies)",
    "fred": "FRED (St. Louis Fed API)",
    "indeed_csv": "Indeed Hiring Lab (copies, CC BY 4.0)",
    "indeed_tracker": "Indeed Hiring Lab",
    "conceptstocks_income": "filed statements (conceptstocks copies)",
    "conceptstocks_segments": "filed segments (conceptstocks copies)",
    "fmp_csv": "statements (FMP copies)",
    "sec_companyfacts": "SEC EDGAR company facts",
    "sec_form_d": "SEC Form D filings",
    "epoch_ai_companies": "Epoch AI (CC BY 4.0)",
    "epoch_benchmarks": "Epoch AI (CC BY 4.0)",
    "epoch_csv": "Epoch AI (CC BY 4.0)",
    "epoch_eci": "Epoch AI (CC BY 4.0)",
    "metr_yaml": "METR",
    "swebench_json": "SWE-bench",
    "owid_csv": "Our World in Data (copies)",
    "owid_grapher": "Our World in Data",
    "owid_progress": "Our World in Data (copies)",
    "layoffs_csv": "layoffs.fyi (copies)",
    "layoffs_url": "layoffs.fyi",
    "funding_rounds_csv": "funding rounds (copies)",
}
MODEL_NAMES = {"sarimax": "SARIMAX", "arima": "ARIMA", "arima_robust": "ARIMA (robust)", "nowcast": "the nowcast",
               "drift": "random walk with drift", "random_walk": "random walk", "seasonal_naive": "seasonal naive",
               "climatology": "the base rate"}
UNITS = {"thousands": "thousands of jobs", "index_feb2020_100": "index, 1 Feb 2020 = 100",
         "index_dec2000_100": "index, Dec 2000 = 100"}


@dataclass(frozen=True)
class Answer:
    """What page 1 says: the title, the sentences, one verdict per target and one data-through line per kind."""

    title: str
    sentences: tuple[str, ...]
    verdicts: tuple[str, ...]
    data_through: tuple[str, ...]
    through_table: pd.DataFrame
    lead_probability: float | None  # the lead target's headline P(cooling) (the email's and the flow's number)
    lead_target: str | None


def likelihood(p: float) -> str:
    """Calibrated words for a probability."""
    return "unlikely" if p < UNLIKELY else "likely" if p > LIKELY else "as likely as not"


def short_name(name: str) -> str:
    """A catalog name without its trailing parenthesis ('(SA)', '(FRED)'), for sentences."""
    return re.sub(r"\s*\([^()]*\)\s*$", "", str(name)).strip()


def skill_words(target: str, model: str, skill: pd.DataFrame | None) -> tuple[str, bool]:
    """The skill caveat of a headline and whether skill is demonstrated (a 90% interval above 0)."""
    if skill is None:
        return "no backtest yet", False
    row = skill[(skill["target_series"] == target) & (skill["model"] == model)]
    if row.empty:
        return "not scored in the backtest", False
    r = row.iloc[0]
    if pd.isna(r["lo90"]):
        return f"no demonstrated skill (Brier skill {r['skill']:+.2f}, {int(r['seasons'])} seasons: too few for an " \
               "interval)", False
    interval = f"Brier skill {r['skill']:+.2f}, 90% interval {r['lo90']:+.2f} to {r['hi90']:+.2f}"
    if r["lo90"] > 0:
        return f"skill shown ({interval})", True
    return f"no demonstrated skill ({interval})", False


def _season_words(season: str) -> str:
    """'2027 Mar-May' -> 'spring 2027'."""
    m = re.match(r"(\d{4})", str(season))
    return f"spring {m.group(1)}" if m else str(season)


def _thesis_counts(verdicts: pd.DataFrame, tech: set[str]) -> str | None:
    if verdicts is None or verdicts.empty:
        return None
    b = verdicts[(verdicts["link"] == "b") & verdicts["talent_target"].isin(tech)]
    lp = b[b["test"] == "local_projection"]["verdict"]
    if lp.empty:
        return None
    signs = lp.str.extract(r"^a one-sd higher .* precedes .* (higher|lower) by")[0]
    lower, higher = int((signs == "lower").sum()), int((signs == "higher").sum())
    text = (f"Has such a gap led tech hiring before? Of {len(lp)} local projections of the tech targets on the gap "
            f"and on its 12-month change (1995 on, two tech cycles), {lower} find hiring lower afterwards (the "
            f"thesis's sign), {higher} higher and {len(lp) - lower - higher} no evidence")
    oos = b[b["test"] == "out_of_sample"]["verdict"]
    estimated = oos[~oos.str.startswith("not estimated")]
    if len(estimated):
        helps = int(estimated.str.startswith("adding").sum())
        text += f"; out of sample the gap improves {helps} of {len(estimated)} forecasts"
    if lower == 0 and higher:
        return text + ": where the gap leads at all, hiring rose after it, so the thesis's claim (a wide gap, then " \
                      "cooling) is not demonstrated."
    return text + ": the claim that a wide gap leads to cooling is " + (
        "not demonstrated." if lower == 0 else "supported by some tests only (the thesis section has each).")


def _gap_sentence(divergence: pd.DataFrame | None) -> str | None:
    if divergence is None or divergence.empty:
        return None
    seen = divergence.dropna(subset=["price_to_sales"])
    if seen.empty:
        return None
    last = seen.iloc[-1]
    z = float(last["ps_zscore"])
    width = ("a very wide gap" if z >= 2 else "a wide gap" if z >= 1 else "a narrow gap" if z <= -1
             else "within its usual range")
    return (f"In {pd.Timestamp(last['month']):%B %Y} the AI basket traded at {float(last['price_to_sales']):.1f} "
            f"times its trailing revenue (as filed; the newest {int(last['revenue_age_days'])} days old at most), "
            f"{z:+.2f} standard deviations from its own history since 2015: {width}.")


def _progress_sentence(tests: pd.DataFrame | None) -> str | None:
    if tests is None or tests.empty or "since_2023" not in set(tests["test"]):
        return None
    t = tests.set_index("test")
    text = f"Against technical progress: {t.loc['since_2023', 'verdict']} since January 2023"
    if "since_2023_time_trend" in t.index:
        same = t.loc["since_2023_time_trend", "verdict"].split(" ")[0] == t.loc["since_2023", "verdict"].split(" ")[0]
        text += (", but a plain time trend gives the same verdict, so the capability index does not tell capital "
                 "running ahead of progress from capital running ahead of time" if same else
                 f"; against a plain time trend: {t.loc['since_2023_time_trend', 'verdict']}")
    return text + "."


def _change_sentence(targets: pd.DataFrame) -> str:
    known = targets[targets["previous"].notna()]
    if known.empty:
        return "No forecast of an earlier month to compare with yet: no change since last month can be given."
    parts = [f"{short_name(r.name)} {100 * (r.probability - r.previous):+.1f} points" for r in known.itertuples()]
    when = pd.Timestamp(known["previous_as_of"].max())
    return (f"Since the forecast of {when:%B %Y}: " + "; ".join(parts) + ". The releases behind the change are in "
            "'What moved the forecast'.")


def _sensitivity_sentence(targets: pd.DataFrame, gap: pd.DataFrame | None, grid: pd.DataFrame | None,
                          skill: pd.DataFrame | None) -> str:
    parts = []
    if gap is None or gap.empty or gap["uses_gap"].isna().all():
        parts.append("the headline models leave the valuation gap out until the backtest shows it helps, so a gap "
                     "one sd wider or narrower would not move these probabilities")
    else:
        users = gap[gap["uses_gap"].fillna(False).astype(bool)]["target_series"].tolist()
        names = dict(zip(targets["target_series"], targets["name"].map(short_name)))
        parts.append("the gap enters the forecast of " + (", ".join(names.get(u, u) for u in users) if users else
                     "no target (the backtest found it does not help)")
                     + "; elsewhere a wider or narrower gap would not move P(cooling)")
    if grid is not None and not grid.empty and len(targets):
        lead = targets.iloc[0]
        g = grid[(grid["target"] == lead["target_series"]) & ~grid["configured"].astype(bool)]
        if len(g):
            near = g.iloc[(g["threshold"] - lead["threshold"]).abs().argsort()].iloc[0]
            what = "any fall" if near["threshold"] >= 0 else f"a fall of more than {-near['threshold'] * 100:.3g}%"
            parts.append(f"if cooling meant {what} instead of {-lead['threshold'] * 100:.3g}%, "
                         f"{short_name(lead['name'])} would be at {near['probability']:.0%}")
    parts.append("a backtest in which a model beats the base rate at this lead would let the combination rule pick "
                 "it" if skill is None else
                 "a model whose skill interval clears 0 at this lead would take over the headline")
    return "What would change the view: " + "; ".join(parts) + "."


def data_through_table(vintage: pd.DataFrame | None) -> pd.DataFrame:
    """Per kind of series, in a reader's words: how far its data reach, its oldest series, how many are stale, and
    its sources (the catalog's adapters, named as the publisher or as copies)."""
    columns = ["data", "through", "oldest series to", "stale", "sources"]
    if vintage is None or vintage.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for kind in list(KIND_NAMES) + sorted(set(vintage["kind"]) - set(KIND_NAMES)):
        g = vintage[vintage["kind"] == kind]
        if g.empty:
            continue
        newest = pd.to_datetime(g["newest_observation"]).max()
        oldest = pd.to_datetime(g["oldest_observation"]).min()
        n, stale, failed = int(g["series"].sum()), int(g["stale"].sum()), int(g["failed"].sum())
        rows.append({"data": KIND_NAMES.get(kind, kind),
                     "through": f"{newest:%Y-%m-%d}" if pd.notna(newest) else "no data",
                     "oldest series to": f"{oldest:%Y-%m-%d}" if pd.notna(oldest) else "no data",
                     "stale": f"{stale} of {n}" + (f", {failed} failed" if failed else ""),
                     "sources": ", ".join(dict.fromkeys(SOURCE_NAMES.get(a, str(a))
                                                        for a in g["adapter"].fillna("unknown")))})
    return pd.DataFrame(rows, columns=columns)


def data_through_lines(vintage: pd.DataFrame | None) -> tuple[str, ...]:
    """One line per kind of series: how far it reaches, its oldest series, how many are stale, its sources."""
    return tuple(f"{r['data']}: data through {r['through']}"
                 + (f", the oldest series to {r['oldest series to']}" if r["oldest series to"] != r["through"] else "")
                 + f" ({r['stale']} series stale; {r['sources']})."
                 for _, r in data_through_table(vintage).iterrows())


def compose(targets: pd.DataFrame, *, skill: pd.DataFrame | None = None, divergence: pd.DataFrame | None = None,
            progress_tests: pd.DataFrame | None = None, thesis: pd.DataFrame | None = None,
            gap: pd.DataFrame | None = None, grid: pd.DataFrame | None = None,
            vintage: pd.DataFrame | None = None) -> Answer:
    """Page 1 from its inputs (frames of the report's SQL; None: not built). ``targets``: answer_targets.sql."""
    through, table = data_through_lines(vintage), data_through_table(vintage)
    gap_text, progress_text = _gap_sentence(divergence), _progress_sentence(progress_tests)
    if targets is None or targets.empty:
        sentences = [s for s in (gap_text, progress_text) if s] + [
            "The cooling forecast is not built yet, so this report cannot say whether tech hiring will cool."]
        return Answer("Tech hiring: no forecast yet", tuple(sentences), (), through, table, None, None)
    season = _season_words(targets.iloc[0]["season"])
    tech = targets[~targets["control"].astype(bool)]
    if tech.empty:
        tech = targets
    median = float(tech["probability"].median())
    caveats = {r.target_series: skill_words(r.target_series, r.model, skill) for r in targets.itertuples()}
    shown = [t for t in tech["target_series"] if caveats[t][1]]
    title = f"Tech hiring: cooling in {season} is {likelihood(median)}"
    if not shown:
        title += " (no backtest yet)" if skill is None else " (no forecast has shown skill yet)"

    def one(r) -> str:
        return f"{short_name(r.name)} {r.probability:.0%}"

    controls = targets[targets["control"].astype(bool) & ~targets["target_series"].isin(tech["target_series"])]
    p_text = (f"P(cooling) in {season}, a fall from the September-November average to March-May beyond each target's "
              "threshold: " + "; ".join(one(r) for r in tech.itertuples())
              + ("; the control, " + "; ".join(one(r) for r in controls.itertuples()) if len(controls) else "")
              + ". " + ("No backtest yet: no model has been scored on past seasons, so these are model outputs, "
                        "not demonstrated forecasts." if skill is None else
                        "Skill at this lead: " + "; ".join(f"{short_name(r.name)} {caveats[r.target_series][0]}"
                                                          for r in tech.itertuples()) + "."))
    sentences = [s for s in (gap_text, progress_text, _thesis_counts(thesis, set(tech["target_series"])), p_text,
                             _change_sentence(targets), _sensitivity_sentence(targets, gap, grid, skill)) if s]
    verdicts = tuple(
        f"{r.name} ({UNITS.get(r.unit, r.unit)}): cooling {likelihood(r.probability)}, {r.probability:.0%}, "
        f"{'above' if r.probability > r.base_rate else 'below' if r.probability < r.base_rate else 'at'} its base "
        f"rate of {r.base_rate:.0%}; {MODEL_NAMES.get(r.model, r.model)}, "
        f"{str(r.chosen_by).split(':')[0].split(' (')[0]}; {caveats[r.target_series][0]}"
        + (f"; observed through {pd.Timestamp(r.observed_through):%B %Y}" if pd.notna(r.observed_through) else "")
        + ("; the control, not a tech target" if r.control else "") + "."
        for r in targets.itertuples())
    lead = targets.iloc[0]
    return Answer(title, tuple(sentences), verdicts, through, table, float(lead["probability"]),
                  str(lead["target_series"]))
