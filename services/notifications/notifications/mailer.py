"""Sending an e-mail, through SMTP (Mailpit in the local stack and tests) or Resend's official SDK, chosen
by the `email_provider` setting. Both send the same message: an HTML part, a plain-text part and the headers
the caller gives (`List-Unsubscribe`, …). A failure of either raises `DeliveryFailed` with the reason."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import make_msgid, parseaddr
from typing import Any, Protocol

import aiosmtplib
import resend

from kit.errors import ServiceUnavailable
from notifications.settings import Settings

# Headers are not folded below the protocol's line limit: a folded `List-Unsubscribe` URL would be sent as an
# encoded word, which mail clients do not decode into a link.
HEADER_POLICY = SMTP.clone(max_line_length=998)


class DeliveryFailed(ServiceUnavailable):
    code = "EMAIL_DELIVERY_FAILED"


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    html: str
    text: str
    headers: dict[str, str] = field(default_factory=dict)


class Mailer(Protocol):
    async def send(self, email: Email) -> None: ...


@dataclass
class SmtpMailer:
    host: str
    port: int
    sender: str
    username: str = ""
    password: str = ""
    starttls: bool = False
    timeout_s: float = 10.0

    def message(self, email: Email) -> EmailMessage:
        message = EmailMessage(policy=HEADER_POLICY)
        message["From"] = self.sender
        message["To"] = email.to
        message["Subject"] = email.subject
        message["Message-ID"] = make_msgid(domain="aiinterview.dev")
        for name, value in email.headers.items():
            message[name] = value
        message.set_content(email.text)
        message.add_alternative(email.html, subtype="html")
        return message

    async def send(self, email: Email) -> None:
        try:
            # Flattened here with the message's own policy: the client's would fold the headers again.
            await aiosmtplib.send(
                self.message(email).as_bytes(),
                sender=parseaddr(self.sender)[1],
                recipients=[email.to],
                hostname=self.host,
                port=self.port,
                username=self.username or None,
                password=self.password or None,
                start_tls=self.starttls,
                timeout=self.timeout_s,
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise DeliveryFailed(f"SMTP {self.host}:{self.port}: {type(exc).__name__}: {exc}") from exc


@dataclass
class ResendMailer:
    """The SDK keeps its key and base URL in module globals; one mailer per process sets them."""

    api_key: str
    api_url: str
    sender: str

    def _send(self, params: dict[str, Any]) -> None:
        resend.api_key = self.api_key
        resend.api_url = self.api_url
        resend.Emails.send(params)  # type: ignore[arg-type]

    async def send(self, email: Email) -> None:
        params = {
            "from": self.sender,
            "to": [email.to],
            "subject": email.subject,
            "html": email.html,
            "text": email.text,
            "headers": email.headers,
        }
        try:
            await asyncio.to_thread(self._send, params)
        except Exception as exc:  # the SDK raises its own errors and requests' connection errors alike
            raise DeliveryFailed(f"Resend: {type(exc).__name__}: {exc}") from exc


def make_mailer(settings: Settings) -> Mailer:
    if settings.email_provider == "resend":
        return ResendMailer(
            api_key=settings.resend_api_key.get_secret_value(),
            api_url=settings.resend_api_url,
            sender=settings.email_from,
        )
    return SmtpMailer(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.email_from,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value(),
        starttls=settings.smtp_starttls,
        timeout_s=settings.smtp_timeout_s,
    )
