"""METR's time-horizon results (``benchmark_results_<version>.yaml``): per model, the length of task (in minutes
of a human expert's time) that it completes with 50% and 80% reliability, with a 95% interval, and its release date.

METR republishes the file when it re-measures (v1.0, then v1.1 with a changed task suite and corrected numbers):
each file is a vintage, its retrieval time the vintage's time. Every row carries the file's benchmark version in
its unit (``minutes (METR-Horizon-v1.1)``), so a later version stores every model again and the frontier build
reads one version whole: the newest known at its as-of (warehouse/sql/marts/090_progress_monthly.sql).

Rows are placed in time by the model's release date. A result with no 50% interval (``ci_low``, ``ci_high``) is
set aside in meta.rejected_rows, never loaded: METR publishes every estimate with one, and hand-added entries in
republished copies lack it.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

import pandas as pd
import yaml

from warehouse.sources.base import Adapter, Payload, Records, RejectedRow
from warehouse.sources.csvtools import decoded_text

FIELDS = {  # field -> (metric, key)
    "p50_minutes": ("p50_horizon_length", "estimate"),
    "p50_low": ("p50_horizon_length", "ci_low"),
    "p50_high": ("p50_horizon_length", "ci_high"),
    "p80_minutes": ("p80_horizon_length", "estimate"),
}
# A horizon is a length of task in minutes: between a hundredth of a second (the smallest number in these files is
# GPT-2's lower 50% bound, 0.12 s) and a working year (2,000 hours) is plausible; outside it, a damaged value.
PLAUSIBLE_MINUTES = (0.01 / 60.0, 60.0 * 2000)


class MetrYaml(Adapter):
    name = "metr_yaml"
    about = "METR time horizons (YAML): 50% / 80% horizon in minutes per model, placed by release date"

    def parse(self, payload: Payload) -> Records:
        text = decoded_text(payload)
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise payload.error(f"the YAML is malformed ({getattr(exc, 'problem', None) or exc})",
                                line=mark.line + 1 if mark else None) from None
        _refuse_repeated_keys(payload, root)
        data = yaml.SafeLoader(text).get_single_data() if root is not None else None
        if not isinstance(data, dict) or not isinstance(data.get("results"), dict) or not data["results"]:
            raise payload.error("not a METR results file: no 'results' mapping of models", line=1,
                                hint="expected METR's benchmark_results_<version>.yaml")
        version = data.get("benchmark_name")
        if not isinstance(version, str) or not version.strip():
            raise payload.error("the file names no benchmark_name (the METR-Horizon version)", line=1)
        lines = _result_lines(root)
        unit = f"minutes ({version.strip()})"
        rows: list[dict] = []
        rejected: list[RejectedRow] = []
        latest = payload.retrieved_at.date() + timedelta(days=1)
        for position, (model, result) in enumerate(data["results"].items()):
            line = lines[position] if position < len(lines) else None
            if not isinstance(model, str):  # e.g. `yes:` or `1e3:`, which YAML reads as a boolean or a number
                raise payload.error(f"model key {model!r} is not a name (YAML read it as a "
                                    f"{type(model).__name__})", line=line, hint="quote the key in the file")
            if not isinstance(result, dict) or not isinstance(result.get("metrics"), dict):
                raise payload.error(f"model {model!r} has no metrics mapping", line=line)
            released = result.get("release_date")
            if isinstance(released, datetime):
                released = released.date()
            if isinstance(released, str):
                try:
                    released = date.fromisoformat(released.strip())
                except ValueError:
                    pass
            if not isinstance(released, date):
                raise payload.error(f"model {model!r} has release_date {released!r}, which is not a date", line=line)
            if released > latest:
                raise payload.error(f"model {model!r} has release_date {released}, after the file was retrieved "
                                    f"({payload.retrieved_at:%Y-%m-%d}): a date in the future", line=line)
            p50 = result["metrics"].get("p50_horizon_length")
            if not isinstance(p50, dict) or p50.get("estimate") is None:
                raise payload.error(f"model {model!r} has no p50_horizon_length estimate", line=line)
            if p50.get("ci_low") is None or p50.get("ci_high") is None:
                rejected.append(RejectedRow(line or 0, "no 50% interval (ci_low, ci_high): unverified entry",
                                            f"{model}: {p50}"))
                continue
            values = {}
            for name, (metric, key) in FIELDS.items():
                raw = (result["metrics"].get(metric) or {}).get(key)
                if raw is None:
                    continue
                try:
                    number = float(raw)
                except (TypeError, ValueError):
                    raise payload.error(f"model {model!r} has {metric}.{key} {raw!r}, not a number",
                                        line=line) from None
                if not math.isfinite(number) or not PLAUSIBLE_MINUTES[0] <= number <= PLAUSIBLE_MINUTES[1]:
                    raise payload.error(f"model {model!r} has {metric}.{key} {raw!r} minutes, outside "
                                        f"{PLAUSIBLE_MINUTES[0]:.3g}..{PLAUSIBLE_MINUTES[1]:.0f}: a damaged value",
                                        line=line)
                values[name] = number
            if not values["p50_low"] <= values["p50_minutes"] <= values["p50_high"]:
                raise payload.error(f"model {model!r}: its 50% horizon {values['p50_minutes']} lies outside its own "
                                    f"interval [{values['p50_low']}, {values['p50_high']}]", line=line)
            for name, number in values.items():
                rows.append({"entity": str(model), "obs_date": released, "field": name, "value": number,
                             "unit": unit, "published_at": None, "_line": line or 0})
        if not rows:
            raise payload.error("no model has a verified 50% horizon", line=1)
        frame = pd.DataFrame(rows)
        return Records("observations", frame, rejected=tuple(rejected))


def _refuse_repeated_keys(payload: Payload, node: yaml.Node | None) -> None:
    """YAML keeps the last of two equal keys silently: a model listed twice is refused with the second's line."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            name = str(getattr(key, "value", key))
            if name in seen:
                raise payload.error(f"key {name!r} appears twice (lines {seen[name]} and {key.start_mark.line + 1})",
                                    line=key.start_mark.line + 1, hint="keep one entry per model")
            seen[name] = key.start_mark.line + 1
            _refuse_repeated_keys(payload, value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _refuse_repeated_keys(payload, item)


def _result_lines(root: yaml.Node | None) -> list[int]:
    """The 1-based line of each model's key under ``results``, in the file's order (the order the loaded mapping
    keeps), for errors that point at the entry."""
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if getattr(key, "value", None) == "results" and isinstance(value, yaml.MappingNode):
            return [model.start_mark.line + 1 for model, _ in value.value]
    return []
