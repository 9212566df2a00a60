"""Epoch AI's Capabilities Index (ECI) CSV: one row per model version, its ECI score and release date.

The release date places a score in time (the frontier of a month is the best score released by its end); the
payload's retrieval time is its vintage. Rows without a score are counted, not loaded. Rows the file flags in
its ``Confidence`` column with a value the catalog excludes (``exclude_confidence``; the snapshot excludes
"Unverified": scores Epoch has not verified, among them the newest releases), and scored rows without a release
date, are set aside in meta.rejected_rows with the reason, never loaded.
"""

from __future__ import annotations

import pandas as pd

from warehouse.sources.base import Adapter, Payload, Records, RejectedRow
from warehouse.sources.csvtools import (
    is_missing,
    parse_dates,
    parse_numbers,
    read_table,
    refuse_conflicting_duplicates,
    refuse_future,
)

MODEL, SCORE, RELEASE, CONFIDENCE = "Model version", "ECI Score", "Release date", "Confidence"
UNIT = "ECI points"
# ECI scores of 2019-2026 releases lie between about 60 and 160; far outside is a damaged value, not a model.
PLAUSIBLE = (0.0, 400.0)


class EpochEci(Adapter):
    name = "epoch_eci"
    params_doc = {
        "exclude_confidence": "list of Confidence flags whose rows are set aside, not loaded (e.g. ['Unverified'])",
    }
    about = "Epoch AI Capabilities Index (CSV): ECI score per model version, placed by release date"

    def parse(self, payload: Payload) -> Records:
        excluded = payload.query.params.get("exclude_confidence", [])
        if isinstance(excluded, str) or not all(isinstance(x, str) for x in excluded):
            raise payload.error(f"params.exclude_confidence must be a list of flags, not {excluded!r}",
                                hint="write e.g. exclude_confidence = [\"Unverified\"] in the catalog")
        excluded = {x.strip().lower() for x in excluded}
        frame = read_table(payload, required=(MODEL, SCORE, RELEASE, CONFIDENCE))
        unscored = is_missing(frame[SCORE])
        skipped = int(unscored.sum())
        frame = frame[~unscored].reset_index(drop=True)
        if frame.empty:
            raise payload.error(f"no row has an {SCORE!r}", hint="check that this is the ECI file")
        blank = is_missing(frame[MODEL])
        if blank.any():
            i = blank.idxmax()
            raise payload.error(f"a scored row has no {MODEL!r}", line=int(frame["_line"][i]))
        flags = frame[CONFIDENCE].fillna("").astype(str).str.strip()
        flagged = flags.str.lower().isin(excluded)
        undated = is_missing(frame[RELEASE]) & ~flagged
        reasons = pd.Series("", index=frame.index)
        reasons[flagged] = "Confidence " + flags[flagged].map(repr) + ": excluded by the catalog (exclude_confidence)"
        reasons[undated] = "no release date: the score cannot be placed in time"
        out = flagged | undated
        rejected = tuple(
            RejectedRow(int(line), reason, f"{model},{score},{release}")
            for line, reason, model, score, release in zip(
                frame["_line"][out], reasons[out], frame[MODEL][out], frame[SCORE][out], frame[RELEASE][out])
        )
        frame = frame[~out].reset_index(drop=True)
        if frame.empty:
            raise payload.error("every scored row is excluded by params.exclude_confidence",
                                hint="check the catalog's exclude_confidence list")
        dates = parse_dates(payload, frame, RELEASE)
        refuse_future(payload, frame, dates, RELEASE)
        scores = parse_numbers(payload, frame, SCORE, what="score")
        odd = (scores < PLAUSIBLE[0]) | (scores > PLAUSIBLE[1])
        if odd.any():
            i = odd.idxmax()
            raise payload.error(f"ECI score {scores[i]!r} of {frame[MODEL][i]!r} is outside {PLAUSIBLE}: "
                                "a damaged value", line=int(frame["_line"][i]))
        records = pd.DataFrame({
            "entity": frame[MODEL].astype(str).str.strip(),
            "obs_date": dates,
            "field": "eci",
            "value": scores,
            "unit": UNIT,
            "published_at": None,
            "_line": frame["_line"],
        })
        clash = records.duplicated(["entity", "obs_date"], keep=False)
        if clash.any() and records[clash].groupby(["entity", "obs_date"])["value"].nunique().max() > 1:
            first = records[clash].groupby(["entity", "obs_date"]).filter(lambda g: g["value"].nunique() > 1).iloc[0]
            lines = records[clash & (records["entity"] == first["entity"])]["_line"].tolist()
            raise payload.error(f"model version {first['entity']!r} released {first['obs_date']} has two different "
                                f"scores (lines {lines})", line=int(lines[-1]))
        records = refuse_conflicting_duplicates(payload, records, ("entity", "obs_date", "field"))
        twice = records.duplicated(["entity", "field"], keep=False)
        if twice.any():
            first = records[twice].iloc[0]
            lines = records[twice & (records["entity"] == first["entity"])]["_line"].tolist()
            raise payload.error(f"model version {first['entity']!r} has two release dates (lines {lines})",
                                line=int(lines[-1]))
        return Records("observations", records, rejected=rejected, skipped_missing=skipped)
