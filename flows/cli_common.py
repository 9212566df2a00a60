"""What every command group of the CLI shares: the errors it reports in one line, and how it runs a flow."""

from __future__ import annotations

from rich.console import Console

err = Console(stderr=True)


def known_errors():
    from warehouse.build import BuildError
    from warehouse.catalog import CatalogError
    from warehouse.db import WarehouseError
    from warehouse.db import QueryRefused
    from warehouse.http import HttpError
    from warehouse.load import IngestError
    from warehouse.settings import SettingsError

    return (BuildError, CatalogError, WarehouseError, QueryRefused, IngestError, SettingsError, HttpError)


def run_flow(settings, flow_fn, *, prefect: bool | None = None, **kwargs):
    """Run a flow of flows.pipeline under Prefect, or (GAPCAST_PREFECT=off, or ``prefect`` False) its steps as plain
    calls; the Outcome."""
    from flows import environment
    from flows.pipeline import attempt, plain

    if not (settings.prefect if prefect is None else prefect):
        with plain():
            return attempt(flow_fn, **kwargs)
    settings.home.mkdir(parents=True, exist_ok=True)
    (settings.home / "prefect").mkdir(exist_ok=True)
    environment.apply(settings.home)
    with err.status("running the gapcast flow under Prefect (a temporary local API starts first)", spinner="dots"):
        return attempt(flow_fn, **kwargs)


