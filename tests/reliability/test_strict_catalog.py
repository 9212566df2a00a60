"""Strict catalogs and ids (issue 18, class 7): every malformed value is refused at load with one line naming the
file and the entry (before: `adjusted = "false"` was read as true, `scale = "abc"` failed mid-ingest with a
traceback, a string where a table belongs, a deeply nested or non-UTF-8 file raised a traceback), ids keep to a
documented character set and duplicates are found ignoring case, and an id or error with markup brackets prints as
text in `gapcast status` (before: it crashed that home's status for good)."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.conftest import make_settings
from warehouse.catalog import CatalogError, load_catalog

HEAD = '[catalog]\nname = "strict"\nroot = "catalog"\n'
GOOD = ('\n[[series]]\nid = "NVDA"\nkind = "price"\nfrequency = "daily"\nadapter = "yahoo_csv"\nunit = "USD"\n'
        'payloads = [{ path = "nvda.csv" }]\n')


def load(tmp_path, text: str | bytes):
    (tmp_path / "nvda.csv").write_text("Date,Close\n2026-01-02,1.0\n")
    path = tmp_path / "c.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return load_catalog(str(path), make_settings(tmp_path / "home"))


@pytest.mark.parametrize("body, says", [
    (GOOD.replace('unit = "USD"', 'unit = "USD"\nparams = { adjusted = "false" }'),
     "param adjusted = 'false' is not true or false"),
    (GOOD.replace('adapter = "yahoo_csv"', 'adapter = "fred_csv"').replace('unit = "USD"', 'unit = "x"\n'
                                                                            'params = { scale = "abc" }'),
     "param scale = 'abc' is not a finite number other than 0"),
    (GOOD.replace('adapter = "yahoo_csv"', 'adapter = "fred_csv"').replace('unit = "USD"', 'unit = "x"\n'
                                                                            'params = { scale = true }'),
     "param scale = True is not a finite number"),
    (GOOD.replace('unit = "USD"', 'unit = "USD"\nparams = "adjusted"'), "params is str 'adjusted', not a table"),
    (GOOD.replace('payloads = [{ path = "nvda.csv" }]', 'payloads = "nvda.csv"'), "payloads is str, not a list"),
    (GOOD.replace('payloads = [{ path = "nvda.csv" }]', 'payloads = ["nvda.csv"]'), "a payload is str"),
    (GOOD.replace('payloads = [{ path = "nvda.csv" }]', 'payloads = [{ path = 7 }]'), "payload path 7 is not text"),
    (GOOD.replace('unit = "USD"', 'unit = 5'), "unit = 5 is not text"),
    (GOOD.replace('id = "NVDA"', 'id = "[red]NVDA"'), "has characters outside letters, digits"),
    (GOOD + GOOD.replace('id = "NVDA"', 'id = "nvda"'), "duplicate id 'nvda' (entry 1 is 'NVDA'; ids are compared "
                                                        "ignoring case)"),
])
def test_a_malformed_catalog_is_refused_in_one_line_naming_the_entry(tmp_path, body, says):
    with pytest.raises(CatalogError) as err:
        load(tmp_path, HEAD + body)
    message = str(err.value)
    assert says in message and str(tmp_path / "c.toml") in message and "\n" not in message, message


def test_a_deeply_nested_or_non_utf8_catalog_is_refused_in_one_line(tmp_path):
    with pytest.raises(CatalogError, match="not UTF-8 text"):
        load(tmp_path, (HEAD + GOOD).encode().replace(b'"USD"', b'"US\xff"'))
    with pytest.raises(CatalogError, match="nested too deeply|not valid TOML"):
        load(tmp_path, HEAD + "x = " + "[" * 100_000 + "]" * 100_000 + "\n")


def test_the_good_catalog_still_loads(tmp_path):
    assert [s.id for s in load(tmp_path, HEAD + GOOD).series] == ["NVDA"]


def test_status_prints_markup_in_ids_and_errors_as_text(tmp_path, monkeypatch):
    from flows import cli
    from warehouse import jobs

    frame = pd.DataFrame([{"series_id": "[bold]X[/", "kind": "price", "raw_rows": 3, "last_observation": None,
                           "last_retrieval": None, "status": "failed", "last_error": "bad [/] markup [red"}])
    monkeypatch.setattr(jobs, "status_job", lambda settings: (frame, "test"))
    monkeypatch.setattr(jobs, "deliveries_job", lambda settings: pd.DataFrame())
    done = CliRunner().invoke(cli.app, ["status", "--home", str(tmp_path)])
    assert done.exit_code == 0, done.output
    assert "[bold]X[/" in done.stdout and "bad [/] markup [red" in done.stdout
