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


def run_flow(settings, flow_name: str, *, prefect: bool | None = None, **kwargs):
    """Run the flow ``flow_name`` of flows.pipeline under Prefect, or (GAPCAST_PREFECT=off, or ``prefect`` False) its
    steps as plain calls; the Outcome. Prefect reads its settings when it is first imported, so the home's Prefect
    environment (PREFECT_HOME, log level, timeouts) is applied before flows.pipeline is."""
    from flows import environment

    use_prefect = settings.prefect if prefect is None else prefect
    if use_prefect:
        settings.home.mkdir(parents=True, exist_ok=True)
        (settings.home / "prefect").mkdir(exist_ok=True)
        environment.apply(settings.home)
        import prefect  # noqa: F401  (loaded first, so that the flows are Prefect's own objects)

        environment.bind_prefect_server_to_this_process()  # a killed run leaves no orphaned temporary server
    from flows import pipeline

    flow_fn = getattr(pipeline, flow_name)
    if not use_prefect:
        with pipeline.plain():
            return pipeline.attempt(flow_fn, **kwargs)
    with err.status("running the gapcast flow under Prefect (a temporary local API starts first)", spinner="dots"):
        return pipeline.attempt(flow_fn, **kwargs)


