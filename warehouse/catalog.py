"""Parse and validate a series catalog (TOML): the universe gapcast loads and the role of each series."""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType

from warehouse.settings import CATALOG_DIR, Settings
from warehouse.series import PayloadSpec, SeriesSpec
from warehouse.sources import ADAPTERS

KINDS = ("price", "fundamentals", "segment", "hiring", "macro", "funding", "layoffs", "progress")
ROLES = ("ai_basket", "hyperscaler", "benchmark", "control", "talent_target", "datacenter_segment", "ai_lab_revenue",
         "ai_lab_funding", "tech_basket", "progress_frontier")
FREQUENCIES = ("daily", "weekly", "monthly", "quarterly", "annual", "event")
ROOTS = ("data_root", "sample", "catalog")

_CATALOG_KEYS = {"name", "description", "root", "synthetic", "sample_end_month"}
_SERIES_KEYS = {"id", "ticker", "name", "kind", "frequency", "adapter", "unit", "roles", "params", "payloads", "description"}
_PAYLOAD_KEYS = {"path", "retrieved_at", "params"}


class CatalogError(ValueError):
    """A catalog gapcast refuses, naming the file and the entry."""


@dataclass(frozen=True)
class Catalog:
    name: str
    path: Path
    description: str
    synthetic: bool
    root: Path
    series: tuple[SeriesSpec, ...]
    sample_end_month: str | None = None

    def get(self, series_id: str) -> SeriesSpec:
        for s in self.series:
            if s.id == series_id:
                return s
        raise KeyError(series_id)

    def with_role(self, role: str) -> tuple[SeriesSpec, ...]:
        return tuple(s for s in self.series if role in s.roles)



def bundled_catalogs() -> list[str]:
    """Names of the bundled series catalogs (other TOML files in catalogs/, e.g. assumptions, are not)."""
    return sorted(p.stem for p in CATALOG_DIR.glob("*.toml") if "[[series]]" in p.read_text(encoding="utf-8"))


def resolve_catalog_path(name_or_path: str) -> Path:
    """A bundled catalog name (live, sample, snapshot) or a path to a TOML file."""
    candidate = CATALOG_DIR / f"{name_or_path}.toml"
    if "/" not in name_or_path and not name_or_path.endswith(".toml"):
        if candidate.exists() and name_or_path in bundled_catalogs():
            return candidate
        bundled = bundled_catalogs()
        raise CatalogError(
            f"no bundled catalog named {name_or_path!r}; bundled: {', '.join(bundled)}. "
            "To fix: pass one of those or a path to a TOML file"
        )
    path = Path(name_or_path).expanduser()
    if not path.exists():
        raise CatalogError(f"{path}: catalog file not found. To fix: check the --catalog path")
    return path


ID_PATTERN = re.compile(r"[A-Za-z0-9^][A-Za-z0-9_.^-]{0,63}")  # letters, digits and _ . ^ -, 64 at most
# Every adapter parameter's type (the same name means the same thing in every adapter). A value of another type is
# refused with its entry: before, `adjusted = "false"` was read as true and `scale = "abc"` failed mid-ingest.
_TEXT = (str, "text")
PARAM_TYPES: dict[str, tuple[object, str]] = {
    **{k: (bool, "true or false") for k in ("adjusted", "require_checked", "shares", "statements")},
    "scale": ((int, float), "a finite number other than 0"),
    **{k: (int, "a whole number") for k in ("revision_days", "overlap_days", "cik")},
    **{k: (list, "a list of strings") for k in ("exclude_confidence", "entities", "industry_groups")},
    "fields": (dict, "a table of field name = column"),
}


def _check_param(key: str, value, where: str, fail) -> None:
    kind, words = PARAM_TYPES.get(key, _TEXT)
    ok = isinstance(value, kind) and not (isinstance(value, bool) and kind is not bool)
    if ok and kind is list:
        ok = all(isinstance(v, str) for v in value)
    if ok and kind is dict:
        ok = all(isinstance(v, str) for v in value.values())
    if ok and key == "scale":
        ok = math.isfinite(float(value)) and float(value) != 0
    if not ok:
        raise fail(where, f"param {key} = {value!r} is not {words}", f"write {key} as {words} (TOML: no quotes "
                                                                       "around numbers and true/false)")


def _table(value, what: str, where: str, fail) -> dict:
    if not isinstance(value, dict):
        raise fail(where, f"{what} is {type(value).__name__} {value!r}, not a table",
                   f"write {what} = {{ key = value, ... }}")
    return value


def load_catalog(name_or_path: str, settings: Settings, *, check_files: bool = True) -> Catalog:
    """Read and validate a catalog; refuse unknown keys, duplicate ids, unknown adapters, missing files."""
    path = resolve_catalog_path(name_or_path)
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise CatalogError(f"{path}: not UTF-8 text (byte {exc.start}). To fix: save the catalog as UTF-8") from None
    except RecursionError:
        raise CatalogError(f"{path}: nested too deeply to read. To fix: a catalog needs two levels at most") from None
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{path}: not valid TOML ({exc}). To fix: correct the syntax") from None

    def fail(entry: str, problem: str, hint: str) -> CatalogError:
        return CatalogError(f"{path}: {entry}: {problem}. To fix: {hint}")

    unknown_top = set(doc) - {"catalog", "series"}
    if unknown_top:
        raise fail("top level", f"unknown key(s) {sorted(unknown_top)}", "use only [catalog] and [[series]]")
    head = _table(doc.get("catalog", {}), "[catalog]", "top level", fail)
    unknown = set(head) - _CATALOG_KEYS
    if unknown:
        raise fail("[catalog]", f"unknown key(s) {sorted(unknown)}", f"allowed keys: {sorted(_CATALOG_KEYS)}")
    root_kind = head.get("root", "catalog")
    if root_kind not in ROOTS:
        raise fail("[catalog]", f"root = {root_kind!r} is not one of {ROOTS}", "pick one of those")
    root = {"data_root": settings.data_root, "sample": settings.sample_dir, "catalog": path.parent}[root_kind]
    synthetic = bool(head.get("synthetic", False))
    sample_end = settings.sample_end_month or head.get("sample_end_month")
    default_retrieved = None
    if root_kind == "sample":
        if not sample_end:
            raise fail("[catalog]", "a sample catalog needs sample_end_month", "set sample_end_month = \"YYYY-MM\"")
        default_retrieved = sample_retrieved_at(sample_end, lambda m: fail("[catalog]", m, "use YYYY-MM"))

    entries = doc.get("series", [])
    if not isinstance(entries, list) or not entries:
        raise fail("[[series]]", "the catalog declares no series", "add [[series]] entries")
    seen: dict[str, tuple[int, str]] = {}
    series: list[SeriesSpec] = []
    for n, entry in enumerate(entries, start=1):
        entry = _table(entry, f"series entry {n}", f"series entry {n}", fail)
        sid = entry.get("id")
        label = f"series {sid!r} (entry {n})" if sid else f"series entry {n}"
        if not sid or not isinstance(sid, str):
            raise fail(label, "has no id", "give every series a string id")
        if not ID_PATTERN.fullmatch(sid):
            raise fail(label, f"id {sid!r} has characters outside letters, digits and _ . ^ - (or is over 64)",
                       "use only those in series ids (they name files, tables and command-line arguments)")
        unknown = set(entry) - _SERIES_KEYS
        if unknown:
            raise fail(label, f"unknown key(s) {sorted(unknown)}", f"allowed keys: {sorted(_SERIES_KEYS)}")
        if sid.lower() in seen:
            first_n, first = seen[sid.lower()]
            raise fail(label, f"duplicate id {sid!r} (entry {first_n} is {first!r}; ids are compared ignoring case)",
                       "give each series one entry")
        seen[sid.lower()] = (n, sid)
        for key in ("name", "unit", "description", "ticker"):
            if key in entry and not isinstance(entry[key], str):
                raise fail(label, f"{key} = {entry[key]!r} is not text", f"write {key} in quotes")
        for key, allowed in (("kind", KINDS), ("frequency", FREQUENCIES)):
            value = entry.get(key)
            if value not in allowed:
                raise fail(label, f"{key} = {value!r} is not one of {allowed}", f"set {key} to one of those")
        if not isinstance(entry.get("roles", []), list):
            raise fail(label, f"roles = {entry['roles']!r} is not a list", 'write roles = ["..."]')
        roles = tuple(entry.get("roles", ()))
        bad_roles = [r for r in roles if r not in ROLES]
        if bad_roles:
            raise fail(label, f"unknown role(s) {bad_roles}", f"roles are {ROLES}")
        adapter = entry.get("adapter")
        if adapter not in ADAPTERS:
            known = sorted(ADAPTERS)
            raise fail(label, f"unknown adapter {adapter!r}", f"use one of {known}")
        params = dict(_table(entry.get("params", {}), "params", label, fail))
        if adapter in ADAPTERS:
            allowed_params = set(ADAPTERS[adapter].params_doc)
            unknown = set(params) - allowed_params
            if unknown:
                raise fail(label, f"unknown param(s) {sorted(unknown)} for adapter {adapter}",
                           f"allowed: {sorted(allowed_params) or 'none'}")
        for key, value in params.items():
            _check_param(key, value, label, fail)
        payloads = []
        raw_payloads = entry.get("payloads", [])
        if not isinstance(raw_payloads, list):
            raise fail(label, f"payloads is {type(raw_payloads).__name__}, not a list",
                       'write payloads = [{ path = "..." }]')
        if adapter in ADAPTERS and not ADAPTERS[adapter].live and not raw_payloads:
            raise fail(label, f"adapter {adapter} reads files but no payloads are listed",
                       "add payloads = [{ path = \"...\" }]")
        for p in raw_payloads:
            p = _table(p, "a payload", label, fail)
            unknown = set(p) - _PAYLOAD_KEYS
            if unknown:
                raise fail(label, f"payload has unknown key(s) {sorted(unknown)}", f"allowed: {sorted(_PAYLOAD_KEYS)}")
            if "path" not in p:
                raise fail(label, "a payload has no path", "give each payload a path")
            if not isinstance(p["path"], str) or not p["path"]:
                raise fail(label, f"payload path {p['path']!r} is not text", 'write path = "folder/file.csv"')
            ppath = Path(p["path"])
            if not ppath.is_absolute():
                ppath = root / ppath
                if check_files and root_kind != "sample" and ppath.exists() and \
                        not ppath.resolve().is_relative_to(root.resolve()):
                    # a relative path names a file under the root: a link out of it is not what the catalog says
                    raise fail(label, f"payload {p['path']} resolves to {ppath.resolve()}, outside the root "
                                      f"{root.resolve()} (a symbolic link leaving it)",
                               "put the file itself under the root, or give its absolute path in the catalog")
            extra = dict(_table(p.get("params", {}), "payload params", label, fail))
            for key, value in extra.items():
                _check_param(key, value, f"{label}, payload {p['path']}", fail)
            unknown = set(extra) - set(ADAPTERS[adapter].params_doc) if adapter in ADAPTERS else set()
            if unknown:
                raise fail(label, f"payload {p['path']} has unknown param(s) {sorted(unknown)}",
                           f"allowed: {sorted(ADAPTERS[adapter].params_doc)}")
            retrieved = _parse_retrieved(p.get("retrieved_at"), lambda m: fail(label, m, "use YYYY-MM-DD"))
            if check_files and root_kind != "sample" and not ppath.exists():
                hint = (
                    "set GAPCAST_DATA_ROOT to the folder holding the snapshot files"
                    if root_kind == "data_root"
                    else "correct the path"
                )
                raise fail(label, f"file not found: {ppath}", hint)
            payloads.append(PayloadSpec(ppath, retrieved or default_retrieved, MappingProxyType(extra)))
        series.append(
            SeriesSpec(
                id=sid,
                kind=entry["kind"],
                adapter=adapter,
                frequency=entry["frequency"],
                roles=roles,
                unit=str(entry.get("unit", "")),
                name=str(entry.get("name", "")),
                description=str(entry.get("description", "")),
                params=MappingProxyType(params),
                payloads=tuple(payloads),
                synthetic=synthetic,
                ticker=str(entry.get("ticker", "")),
            )
        )
    return Catalog(
        name=str(head.get("name", path.stem)),
        path=path,
        description=str(head.get("description", "")),
        synthetic=synthetic,
        root=root,
        series=tuple(series),
        sample_end_month=sample_end,
    )


def sample_retrieved_at(end_month: str, fail=None) -> datetime:
    """The synthetic sample counts as retrieved on the 5th of the month after its last month."""
    try:
        year, month = (int(x) for x in str(end_month).split("-"))
        date(year, month, 1)
    except ValueError:
        err = f"sample end month {end_month!r} is not YYYY-MM"
        raise (fail(err) if fail else CatalogError(err)) from None
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return datetime(year, month, 5)


def _parse_retrieved(value, fail) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    try:
        return datetime.fromisoformat(str(value)).replace(tzinfo=None)
    except ValueError:
        raise fail(f"retrieved_at {value!r} is not a date") from None
