"""The SMTP password, the FRED key and the SEC contact never reach logs, errors, databases, reports or Prefect."""

from __future__ import annotations

import email
import email.policy
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])

PASSWORD = "pw-7f3c9e1a-never-shown"
FRED_KEY = "fredkey0123456789abcdef"
SEC_CONTACT = "secret-contact-4b1d@example.com"


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


def authenticator(accept: bool):
    def check(server, session, envelope, mechanism, auth_data):
        ok = accept and isinstance(auth_data, LoginPassword) and auth_data.password.decode() == PASSWORD
        return AuthResult(success=ok)
    return check


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scan(folder: Path, *texts: str) -> list[str]:
    """Files under folder (databases, reports, Prefect's database and logs) holding any of the texts."""
    needles = [t.encode() for t in texts]
    hits = []
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            hits += [f"{path}: {n.decode()}" for n in needles if n in data]
    return hits


def run_cli(home: Path, port: int, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "GAPCAST_HOME": str(home), "GAPCAST_SMTP_HOST": "127.0.0.1", "GAPCAST_SMTP_PORT": str(port),
           "GAPCAST_SMTP_SECURITY": "none", "GAPCAST_SMTP_USER": "gapcast", "GAPCAST_SMTP_PASSWORD": PASSWORD,
           "GAPCAST_EMAIL_FROM": "gapcast@example.com", "GAPCAST_EMAIL_TO": "analyst@example.com",
           "FRED_API_KEY": FRED_KEY, "GAPCAST_SEC_USER_AGENT": f"Analyst {SEC_CONTACT}",
           "PREFECT_LOGGING_LEVEL": "INFO", "NO_PROXY": "127.0.0.1,localhost"}
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], env=env, capture_output=True, text=True,
                          timeout=300)


@pytest.mark.slow
def test_secrets_stay_secret_through_a_prefect_run_and_a_failed_send(tmp_path):
    inbox = Inbox()
    good = Controller(inbox, hostname="127.0.0.1", port=free_port(), authenticator=authenticator(True),
                      auth_require_tls=False)
    bad = Controller(Inbox(), hostname="127.0.0.1", port=free_port(), authenticator=authenticator(False),
                     auth_require_tls=False)
    good.start()
    bad.start()
    try:
        home = tmp_path / "home"
        # The Prefect parent flow, on the sample, sending the report with a login.
        sent = run_cli(home, good.port, "run", "--catalog", "sample", "--month", "2026-10", "--send")
        assert sent.returncode == 0, sent.stderr[-2000:]
        assert len(inbox.messages) == 1
        # A send the server refuses: the error names the server, never the password.
        refused = run_cli(home, bad.port, "report", "--month", "2026-10", "--send", "--force")
        assert refused.returncode == 1 and "could not be sent" in refused.stderr
        status = run_cli(home, bad.port, "status")
    finally:
        good.stop()
        bad.stop()
    secrets = (PASSWORD, FRED_KEY, SEC_CONTACT)
    for output in (sent.stdout, sent.stderr, refused.stdout, refused.stderr, status.stdout, status.stderr):
        assert not any(s in output for s in secrets)
    assert (home / "prefect").is_dir() and any((home / "prefect").rglob("*.db"))  # Prefect's records are there...
    assert scan(home, *secrets) == []  # ...and hold no secret; nor do the databases, reports or logs
    message = inbox.messages[0].as_string()
    assert not any(s in message for s in secrets)
