"""The report as an email (multipart/alternative body, inline charts, PDF and CSV attached), sent once a month."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import duckdb
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from dashboards.report import ReportFiles
from warehouse.db import now_utc, sql_text
from warehouse.settings import Settings


class DeliveryError(RuntimeError):
    """The report could not be sent (after retries), or sending is not configured."""


@dataclass(frozen=True)
class Delivery:
    month: str
    status: str  # sent | skipped
    recipients: tuple[str, ...]
    message_id: str | None
    attempts: int
    note: str = ""


def compose(files: ReportFiles, sender: str, recipients: tuple[str, ...]) -> EmailMessage:
    """Plain text and HTML as alternatives, the charts as inline (cid) images, PDF and CSV attached."""
    rendered = files.rendered
    content = rendered.content
    msg = EmailMessage()
    prefix = "[SYNTHETIC] " if content.synthetic else ""
    answered = content.answer is not None and content.answer.lead_probability is not None
    msg["Subject"] = (f"{prefix}gapcast {rendered.month_label}: {content.answer.title}" if answered else
                      f"{prefix}gapcast {rendered.month_label}: {content.headline_label} {rendered.headline_display}")
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Date"] = formatdate(localtime=False)
    domain = sender.split("@")[-1] if "@" in sender else "gapcast.local"
    msg["Message-ID"] = make_msgid(idstring=f"gapcast-{files.month}", domain=domain)
    msg.set_content(rendered.text())
    cids = {name: make_msgid(idstring=name, domain=domain) for name in rendered.images}
    msg.add_alternative(rendered.html(lambda name: "cid:" + cids[name][1:-1]), subtype="html")
    html_part = msg.get_payload()[1]
    for name, png in rendered.images.items():
        html_part.add_related(png, maintype="image", subtype="png", cid=cids[name],
                              filename=f"{name}.png", disposition="inline")
    msg.add_attachment(files.pdf.read_bytes(), maintype="application", subtype="pdf", filename=files.pdf.name)
    msg.add_attachment(files.csv.read_bytes(), maintype="text", subtype="csv", filename=files.csv.name)
    return msg


def _smtp_sender(settings: Settings) -> Callable[[EmailMessage], None]:
    """Send through the SMTP settings, or through a prefect-email EmailServerCredentials block."""
    if settings.email_block:
        def send_with_block(msg: EmailMessage) -> None:
            from prefect_email import EmailServerCredentials

            credentials = EmailServerCredentials.load(settings.email_block)
            server = credentials.get_server()
            try:
                server.send_message(msg)
            finally:
                server.quit()
        return send_with_block
    if not settings.smtp_host:
        raise DeliveryError("no mail server configured: set GAPCAST_SMTP_HOST (and port, security, user, password) "
                            "or GAPCAST_EMAIL_BLOCK to a prefect-email block")
    security = settings.smtp_security
    port = settings.smtp_port or {"ssl": 465, "starttls": 587, "none": 25}[security]

    def send_with_smtp(msg: EmailMessage) -> None:
        context = ssl.create_default_context()
        if security == "ssl":
            server = smtplib.SMTP_SSL(settings.smtp_host, port, timeout=30, context=context)
        else:
            server = smtplib.SMTP(settings.smtp_host, port, timeout=30)
        try:
            if security == "starttls":
                server.starttls(context=context)
            if settings.smtp_user:
                server.login(settings.smtp_user, settings.smtp_password or "")
            server.send_message(msg)
        finally:
            try:
                server.quit()
            except smtplib.SMTPException:
                server.close()
    return send_with_smtp


def deliver(
    files: ReportFiles,
    settings: Settings,
    con: duckdb.DuckDBPyConnection,
    *,
    force: bool = False,
    attempts: int = 3,
    sleep: Callable[[float], None] | None = None,
) -> Delivery:
    """Send the month's report once (again only with force); record every attempt in meta.report_deliveries."""
    recipients = settings.email_to
    if not recipients or not settings.email_from:
        raise DeliveryError("no sender or recipients: set GAPCAST_EMAIL_FROM and GAPCAST_EMAIL_TO (comma-separated)")
    sent_before = con.execute(sql_text("report/last_sent.sql"), [files.month]).fetchall()[0][0]
    if sent_before and not force:
        return Delivery(files.month, "skipped", recipients, None, 0,
                        note=f"already sent on {sent_before:%Y-%m-%d %H:%M} UTC; use --force to send again")
    send = _smtp_sender(settings)
    msg = compose(files, settings.email_from, recipients)
    tries = {"n": 0}

    def attempt() -> None:
        tries["n"] += 1
        send(msg)

    retrying = Retrying(stop=stop_after_attempt(attempts), wait=wait_exponential_jitter(multiplier=5, max=120),
                        retry=retry_if_exception_type((smtplib.SMTPException, OSError)), reraise=True,
                        **({"sleep": sleep} if sleep else {}))
    try:
        retrying(attempt)
    except (smtplib.SMTPException, OSError) as exc:
        # The reason names the server and what it said, never the credentials.
        reason = f"{type(exc).__name__}: {str(exc)[:300]}"
        con.execute(sql_text("report/record_delivery.sql"),
                    [files.month, now_utc(), "failed", ", ".join(recipients), None, tries["n"], force, reason])
        raise DeliveryError(f"the {files.month} report could not be sent to {settings.smtp_host or settings.email_block} "
                            f"after {tries['n']} attempts ({reason}); check the mail settings and run "
                            "`gapcast report --send` again") from None
    con.execute(sql_text("report/record_delivery.sql"),
                [files.month, now_utc(), "sent", ", ".join(recipients), msg["Message-ID"], tries["n"], force, None])
    return Delivery(files.month, "sent", recipients, msg["Message-ID"], tries["n"])


def send_alert(settings: Settings, subject: str, body: str) -> bool:
    """A short plain-text alert (a failed scheduled run) to the report's recipients; False if not configured."""
    if not settings.email_to or not settings.email_from or not (settings.smtp_host or settings.email_block):
        return False
    msg = EmailMessage()
    msg["Subject"] = f"[gapcast alert] {subject}"
    msg["From"] = settings.email_from
    msg["To"] = ", ".join(settings.email_to)
    msg["Date"] = formatdate(localtime=False)
    msg.set_content(body)
    _smtp_sender(settings)(msg)
    return True
