"""The `gapcast dashboard` command: serve the analysts' dashboard on 127.0.0.1, added to an app by :func:`register`."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.console import Console

err = Console(stderr=True)
APP = Path(__file__).resolve().parents[1] / "dashboards" / "app.py"
HOST = "127.0.0.1"

HomeOption = Annotated[
    Optional[Path], typer.Option("--home", help="Where gapcast writes (default: $GAPCAST_HOME or ./data).")
]
PortOption = Annotated[int, typer.Option("--port", min=1, max=65535, help="Port on 127.0.0.1 to serve on.")]


def register(app: typer.Typer) -> None:
    """Add ``dashboard`` to a Typer app (flows.cli's, or a test's)."""
    app.command("dashboard")(dashboard)


def streamlit_command(port: int) -> list[str]:
    """How the dashboard is served: Streamlit bound to loopback, headless, no usage statistics."""
    return [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.address", HOST,
        "--server.port", str(port),
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        # Analysts do not edit the app: no watching the source tree, no developer toolbar.
        "--server.fileWatcherType", "none",
        "--client.toolbarMode", "viewer",
    ]


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]gapcast: error:[/] {escape(message)}", markup=True, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def dashboard(home: HomeOption = None, port: PortOption = 8501) -> None:
    """Serve the analysts' dashboard on http://127.0.0.1:PORT; it reads analytics.duckdb read-only."""
    from warehouse.settings import SettingsError, load_settings

    try:
        settings = load_settings().with_(home=home)
    except SettingsError as exc:
        _fail(str(exc))
    if not port_free(port):
        _fail(f"port {port} on {HOST} is in use (another dashboard?); pass --port with a free one")
    if not settings.analytics_db.exists():
        err.print(f"[yellow]note:[/] {escape(str(settings.analytics_db))} does not exist yet; the dashboard says "
                  "so and shows the data once `gapcast run` publishes it", highlight=False, soft_wrap=True)
    typer.echo(f"gapcast dashboard: http://{HOST}:{port}  (reading {settings.analytics_db}; Ctrl-C stops it)")
    sys.stdout.flush()
    sys.stderr.flush()
    env = {**os.environ, "GAPCAST_HOME": str(settings.home)}
    # Become Streamlit rather than wrap it: Ctrl-C and SIGTERM reach the server itself, and its exit code is ours.
    os.execve(sys.executable, streamlit_command(port), env)


def main() -> None:
    """`python -m flows.cli_dashboard dashboard ...`: the command on its own, before flows.cli registers it."""
    app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False)

    @app.callback()
    def _root() -> None:
        """gapcast's dashboard command."""

    register(app)
    app()


if __name__ == "__main__":
    main()
