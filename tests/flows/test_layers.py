"""The layers, read from the source with ast: who may import whom, and no import cycle anywhere.

models      pure statistics: imports no other gapcast package
warehouse   the database and the outside world: imports neither models nor dashboards
dashboards  the report and the app: of warehouse, only warehouse.db and warehouse.settings
flows       composes them all

Every import statement counts, also inside functions and under TYPE_CHECKING: a lazy import is still a
dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("models", "warehouse", "dashboards", "flows")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))}


def imports_of(path: Path, modules: dict[str, Path]) -> list[tuple[str, int]]:
    """The gapcast modules ``path`` imports, with the line of each import. ``from a import b`` counts as a.b when
    a.b is a module, else as a."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    here = module_name(path)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against this module's package
                package = here.split(".")[: -node.level] if not path.name == "__init__.py" else \
                    here.split(".")[: len(here.split(".")) - node.level + 1]
                base = ".".join([*package, base] if base else package)
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        else:
            continue
        for name in names:
            if name.split(".")[0] in PACKAGES:
                found.append((name, node.lineno))
    return found


def breach(importer: str, imported: str) -> str | None:
    """Why ``importer`` may not import ``imported`` (None when it may)."""
    mine, theirs = importer.split(".")[0], imported.split(".")[0]
    if mine == theirs or mine == "flows":
        return None
    if mine == "models":
        return "models is pure statistics and imports no other gapcast package"
    if mine == "warehouse":
        return "warehouse imports neither models nor dashboards (flows composes them)"
    if mine == "dashboards":
        if imported in ("warehouse.db", "warehouse.settings", "warehouse"):
            return None
        return "dashboards reads the published file through warehouse.db and warehouse.settings only"
    return None


def breaches(modules: dict[str, Path]) -> list[str]:
    out = []
    for name, path in modules.items():
        for imported, line in imports_of(path, modules):
            why = breach(name, imported)
            if why:
                out.append(f"{path.relative_to(ROOT)}:{line}: {name} imports {imported}: {why}")
    return out


def cycles(modules: dict[str, Path]) -> list[list[str]]:
    """Strongly connected components of more than one module (or a module importing itself)."""
    graph = {name: sorted({i for i, _ in imports_of(path, modules) if i in modules and i != name})
             for name, path in modules.items()}
    index, low, stack, on_stack, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v: str) -> None:  # Tarjan, iteratively deep enough for this size
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_no_layer_is_breached():
    found = breaches(all_modules())
    assert not found, "forbidden imports:\n" + "\n".join(found)


def test_no_import_cycle():
    found = cycles(all_modules())
    assert not found, "import cycles: " + "; ".join(" <-> ".join(c) for c in found)


@pytest.mark.parametrize("importer, imported, allowed", [
    ("models.cooling", "warehouse.db", False),
    ("models.cooling", "models.bubbles", True),
    ("warehouse.results", "models.api", False),
    ("warehouse.jobs", "dashboards.report", False),
    ("dashboards.views.sql", "warehouse.jobs", False),
    ("dashboards.views.sql", "warehouse.db", True),
    ("flows.steps", "models.api", True),
])
def test_the_rules(importer, imported, allowed):
    assert (breach(importer, imported) is None) == allowed


def test_a_forbidden_import_is_caught(tmp_path, monkeypatch):
    """The checks fail when a forbidden import or a cycle is added (on a copy of two modules)."""
    modules = all_modules()
    bad = tmp_path / "models" / "leak.py"
    bad.parent.mkdir()
    bad.write_text("def f():\n    from warehouse import db\n    return db\n")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    leak = {**{k: v for k, v in modules.items()}, "models.leak": bad}
    found = [line for line in breaches({"models.leak": bad}) if "models.leak imports warehouse" in line]
    assert found, "a lazy import of warehouse from models was not caught"
    a, b = tmp_path / "flows" / "a.py", tmp_path / "flows" / "b.py"
    a.parent.mkdir()
    a.write_text("from flows import b\n")
    b.write_text("def g():\n    import flows.a\n")
    assert cycles({"flows.a": a, "flows.b": b}) == [["flows.a", "flows.b"]]
    assert leak  # the real modules are untouched
