"""The one reader of the environment: every setting gapcast has, with its default."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CATALOG_DIR = PROJECT_ROOT / "catalogs"

class SettingsError(ValueError):
    """A setting has a value gapcast cannot use."""


@dataclass(frozen=True)
class Settings:
    """Resolved settings. Build with :func:`load_settings`; override with :meth:`with_`."""

    home: Path
    catalog: str = "live"
    data_root: Path = field(default_factory=lambda: PROJECT_ROOT.parent / "shared" / "data")
    sample_end_month: str | None = None
    stale_factor: float = 3.0
    fred_api_key: str | None = field(default=None, repr=False)
    sec_user_agent: str | None = field(default=None, repr=False)
    layoffs_url: str | None = None
    http_attempts: int = 4
    max_payload_mb: int = 256  # GAPCAST_MAX_PAYLOAD_MB: a payload file or response larger than this is refused
    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_security: str = "starttls"
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    email_from: str | None = None
    email_to: tuple[str, ...] = ()
    email_block: str | None = None
    shared_cache: Path | None = None  # GAPCAST_CACHE_DIR: results shared between homes (default: the home's cache/)
    dask_address: str | None = None  # GAPCAST_DASK_ADDRESS: a running dask.distributed scheduler for parallel work
    prefect: bool = True  # GAPCAST_PREFECT=off runs the flows' steps as plain calls

    @property
    def pipeline_db(self) -> Path:
        return self.home / "gapcast.duckdb"

    @property
    def analytics_db(self) -> Path:
        return self.home / "analytics.duckdb"

    @property
    def sample_dir(self) -> Path:
        return self.home / "sample"

    @property
    def outputs_dir(self) -> Path:
        return self.home / "outputs"

    @property
    def cache_dir(self) -> Path:
        return self.shared_cache or self.home / "cache"

    def with_(self, **changes) -> "Settings":
        clean = {k: v for k, v in changes.items() if v is not None}
        if "home" in clean:
            clean["home"] = Path(clean["home"]).expanduser().resolve()
        if "data_root" in clean:
            clean["data_root"] = Path(clean["data_root"]).expanduser().resolve()
        return replace(self, **clean)


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Read settings from the environment (or the mapping given), with defaults."""
    env = os.environ if environ is None else environ
    home = Path(env.get("GAPCAST_HOME") or "./data").expanduser().resolve()
    data_root_raw = env.get("GAPCAST_DATA_ROOT")
    data_root = (
        Path(data_root_raw).expanduser().resolve()
        if data_root_raw
        else (PROJECT_ROOT.parent / "shared" / "data").resolve()
    )
    stale_raw = env.get("GAPCAST_STALE_FACTOR") or "3"
    try:
        stale_factor = float(stale_raw)
    except ValueError:
        raise SettingsError(
            f"GAPCAST_STALE_FACTOR={stale_raw!r} is not a number; set it to e.g. 3"
        ) from None
    if stale_factor <= 0:
        raise SettingsError(f"GAPCAST_STALE_FACTOR={stale_raw!r} must be positive; set it to e.g. 3")
    attempts_raw = env.get("GAPCAST_HTTP_ATTEMPTS") or "4"
    if not attempts_raw.isdigit() or int(attempts_raw) < 1:
        raise SettingsError(f"GAPCAST_HTTP_ATTEMPTS={attempts_raw!r} must be a whole number >= 1; set it to e.g. 4")
    payload_raw = env.get("GAPCAST_MAX_PAYLOAD_MB") or "256"
    if not payload_raw.isdigit() or int(payload_raw) < 1:
        raise SettingsError(f"GAPCAST_MAX_PAYLOAD_MB={payload_raw!r} must be a whole number of megabytes >= 1; "
                            "set it to e.g. 256")
    security = (env.get("GAPCAST_SMTP_SECURITY") or "starttls").lower()
    if security not in {"none", "starttls", "ssl"}:
        raise SettingsError(f"GAPCAST_SMTP_SECURITY={security!r} must be none, starttls or ssl")
    port_raw = env.get("GAPCAST_SMTP_PORT")
    if port_raw and not port_raw.isdigit():
        raise SettingsError(f"GAPCAST_SMTP_PORT={port_raw!r} is not a port number")
    return Settings(
        smtp_host=env.get("GAPCAST_SMTP_HOST") or None,
        smtp_port=int(port_raw) if port_raw else None,
        smtp_security=security,
        smtp_user=env.get("GAPCAST_SMTP_USER") or None,
        smtp_password=env.get("GAPCAST_SMTP_PASSWORD") or None,
        email_from=env.get("GAPCAST_EMAIL_FROM") or None,
        email_to=tuple(a.strip() for a in (env.get("GAPCAST_EMAIL_TO") or "").split(",") if a.strip()),
        email_block=env.get("GAPCAST_EMAIL_BLOCK") or None,
        fred_api_key=env.get("FRED_API_KEY") or None,
        sec_user_agent=env.get("GAPCAST_SEC_USER_AGENT") or None,
        layoffs_url=env.get("GAPCAST_LAYOFFS_URL") or None,
        http_attempts=int(attempts_raw),
        max_payload_mb=int(payload_raw),
        home=home,
        catalog=env.get("GAPCAST_CATALOG") or "live",
        data_root=data_root,
        sample_end_month=env.get("GAPCAST_SAMPLE_END") or None,
        stale_factor=stale_factor,
        shared_cache=Path(env["GAPCAST_CACHE_DIR"]).expanduser().resolve() if env.get("GAPCAST_CACHE_DIR") else None,
        dask_address=env.get("GAPCAST_DASK_ADDRESS") or None,
        prefect=(env.get("GAPCAST_PREFECT") or "on").strip().lower() not in {"off", "0", "false", "no"},
    )
