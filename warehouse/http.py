"""The one HTTP layer for every live source but yfinance: timeouts, retries, Retry-After, caching, rate limits."""

from __future__ import annotations

import email.utils
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    wait_exponential_jitter,
)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 520, 521, 522, 524})
# Query parameters whose values are secrets: never shown in an error, a log line, a file, either database or the
# HTTP cache. A name is secret when it is one of these, or contains one of SECRET_PARTS (case ignored): this covers
# signed URLs (S3's X-Amz-Signature / X-Amz-Credential / X-Amz-Security-Token, GCS's X-Goog-Signature, Azure SAS
# 'sig') and the usual key, token, secret, password and credential forms.
SECRET_PARAMS = frozenset({"api_key", "apikey", "key", "token", "access_token", "password", "sig", "pwd", "auth",
                           "code", "session", "sessionid"})
SECRET_PARTS = ("key", "token", "secret", "password", "passwd", "signature", "credential", "auth")


@dataclass(frozen=True)
class HttpPolicy:
    """How patient to be with a source. Defaults suit scheduled runs; tests shorten them."""

    connect_timeout_s: float = 10.0
    read_timeout_s: float = 60.0
    attempts: int = 4
    connect_attempts: int = 2  # a host that cannot be reached is not tried four times
    backoff_initial_s: float = 1.0
    backoff_max_s: float = 60.0
    retry_after_max_s: float = 120.0
    user_agent: str = "gapcast (https://github.com/gapcast)"
    # requests per second per host; SEC allows 10, so stay below it
    rate_per_host: Mapping[str, float] = field(
        default_factory=lambda: {"data.sec.gov": 8.0, "www.sec.gov": 8.0, "efts.sec.gov": 8.0}
    )
    default_rate: float = 5.0


class HttpError(RuntimeError):
    """A request failed for good. The message names the source, the (redacted) URL, and what to do."""

    def __init__(self, source: str, url: str, problem: str, hint: str, *, status: int | None = None):
        self.source = source
        self.url = redact_url(url)
        self.status = status
        self.problem = problem
        super().__init__(f"{source}: {problem} ({self.url}). To fix: {hint}.")


class SourceUnreachable(HttpError):
    """The host could not be reached at all (DNS, refused, no route): later requests to it fail at once."""


class _RetryableStatus(Exception):
    def __init__(self, response: httpx.Response):
        self.response = response
        super().__init__(f"HTTP {response.status_code}")


def secret_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in SECRET_PARAMS or any(part in lowered for part in SECRET_PARTS)


def redact_url(url: str) -> str:
    """The URL with its user and password (``scheme://user:pass@host``) and every secret query value replaced by
    ***. Also safe on text that merely contains URLs (an error message)."""
    def mask(match: re.Match) -> str:
        return f"{match.group(1)}{match.group(2)}=***" if secret_param(match.group(2)) else match.group(0)

    text = re.sub(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s?#]+@", r"\1***@", str(url))
    return re.sub(r"([?&;]|^)([A-Za-z_][A-Za-z0-9_.\-]*)=([^&#\s]*)", mask, text)


def has_secret(url: str) -> bool:
    """Whether a URL carries a secret (credentials or a secret query value)."""
    return redact_url(url) != url


def retry_after_seconds(response: httpx.Response, now: datetime | None = None) -> float | None:
    """Seconds a 429/503 asks us to wait (delta-seconds or an HTTP date), or None."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = now or datetime.now(UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


class HostRateLimiter:
    """At most N requests per second to each host, by spacing them out."""

    def __init__(self, rates: Mapping[str, float], default: float, clock=time.monotonic, sleep=time.sleep):
        self._rates = dict(rates)
        self._default = default
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()
        self._clock = clock
        self._sleep = sleep

    def wait(self, host: str) -> float:
        interval = 1.0 / self._rates.get(host, self._default)
        with self._lock:
            now = self._clock()
            start = max(now, self._next.get(host, now))
            self._next[host] = start + interval
        delay = start - now
        if delay > 0:
            self._sleep(delay)
        return delay


@dataclass(frozen=True)
class Fetched:
    """A response body that arrived whole, with how it arrived."""

    url: str
    status: int
    content: bytes
    retrieved_at: datetime
    from_cache: bool
    revalidated: bool
    headers: Mapping[str, str]


class HttpClient:
    """httpx with tenacity retries, hishel conditional-request caching and a per-host rate limit.

    Every GET revalidates its cached copy (``Cache-Control: no-cache``): the server answers 304 when the
    payload is unchanged (ETag / Last-Modified), so an unchanged payload is not downloaded again.
    """

    def __init__(
        self,
        policy: HttpPolicy | None = None,
        *,
        cache_path: Path | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rate_sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] | None = None,
    ):
        self.policy = policy or HttpPolicy()
        inner = transport or httpx.HTTPTransport(retries=0)
        if cache_path is not None:
            import hishel
            from hishel.httpx import CacheTransport

            cache_path.parent.mkdir(parents=True, exist_ok=True)
            storage = hishel.SqliteStorage(database_path=str(cache_path))
            inner = CacheTransport(inner, storage=storage, rfc=hishel.CacheOptions(shared=False))
        self._client = httpx.Client(
            transport=inner,
            timeout=httpx.Timeout(self.policy.read_timeout_s, connect=self.policy.connect_timeout_s),
            headers={"User-Agent": self.policy.user_agent},
            follow_redirects=True,
        )
        # A URL that carries a secret is never cached (the cache stores the request's URL); the same transport.
        self._uncached = httpx.Client(
            transport=transport or httpx.HTTPTransport(retries=0),
            timeout=httpx.Timeout(self.policy.read_timeout_s, connect=self.policy.connect_timeout_s),
            headers={"User-Agent": self.policy.user_agent},
            follow_redirects=True,
        ) if cache_path is not None else self._client
        # Reachability checks bypass the cache and the retries.
        self._plain = httpx.Client(transport=transport or httpx.HTTPTransport(retries=0),
                                   headers={"User-Agent": self.policy.user_agent}, follow_redirects=False)
        # Microseconds kept: two pulls in the same second are still two vintages.
        self._now = clock or (lambda: datetime.now(UTC).replace(tzinfo=None))
        self._sleep = sleep
        self._limiter = HostRateLimiter(self.policy.rate_per_host, self.policy.default_rate, sleep=rate_sleep)
        self._unreachable: dict[str, str] = {}
        self.requests_sent = 0

    def close(self) -> None:
        self._client.close()
        self._uncached.close()
        self._plain.close()

    def __enter__(self) -> "HttpClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def get(
        self,
        url: str,
        *,
        source: str,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        not_found_ok: bool = False,
    ) -> Fetched | None:
        """GET a URL whole, retrying what is worth retrying; None for a 404 when ``not_found_ok``."""
        host = urlsplit(url).hostname or redact_url(url)
        if host in self._unreachable:
            raise SourceUnreachable(
                source, url, f"{host} could not be reached earlier in this run ({self._unreachable[host]})",
                "check the network, or run with --catalog snapshot or --catalog sample",
            )
        request_headers = {"Cache-Control": "no-cache", **(headers or {})}
        full_url = str(httpx.URL(url, params=params)) if params else url
        client = self._uncached if has_secret(full_url) else self._client

        def send() -> httpx.Response:
            self._limiter.wait(host)
            self.requests_sent += 1
            response = client.get(url, params=params, headers=request_headers)
            if response.status_code in RETRY_STATUSES:
                raise _RetryableStatus(response)
            return response

        retrying = Retrying(
            stop=self._stop,
            wait=self._wait,
            retry=retry_if_exception(_worth_retrying),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            response = retrying(send)
        except _RetryableStatus as exc:
            status = exc.response.status_code
            hint = ("the source is rate-limiting us: run again later or lower the request rate"
                    if status == 429 else "the source is failing: run again later")
            raise HttpError(source, full_url, f"HTTP {status} after {self.policy.attempts} attempts", hint,
                            status=status) from None
        except httpx.TimeoutException as exc:
            raise HttpError(source, full_url, f"timed out after retries ({type(exc).__name__})",
                            "run again later; the source may be slow or down") from None
        except (httpx.ConnectError, httpx.ProxyError) as exc:
            reason = _short(exc)
            self._unreachable[host] = reason
            raise SourceUnreachable(source, full_url, f"cannot connect to {host}: {reason}",
                                    "check the network, or run with --catalog snapshot or --catalog sample") from None
        except httpx.TransportError as exc:
            raise HttpError(source, full_url, f"the connection broke ({type(exc).__name__}: {_short(exc)})",
                            "run again later") from None
        if response.status_code == 404 and not_found_ok:
            return None
        if response.status_code >= 400:
            raise HttpError(source, full_url, f"HTTP {response.status_code}",
                            "check the series parameters in the catalog" if response.status_code in (400, 404)
                            else "check the credentials in the settings" if response.status_code in (401, 403)
                            else "run again later", status=response.status_code)
        status = response.extensions.get("caching") or {}
        return Fetched(
            url=redact_url(str(response.request.url)) if response.request else redact_url(full_url),
            status=response.status_code,
            content=response.content,
            retrieved_at=self._now(),
            from_cache=bool(status.get("from_cache", False)),
            revalidated=bool(status.get("revalidated", False)),
            headers=dict(response.headers),
        )

    def check(self, url: str, timeout_s: float = 5.0) -> str | None:
        """One quick request to see whether a host answers at all: None if it does, else why not."""
        host = urlsplit(url).hostname or url
        try:
            self._plain.head(url, timeout=timeout_s)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.ProxyError) as exc:
            reason = _short(exc)
            self._unreachable[host] = reason
            return f"cannot reach {host}: {reason}"
        except httpx.TransportError:
            return None  # it answered, if badly: the real requests will retry and say what went wrong
        return None

    def _stop(self, state: RetryCallState) -> bool:
        exc = state.outcome.exception() if state.outcome else None
        limit = self.policy.connect_attempts if isinstance(exc, httpx.ConnectError) else self.policy.attempts
        return state.attempt_number >= limit

    def _wait(self, state: RetryCallState) -> float:
        backoff = wait_exponential_jitter(
            multiplier=self.policy.backoff_initial_s, max=self.policy.backoff_max_s,
            jitter=self.policy.backoff_initial_s,
        )(state)
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _RetryableStatus):
            asked = retry_after_seconds(exc.response)
            if asked is not None:
                return min(max(asked, backoff), self.policy.retry_after_max_s)
        return backoff


def _worth_retrying(exc: BaseException) -> bool:
    if isinstance(exc, _RetryableStatus):
        return True
    if isinstance(exc, httpx.ConnectError):
        return True
    # timeouts, resets, a body cut short (RemoteProtocolError), read errors
    return isinstance(exc, httpx.TransportError) and not isinstance(exc, (httpx.UnsupportedProtocol, httpx.ProxyError))


def _short(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]
