"""SWE-bench leaderboards (``data/leaderboards.json`` of swe-bench.github.io): per submission, the share of a
leaderboard's tasks resolved and the submission's date.

``{"leaderboards": [{"name": "Verified", "results": [{"folder", "name", "date", "resolved", "checked", ...}]}]}``.
One leaderboard per series (``params.leaderboard``, e.g. "Verified"). A submission is placed in time by its date
(when its result became public; the file gives no model release date); the retrieval time is the vintage.
With ``require_checked`` (the snapshot sets it), only results the SWE-bench team checked (``checked: true``) load;
the others are set aside in meta.rejected_rows with their flag, never loaded. The flag is as the file says at
its retrieval (a result checked later is only known checked from the vintage that says so).
"""

from __future__ import annotations

import json
import math
import re
from datetime import date, timedelta

import pandas as pd

from warehouse.sources.base import Adapter, Payload, Records, RejectedRow
from warehouse.sources.csvtools import decoded_text

UNIT = "percent resolved"


class SwebenchJson(Adapter):
    name = "swebench_json"
    params_doc = {
        "leaderboard": "the leaderboard's name, e.g. 'Verified' (also 'Lite', 'Test', 'Multimodal', 'bash-only')",
        "require_checked": "true: only results the SWE-bench team checked load; the others are set aside",
    }
    about = "SWE-bench leaderboards (JSON): % of tasks resolved per submission, placed by submission date"

    def parse(self, payload: Payload) -> Records:
        params = payload.query.params
        board = params.get("leaderboard")
        if not isinstance(board, str) or not board.strip():
            raise payload.error("params.leaderboard is not set", hint="set params.leaderboard, e.g. 'Verified'")
        require_checked = params.get("require_checked", False)
        if not isinstance(require_checked, bool):
            raise payload.error(f"params.require_checked must be true or false, not {require_checked!r}",
                                hint="write require_checked = true (no quotes) in the catalog")
        text = decoded_text(payload)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise payload.error(f"the JSON is malformed ({exc.msg})", line=exc.lineno) from None
        boards = data.get("leaderboards") if isinstance(data, dict) else None
        if not isinstance(boards, list):
            raise payload.error("not a SWE-bench leaderboards file: no 'leaderboards' list", line=1)
        names = [b.get("name") for b in boards if isinstance(b, dict)]
        chosen = [b for b in boards if isinstance(b, dict) and b.get("name") == board]
        if not chosen:
            raise payload.error(f"no leaderboard named {board!r}; the file has {names}",
                                hint="correct params.leaderboard in the catalog")
        results = chosen[0].get("results")
        if not isinstance(results, list) or not results:
            raise payload.error(f"leaderboard {board!r} has no results")
        latest = payload.retrieved_at.date() + timedelta(days=1)
        named = re.search(r'"name"\s*:\s*' + re.escape(json.dumps(board)), text)
        start = named.start() if named else 0  # the leaderboard's own "name" key: line numbers count from there
        rows, rejected, seen = [], [], {}
        for i, result in enumerate(results):
            where = f"{board} result {i + 1}"
            if not isinstance(result, dict):
                raise payload.error(f"{where} is not an object", line=None)
            key = result.get("folder") or result.get("name")
            line = _line_of(text, key, start)
            if not isinstance(key, str) or not key.strip():
                raise payload.error(f"{where} has neither a folder nor a name", line=line)
            if key in seen:
                raise payload.error(f"{where}: submission {key!r} appears twice (results {seen[key]} and {i + 1})",
                                    line=line)
            seen[key] = i + 1
            try:
                submitted = date.fromisoformat(str(result.get("date", "")).strip()[:10])
            except ValueError:
                raise payload.error(f"submission {key!r} has date {result.get('date')!r}, which is not a date",
                                    line=line) from None
            if submitted > latest:
                raise payload.error(f"submission {key!r} has date {submitted}, after the file was retrieved "
                                    f"({payload.retrieved_at:%Y-%m-%d}): a date in the future", line=line)
            resolved = result.get("resolved")
            if isinstance(resolved, bool) or not isinstance(resolved, (int, float)) or not math.isfinite(resolved):
                raise payload.error(f"submission {key!r} has resolved {resolved!r}, not a number", line=line)
            if not 0 <= resolved <= 100:
                raise payload.error(f"submission {key!r} has resolved {resolved!r}, outside 0..100 %", line=line)
            if require_checked and result.get("checked") is not True:
                rejected.append(RejectedRow(line or 0, f"checked is {result.get('checked')!r}: not checked by the "
                                            "SWE-bench team (require_checked)", f"{key}: {resolved}"))
                continue
            rows.append({"entity": key.strip(), "obs_date": submitted, "field": "resolved_pct",
                         "value": float(resolved), "unit": UNIT, "published_at": submitted, "_line": line or 0})
        if not rows:
            raise payload.error(f"no result of leaderboard {board!r} is left to load (require_checked?)")
        return Records("observations", pd.DataFrame(rows), rejected=tuple(rejected))


def _line_of(text: str, key: object, start: int = 0) -> int | None:
    """The 1-based line where a submission's folder (or name) first appears after ``start`` (the leaderboard's
    name: the same folder can sit in two leaderboards)."""
    if not isinstance(key, str) or not key:
        return None
    at = text.find(json.dumps(key), start)
    return None if at < 0 else text.count("\n", 0, at) + 1
