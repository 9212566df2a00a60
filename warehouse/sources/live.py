"""What the live adapters share: fetching a query's URL through the one HTTP layer."""

from __future__ import annotations

from warehouse.sources.base import Adapter, Payload, PayloadError, Query, SourceContext


class HttpAdapter(Adapter):
    """A live source reached over HTTP. Subclasses build the queries and parse the payloads."""

    live = True
    # A URL on the source's host for the reachability check before a live run.
    check_url: str = ""

    def preflight_url(self, context: SourceContext) -> str | None:
        return self.check_url or None

    def fetch(self, query: Query, context: SourceContext | None = None) -> Payload | None:
        if context is None or context.http is None:
            raise PayloadError(query.location, query.series.id, "no HTTP client was given to a live adapter",
                               hint="run it through gapcast ingest")
        fetched = context.http.get(query.location, source=self.name, headers=self.headers(context),
                                   params=query.params.get("_http_params"))
        return Payload(query=query, content=fetched.content, origin=fetched.url, retrieved_at=fetched.retrieved_at)

    def headers(self, context: SourceContext) -> dict[str, str]:
        return {}

    def probe(self, context: SourceContext) -> str | None:
        return None


class SecAdapter(HttpAdapter):
    """SEC sources: a User-Agent with a contact address is required, and refused without one."""

    def probe(self, context: SourceContext) -> str | None:
        agent = context.settings.sec_user_agent
        if not agent or "@" not in agent:
            return ("SEC requires a User-Agent with a contact address: set GAPCAST_SEC_USER_AGENT, "
                    "e.g. 'Jane Analyst jane@example.com'")
        return None

    def headers(self, context: SourceContext) -> dict[str, str]:
        return {"User-Agent": context.settings.sec_user_agent or ""}

    def require_agent(self, series, context: SourceContext | None) -> None:
        """Refuse before any request when the contact is missing (nothing is sent to SEC)."""
        reason = self.probe(context) if context is not None else None
        if reason:
            raise PayloadError("GAPCAST_SEC_USER_AGENT", series.id, reason.split(":")[0],
                               hint=reason.split(": ", 1)[1])
