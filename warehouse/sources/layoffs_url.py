"""A layoffs.fyi-format CSV at a configured URL or path (GAPCAST_LAYOFFS_URL)."""

from __future__ import annotations

from urllib.parse import urlsplit

from warehouse.sources.base import Adapter, Payload, PayloadError, Query, Records, SourceContext
from warehouse.sources.layoffs_csv import LayoffsCsv
from warehouse.sources.live import HttpAdapter


class LayoffsUrl(HttpAdapter):
    name = "layoffs_url"
    record_type = "layoff_events"
    about = ("A layoffs.fyi-format CSV you point GAPCAST_LAYOFFS_URL at (an http(s) URL or a file path); "
             "each changed file is kept whole as a vintage.")
    params_doc = {**LayoffsCsv.params_doc}

    def probe(self, context: SourceContext) -> str | None:
        if not context.settings.layoffs_url:
            return "GAPCAST_LAYOFFS_URL is not set: set it to the URL or path of a layoffs.fyi-format CSV"
        return None

    def preflight_url(self, context: SourceContext) -> str | None:
        url = context.settings.layoffs_url or ""
        if not url.startswith(("http://", "https://")):
            return None
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}/"

    def queries(self, series, context: SourceContext | None = None) -> list[Query]:
        location = context.settings.layoffs_url if context is not None else None
        if not location:
            raise PayloadError("GAPCAST_LAYOFFS_URL", series.id, "no layoffs CSV is configured",
                               hint="set GAPCAST_LAYOFFS_URL to the URL or path of a layoffs.fyi-format CSV")
        return [Query(series, location, dict(series.params))]

    def fetch(self, query: Query, context: SourceContext | None = None) -> Payload | None:
        if query.location.startswith(("http://", "https://")):
            return super().fetch(query, context)
        return Adapter.fetch(self, query, context)

    def parse(self, payload: Payload) -> Records:
        return LayoffsCsv().parse(payload)
