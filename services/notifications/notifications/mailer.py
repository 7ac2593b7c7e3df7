"""Sending an e-mail, through SMTP (Mailpit in the local stack and tests) or Resend's official SDK, chosen
by the `email_provider` setting. Both send the same message: an HTML part, a plain-text part and the headers
the caller gives (`List-Unsubscribe`, …). A failure of either raises `DeliveryFailed` with the reason."""

from __future__ import annotations

import asyncio
import random
import re
import sys
import time
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
LINE_LIMIT = 998
HEADER_POLICY = SMTP.clone(max_line_length=LINE_LIMIT)

MESSAGE_ID_DOMAIN = "aiinterview.dev"


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

    async def aclose(self) -> None: ...


# A header value HEADER_POLICY writes back as it is: printable ASCII words, single spaces, no encoded word, and an
# address header's value one bare address or a display name of letters, digits and spaces before one.
_PLAIN_VALUE = re.compile(r"[\x21-\x7e]+(?: [\x21-\x7e]+)*")
_ADDR = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
_PLAIN_ADDRESS = re.compile(rf"{_ADDR}|[A-Za-z0-9]+(?: [A-Za-z0-9]+)* <{_ADDR}>")
# Well below the policy's LINE_LIMIT: such a header is never folded.
_PLAIN_LINE = 900
_CRLF = "\r\n"


def _plain_header(name: str, value: str) -> str | None:
    pattern = _PLAIN_ADDRESS if name in ("From", "To") else _PLAIN_VALUE
    if "=?" in value or len(name) + 2 + len(value) > _PLAIN_LINE or not pattern.fullmatch(value):
        return None
    return f"{name}: {value}{_CRLF}"


def _text_part(subtype: str, body: str, *, version: bool) -> bytes | None:
    """A part as `EmailMessage.set_content` writes UTF-8 text whose lines fit the policy's limit: 7bit when it is
    ASCII, 8bit otherwise (SMTP's policy allows 8bit), with the generator's line ends; None for longer lines."""
    lines = body.encode("utf-8").splitlines()
    if max((len(line) for line in lines), default=0) > LINE_LIMIT:
        return None
    encoding = "7bit" if body.isascii() else "8bit"
    headers = f'Content-Type: text/{subtype}; charset="utf-8"\r\nContent-Transfer-Encoding: {encoding}\r\n'
    # The package's `add_alternative` leaves MIME-Version in the part it adds.
    headers += "MIME-Version: 1.0\r\n" if version else ""
    return headers.encode("ascii") + b"\r\n" + b"\r\n".join(lines) + b"\r\n"


def message_id(email: Email) -> str:
    """The notification's own Message-ID: an e-mail sent again after an attempt was lost with its process (sent,
    but not recorded as sent) is the same message to the mail systems that drop a repeated Message-ID."""
    notification_id = email.headers.get("X-Notification-Id")
    return f"<{notification_id}@{MESSAGE_ID_DOMAIN}>" if notification_id else make_msgid(domain=MESSAGE_ID_DOMAIN)


def plain_mime(sender: str, email: Email) -> bytes | None:
    """`SmtpMailer.message(email).as_bytes()` without the e-mail package, for an e-mail whose headers are plain
    ASCII and whose lines are short (None otherwise): the same headers in the same order, the same parts, a
    boundary made the way the package's generator makes one. Tests compare both on every template."""
    headers = [
        ("From", sender),
        ("To", email.to),
        ("Subject", email.subject),
        ("Message-ID", message_id(email)),
        *email.headers.items(),
    ]
    lines = [_plain_header(name, value) for name, value in headers]
    text = _text_part("plain", email.text, version=False)
    html = _text_part("html", email.html, version=True)
    if text is None or html is None or any(line is None for line in lines):
        return None
    boundary = ("=" * 15 + f"{random.randrange(sys.maxsize):019d}" + "==").encode("ascii")
    if b"--" + boundary in text or b"--" + boundary in html:
        return None
    head = "".join(line for line in lines if line is not None)
    head += f'MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary="{boundary.decode()}"\r\n\r\n'
    parts = [b"--" + boundary + b"\r\n" + text, b"\r\n--" + boundary + b"\r\n" + html]
    return head.encode("ascii") + b"".join(parts) + b"\r\n--" + boundary + b"--\r\n"


@dataclass
class SmtpMailer:
    """Sends over connections it keeps open between e-mails: opening one (TCP, EHLO, STARTTLS, login) cost more
    than the e-mail itself. A send takes an idle connection or opens one, so concurrent sends each have their own;
    at most `keep` idle ones are kept, none for longer than `idle_s`. A kept connection the server has closed
    meanwhile is replaced once, before anything of the e-mail was accepted."""

    host: str
    port: int
    sender: str
    username: str = ""
    password: str = ""
    starttls: bool = False
    timeout_s: float = 10.0
    keep: int = 8
    idle_s: float = 30.0
    _idle: list[tuple[aiosmtplib.SMTP, float]] = field(default_factory=list, init=False, repr=False)

    def message(self, email: Email) -> EmailMessage:
        message = EmailMessage(policy=HEADER_POLICY)
        message["From"] = self.sender
        message["To"] = email.to
        message["Subject"] = email.subject
        message["Message-ID"] = message_id(email)
        for name, value in email.headers.items():
            message[name] = value
        message.set_content(email.text)
        message.add_alternative(email.html, subtype="html")
        return message

    def as_bytes(self, email: Email) -> bytes:
        """The message as sent: `message` flattened with its own policy (the client's would fold the headers
        again), or the same bytes written directly when `plain_mime` can (the e-mail package's header parsing cost
        more than the rest of a send)."""
        return plain_mime(self.sender, email) or self.message(email).as_bytes()

    async def send(self, email: Email) -> None:
        data = self.as_bytes(email)
        sender = parseaddr(self.sender)[1]
        client: aiosmtplib.SMTP | None = None
        try:
            client, kept = await self._connection()
            try:
                await client.sendmail(sender, [email.to], data)
            except aiosmtplib.SMTPServerDisconnected:
                if not kept:
                    raise
                client.close()
                client = await self._connect()
                await client.sendmail(sender, [email.to], data)
        except (aiosmtplib.SMTPException, OSError) as exc:
            if client is not None:
                client.close()
            raise DeliveryFailed(f"SMTP {self.host}:{self.port}: {type(exc).__name__}: {exc}") from exc
        except BaseException:
            if client is not None:
                client.close()
            raise
        await self._release(client)

    async def _connection(self) -> tuple[aiosmtplib.SMTP, bool]:
        """An idle connection (True) that is still open and fresh enough, else a new one (False)."""
        now = time.monotonic()
        while self._idle:
            client, since = self._idle.pop()
            if client.is_connected and now - since < self.idle_s:
                return client, True
            await self._quit(client)
        return await self._connect(), False

    async def _connect(self) -> aiosmtplib.SMTP:
        client = aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port,
            username=self.username or None,
            password=self.password or None,
            start_tls=self.starttls,
            timeout=self.timeout_s,
        )
        await client.connect()
        return client

    async def _release(self, client: aiosmtplib.SMTP) -> None:
        if len(self._idle) < self.keep and client.is_connected:
            self._idle.append((client, time.monotonic()))
        else:
            await self._quit(client)

    @staticmethod
    async def _quit(client: aiosmtplib.SMTP) -> None:
        try:
            if client.is_connected:
                await client.quit()
        except (aiosmtplib.SMTPException, OSError):
            pass
        finally:
            client.close()

    async def aclose(self) -> None:
        """Say goodbye on every kept connection (the worker's shutdown)."""
        idle, self._idle = self._idle, []
        for client, _ in idle:
            await self._quit(client)


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

    async def aclose(self) -> None:
        """Nothing to close: each call is a request of its own."""


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
