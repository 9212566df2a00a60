"""The HTTP layer: retries, Retry-After, conditional requests, rate limits, redaction — on a mock transport."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from warehouse.http import (
    HostRateLimiter,
    HttpClient,
    HttpError,
    HttpPolicy,
    SourceUnreachable,
    redact_url,
    retry_after_seconds,
)

FAST = HttpPolicy(attempts=4, connect_attempts=2, backoff_initial_s=1.0, backoff_max_s=8.0, default_rate=1000.0)


class Script:
    """A mock server answering from a list of responses (or exceptions), recording every request."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def client(script, tmp_path=None, cache=False, policy=FAST):
    sleeps: list[float] = []
    c = HttpClient(policy, transport=httpx.MockTransport(script), sleep=sleeps.append,
                   cache_path=(tmp_path / "http.sqlite") if cache else None)
    return c, sleeps


def test_429_then_success_honours_retry_after(tmp_path):
    script = Script(httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, text="date,value\n"))
    c, sleeps = client(script)
    fetched = c.get("https://example.test/a.csv", source="test")
    assert fetched.content == b"date,value\n"
    assert len(script.requests) == 2
    assert sleeps == [7.0]


def test_server_error_three_times_then_success(tmp_path):
    script = Script(httpx.Response(500), httpx.Response(502), httpx.Response(503), httpx.Response(200, text="ok"))
    c, sleeps = client(script)
    assert c.get("https://example.test/x", source="test").content == b"ok"
    assert len(sleeps) == 3
    assert all(1.0 <= s <= 8.0 + 1.0 for s in sleeps)
    assert sleeps[1] >= 2.0 and sleeps[2] >= 4.0  # exponential: 1, 2, 4 (+ jitter)


def test_server_error_every_time_gives_up_with_a_clear_error():
    script = Script(httpx.Response(500))
    c, sleeps = client(script)
    with pytest.raises(HttpError) as err:
        c.get("https://example.test/x", source="fred")
    assert len(script.requests) == 4 and len(sleeps) == 3
    assert "fred: HTTP 500 after 4 attempts (https://example.test/x)" in str(err.value)
    assert "To fix:" in str(err.value)


def test_timeout_is_retried_then_reported():
    script = Script(httpx.ReadTimeout("slow"), httpx.ReadTimeout("slow"), httpx.ReadTimeout("slow"),
                    httpx.ReadTimeout("slow"))
    c, _ = client(script)
    with pytest.raises(HttpError, match="timed out after retries"):
        c.get("https://example.test/x", source="test")
    assert len(script.requests) == 4


def test_truncated_body_is_retried():
    script = Script(httpx.RemoteProtocolError("peer closed connection without sending complete message body"),
                    httpx.Response(200, text="whole"))
    c, _ = client(script)
    assert c.get("https://example.test/x", source="test").content == b"whole"


def test_unreachable_host_fails_fast_for_the_rest_of_the_run():
    script = Script(httpx.ConnectError("[Errno -2] Name or service not known"))
    c, sleeps = client(script)
    with pytest.raises(SourceUnreachable, match="cannot connect to fred.example"):
        c.get("https://fred.example/a", source="fred")
    assert len(script.requests) == 2  # connect_attempts
    with pytest.raises(SourceUnreachable, match="could not be reached earlier in this run"):
        c.get("https://fred.example/b", source="fred")
    assert len(script.requests) == 2  # no new request


def test_404_is_an_answer_when_asked():
    c, _ = client(Script(httpx.Response(404)))
    assert c.get("https://example.test/2031q1.zip", source="form_d", not_found_ok=True) is None
    with pytest.raises(HttpError, match="HTTP 404.*check the series parameters"):
        c.get("https://example.test/2031q1.zip", source="form_d")


def test_unchanged_payload_is_not_downloaded_again(tmp_path):
    body = "date,value\n2026-01-01,1\n"
    seen: list[dict] = []

    def server(request: httpx.Request) -> httpx.Response:
        seen.append(dict(request.headers))  # a copy: the cache restores the request's headers afterwards
        if request.headers.get("If-None-Match") == '"v1"':
            return httpx.Response(304, headers={"ETag": '"v1"'})
        return httpx.Response(200, text=body, headers={"ETag": '"v1"', "Cache-Control": "max-age=0"})

    c, _ = client(server, tmp_path, cache=True)
    first = c.get("https://example.test/s.csv", source="test")
    second = c.get("https://example.test/s.csv", source="test")
    assert first.content == second.content == body.encode()
    assert "if-none-match" not in seen[0]
    assert seen[1]["if-none-match"] == '"v1"'  # a conditional request
    assert not first.from_cache and second.from_cache and second.revalidated
    c.close()


def test_rate_limit_spaces_requests_per_host():
    now = [0.0]
    slept: list[float] = []

    def sleep(s):
        slept.append(s)
        now[0] += s

    limiter = HostRateLimiter({"data.sec.gov": 8.0}, default=5.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(9):
        limiter.wait("data.sec.gov")
    assert now[0] == pytest.approx(1.0)  # 9 requests at 8/s take one second
    limiter.wait("other.host")
    assert now[0] == pytest.approx(1.0)  # another host is not held back


def test_secrets_are_redacted_from_urls_and_errors():
    assert redact_url("https://api.test/obs?series_id=X&api_key=abc123&file_type=json") == \
        "https://api.test/obs?series_id=X&api_key=***&file_type=json"
    c, _ = client(Script(httpx.Response(500)))
    with pytest.raises(HttpError) as err:
        c.get("https://api.test/obs", source="fred", params={"series_id": "X", "api_key": "abc123"})
    assert "abc123" not in str(err.value) and "api_key=***" in str(err.value)


def test_retry_after_as_http_date():
    later = datetime.now(UTC) + timedelta(seconds=30)
    response = httpx.Response(503, headers={"Retry-After": format_datetime(later, usegmt=True)})
    assert 28 <= retry_after_seconds(response) <= 30
    assert retry_after_seconds(httpx.Response(503, headers={"Retry-After": "soon"})) is None
