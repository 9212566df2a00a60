"""The monthly report: its files, its email through a real SMTP server on 127.0.0.1, sent once a month."""

from __future__ import annotations

import csv
import email
import email.policy
import io
import socket
import subprocess
import sys
from datetime import date

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import make_settings, query
from flows import steps


def report_job(settings, month, *, out_dir=None, send=False, force=False, sleep=None):
    """The report step, then (with send) the send step, as the report flow runs them."""
    files = steps.report(settings, month, out_dir=out_dir)
    return files, (steps.send(settings, files, force=force, sleep=sleep) if send else None)

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])

MONTH = "2026-10"
PASSWORD = "s3cret-smtp-password"


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def sample_copy(sample_run, tmp_path):
    """A private copy of the session's sample home, for tests that write to it."""
    import shutil

    base, _ = sample_run
    home = tmp_path / "home"
    shutil.copytree(base.home, home)
    return home


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


def mail_settings(home, port, **more):
    return make_settings(home, smtp_host="127.0.0.1", smtp_port=port, smtp_security="none",
                         email_from="gapcast@example.com", email_to=("analyst@example.com", "cio@example.com"), **more)


def warehouse_headline(settings) -> str:
    """The report's title as the warehouse implies it: the calibrated word for the median headline P(cooling) of the
    tech targets (the control, total payrolls, left out), and 'no backtest yet' (the sample has none)."""
    from dashboards.report.answer import likelihood

    rows = query(settings.analytics_db,
                 "SELECT p.season, p.probability FROM marts.cooling_probability AS p JOIN marts.series AS s "
                 "ON s.series_id = p.target_series WHERE p.headline AND NOT list_contains(s.roles, 'control') "
                 "ORDER BY p.probability")
    ps = [p for _, p in rows]
    median = (ps[len(ps) // 2] + ps[(len(ps) - 1) // 2]) / 2
    return f"Tech hiring: cooling in spring {rows[0][0][:4]} is {likelihood(median)} (no backtest yet)"


def test_report_files(sample_run, tmp_path):
    settings, _ = sample_run
    files, delivery = report_job(settings, MONTH, out_dir=tmp_path / "out")
    assert delivery is None
    assert files.pdf.read_bytes().startswith(b"%PDF")
    html = files.html.read_text()
    text = files.text.read_text()
    headline = warehouse_headline(settings)
    assert headline in html and headline in text
    assert "SYNTHETIC" in html and "SYNTHETIC" in text and "SYNTHETIC" in files.pdf.name
    assert "<script" not in html.lower()
    assert html.count("data:image/png;base64,") == 3  # standalone file: the three charts embedded
    assert "marts.backtest_scores" in text  # a section not built yet says so instead of failing
    assert "WHAT MOVED THE FORECAST" in text and "marts.forecast_news is not built" not in text
    # P(cooling) at other thresholds: one line per target, the headline model's, the configured threshold marked
    grid = text.split("P(COOLING) AT OTHER THRESHOLDS")[1].split("\n\n")[0]
    from dashboards.report.answer import short_name

    usinfo = short_name(query(settings.analytics_db, "SELECT name FROM marts.series WHERE series_id = 'USINFO'")[0][0])
    assert grid.count("(ours)") == 5 and f"{usinfo} (SARIMAX): any fall:" in grid.replace("\n", " ")
    ours = query(settings.analytics_db, "SELECT probability FROM marts.cooling_probability WHERE headline "
                                        "AND target_series = 'JTU5100JOL'")[0][0]
    assert f"a fall of more than 10% (ours): {ours:.0%}" in grid.replace("\n", " ")
    assert "IHLIDXUSTPSOFTDEVE" not in text.split("PROBABILITY OF COOLING")[0]  # page 1 names targets plainly
    news = query(settings.analytics_db, "SELECT count(*) FROM marts.forecast_news WHERE updated_series = 'total'")
    targets = query(settings.analytics_db, "SELECT count(DISTINCT target_series) FROM marts.cooling_probability")
    assert news[0][0] == targets[0][0] == 5  # one total row per target
    rows = list(csv.reader(io.StringIO(files.csv.read_text())))
    assert rows[0][0].startswith("# SYNTHETIC")
    header = rows[1]
    assert header[:3] == ["table", "target_series", "target_name"] and {"unit", "headline", "observed"} <= set(header)
    forecasts = query(settings.analytics_db, "SELECT count(*) FROM marts.cooling_forecast")
    assert sum(r[0] == "path" for r in rows[2:]) == forecasts[0][0]
    # The seasonal table: the software index's spring 2026 against autumn 2025, from the warehouse.
    autumn = query(settings.analytics_db, "SELECT avg(value) FROM marts.hiring_monthly WHERE series_id = "
                                          "'IHLIDXUSTPSOFTDEVE' AND month BETWEEN '2025-09-01' AND '2025-11-01'")[0][0]
    spring = query(settings.analytics_db, "SELECT avg(value) FROM marts.hiring_monthly WHERE series_id = "
                                          "'IHLIDXUSTPSOFTDEVE' AND month BETWEEN '2026-03-01' AND '2026-05-01'")[0][0]
    assert f"{spring / autumn - 1:+.1%}" in text


def test_pdf_pages_render(sample_run, tmp_path):
    settings, _ = sample_run
    files, _ = report_job(settings, MONTH, out_dir=tmp_path / "out")
    import pypdfium2 as pdfium

    pages = len(pdfium.PdfDocument(files.pdf.read_bytes()))
    assert 8 <= pages <= 16, pages  # page 1 the answer, then five targets' tables and six charts: about twelve


def test_email_structure_and_sent_once(sample_copy, smtp, tmp_path):
    inbox, port = smtp
    settings = mail_settings(sample_copy, port)
    files, delivery = report_job(settings, MONTH, out_dir=tmp_path / "out", send=True)
    assert delivery.status == "sent" and len(inbox.messages) == 1
    assert inbox.envelopes[0].rcpt_tos == ["analyst@example.com", "cio@example.com"]
    msg = inbox.messages[0]
    assert msg.get_content_type() == "multipart/mixed"
    body, pdf, data = msg.get_payload()
    assert body.get_content_type() == "multipart/alternative"
    plain, related = body.get_payload()
    assert plain.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html_part, *images = related.get_payload()
    assert html_part.get_content_type() == "text/html" and len(images) == 3
    html = html_part.get_content()
    for image in images:
        assert image.get_content_type() == "image/png"
        assert f"cid:{image['Content-ID'][1:-1]}" in html
        assert image.get_content().startswith(b"\x89PNG")
    assert pdf.get_content_type() == "application/pdf" and pdf.get_filename() == files.pdf.name
    assert pdf.get_content().startswith(b"%PDF")
    assert data.get_content_type() == "text/csv" and data.get_filename() == files.csv.name
    headline = warehouse_headline(settings)
    assert msg["Subject"].endswith(headline) and msg["Subject"].startswith("[SYNTHETIC]")
    assert headline in plain.get_content()
    assert headline in html

    again = report_job(settings, MONTH, out_dir=tmp_path / "out", send=True)[1]
    assert again.status == "skipped" and "already sent" in again.note
    assert len(inbox.messages) == 1
    forced = report_job(settings, MONTH, out_dir=tmp_path / "out", send=True, force=True)[1]
    assert forced.status == "sent" and len(inbox.messages) == 2
    recorded = query(settings.pipeline_db, "SELECT status, forced FROM meta.report_deliveries WHERE month = ? "
                                           "ORDER BY attempted_at", [MONTH])
    assert recorded == [("sent", False), ("sent", True)]


def test_failed_send_is_retried_recorded_and_keeps_the_password_secret(tmp_path):
    from dashboards.report.email import DeliveryError

    settings = mail_settings(tmp_path / "home", free_port(), smtp_user="gapcast", smtp_password=PASSWORD)
    from flows.pipeline import run_plain as run_job

    run_job(settings, "sample")
    slept = []
    with pytest.raises(DeliveryError) as err:
        report_job(settings, MONTH, send=True, sleep=slept.append)
    assert len(slept) == 2  # three attempts
    assert "could not be sent" in str(err.value) and PASSWORD not in str(err.value)
    failed = query(settings.pipeline_db, "SELECT status, attempts, error FROM meta.report_deliveries")
    assert failed[0][:2] == ("failed", 3) and "ConnectionRefusedError" in failed[0][2]
    for path in (settings.pipeline_db, settings.analytics_db):
        assert PASSWORD.encode() not in path.read_bytes()
    status = subprocess.run([sys.executable, "-m", "flows.cli", "status", "--home", str(settings.home)],
                            capture_output=True, text=True)
    assert f"report {MONTH}: failed" in status.stderr and "after 3 attempts" in status.stderr
    assert PASSWORD not in status.stdout + status.stderr


def test_cli_report_send(sample_copy, smtp, tmp_path):
    inbox, port = smtp
    env = {"GAPCAST_SMTP_HOST": "127.0.0.1", "GAPCAST_SMTP_PORT": str(port), "GAPCAST_SMTP_SECURITY": "none",
           "GAPCAST_EMAIL_FROM": "gapcast@example.com", "GAPCAST_EMAIL_TO": "analyst@example.com"}
    home = sample_copy
    from typer.testing import CliRunner

    from flows.cli import app

    runner = CliRunner()
    first = runner.invoke(app, ["report", "--home", str(home), "--month", MONTH, "--send"], env=env)
    assert first.exit_code == 0, first.output
    assert "email: sent to analyst@example.com" in first.output
    second = runner.invoke(app, ["report", "--home", str(home), "--month", MONTH, "--send"], env=env)
    assert second.exit_code == 0 and "email: skipped" in second.output and "already sent" in second.output
    assert len(inbox.messages) == 1
    bad = runner.invoke(app, ["report", "--home", str(home), "--month", "October"], env=env)
    assert bad.exit_code != 0 and "not a month" in bad.output


def test_report_says_when_the_warehouse_is_missing(tmp_path):
    from typer.testing import CliRunner

    from flows.cli import app

    result = CliRunner().invoke(app, ["report", "--home", str(tmp_path / "nowhere")])
    assert result.exit_code == 1 and "nothing has been published" in result.output


def test_report_month_defaults_to_this_month(sample_run, tmp_path):
    settings, _ = sample_run
    files, _ = report_job(settings, None, out_dir=tmp_path / "now")
    assert files.month == date.today().strftime("%Y-%m")


def test_headline_change_since_last_month(sample_copy, tmp_path):
    """The change is against the latest forecast of an earlier month, from meta.cooling_probability_history."""
    import duckdb

    from warehouse.jobs import publish_job

    settings = make_settings(sample_copy)
    con = duckdb.connect(str(settings.pipeline_db))
    try:
        row = con.execute("SELECT target_series, season, model, probability FROM marts.cooling_probability "
                          "WHERE target_series = 'IHLIDXUSTPSOFTDEVE' AND model LIKE 'sarimax%'").fetchall()[0]
        con.execute("INSERT INTO meta.cooling_probability_history VALUES "
                    "('earlier-run', TIMESTAMP '2026-09-30 18:00', ?, ?, ?, ?, TIMESTAMP '2026-09-30 18:05')",
                    [row[0], row[1], row[2], row[3] - 0.10])
    finally:
        con.close()
    publish_job(settings)
    files, _ = report_job(settings, MONTH, out_dir=tmp_path / "out")
    text = files.text.read_text().replace("\n", " ")
    assert "Since the forecast of September 2026:" in text and "+10.0 points" in text
