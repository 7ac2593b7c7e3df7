"""The SMTP mailer: a plain e-mail is written without the e-mail package, byte for byte as the package writes it,
and e-mails share kept connections, one replaced when the server has closed it."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from notifications import commands, mailer
from notifications.domain import Channel, Notification, Template
from notifications.mailer import Email, SmtpMailer, plain_mime

from .conftest import MAILPIT_SMTP
from .test_email import SAMPLES


def composed(settings: Any, template: Template, language: str, data: dict[str, Any], link: str | None) -> Email:
    notification = Notification.create(
        recipient_id=str(uuid.uuid4()),
        recipient_email="ada@example.test",
        channel=Channel.EMAIL,
        template=template,
        data=data,
        title="",
        body="",
        link=link,
        locale=language,
        event_id=str(uuid.uuid4()),
        event_type="test",
        now=datetime.now(UTC),
    )
    return commands.compose(notification, settings=settings, timezone="Europe/Berlin", now=datetime.now(UTC))


@pytest.fixture
def same_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Message-ID and the boundary are random: both writers get the same ones."""
    monkeypatch.setattr(mailer, "make_msgid", lambda domain: f"<1.2.3@{domain}>")
    monkeypatch.setattr(random, "randrange", lambda *_: 1234567890123)


@pytest.mark.usefixtures("same_ids")
@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("template", list(Template))
def test_every_template_is_written_byte_for_byte_as_the_email_package_writes_it(
    template: Template, language: str, settings: Any
) -> None:
    data, link, _ = SAMPLES[template]
    email = composed(settings, template, language, data, link)
    smtp = SmtpMailer(host="127.0.0.1", port=1, sender=settings.email_from)

    written = plain_mime(smtp.sender, email)

    if language == "en":
        assert written is not None  # English e-mails with ASCII data take the direct path
    if written is not None:
        assert written == smtp.message(email).as_bytes()
    assert smtp.as_bytes(email) == smtp.message(email).as_bytes()


@pytest.mark.usefixtures("same_ids")
@pytest.mark.parametrize(
    ("to", "subject", "text"),
    [
        ("josé@example.test", "Hello", "Hi"),
        ("ada@example.test", "Grüße aus Köln", "Hi"),
        ("ada@example.test", "Hello", "Grüße"),
        ("ada@example.test", "Hello  twice spaced", "Hi"),
        ("ada@example.test", "=?utf-8?q?encoded?=", "Hi"),
        ("ada@example.test", "A long subject " * 70, "Hi"),
        ("ada@example.test", "Hello", "a line too long " * 70),
        ('"Lovelace, Ada" <ada@example.test>', "Hello", "Hi"),
        ("Ada Lovelace <ada@example.test>", "Hello", "Hi\r\nthere\rand\n\nmore\n"),
        ("ada@example.test", "Hello", ""),
    ],
)
def test_an_email_the_direct_path_cannot_write_exactly_is_left_to_the_email_package(
    to: str, subject: str, text: str, settings: Any
) -> None:
    email = Email(to=to, subject=subject, html=f"<p>{text}</p>", text=text, headers={"X-Notification-Id": "1"})
    smtp = SmtpMailer(host="127.0.0.1", port=1, sender=settings.email_from)

    written = plain_mime(smtp.sender, email)

    assert written is None or written == smtp.message(email).as_bytes()
    assert smtp.as_bytes(email) == smtp.message(email).as_bytes()


class CountingProxy:
    """A TCP relay to Mailpit's SMTP port that counts the connections made through it and can cut them all."""

    def __init__(self) -> None:
        self.connections = 0
        self.writers: list[asyncio.StreamWriter] = []
        self.server: asyncio.Server | None = None

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        upstream_reader, upstream_writer = await asyncio.open_connection(*MAILPIT_SMTP)
        self.writers += [writer, upstream_writer]

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                sink.close()

        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))

    def cut(self) -> None:
        for writer in self.writers:
            writer.close()
        self.writers = []

    async def stop(self) -> None:
        self.cut()
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()


@pytest.fixture
async def proxy() -> AsyncIterator[CountingProxy]:
    relay = CountingProxy()
    yield relay
    await relay.stop()


async def test_emails_sent_one_after_another_share_one_smtp_connection(
    proxy: CountingProxy, settings: Any, mailpit: Any
) -> None:
    smtp = SmtpMailer(host="127.0.0.1", port=await proxy.start(), sender=settings.email_from)
    address = f"{uuid.uuid4().hex[:12]}@example.test"

    try:
        for n in range(3):
            await smtp.send(Email(to=address, subject=f"Number {n}", html="<p>Hi</p>", text="Hi"))
    finally:
        await smtp.aclose()

    assert len(await mailpit.wait_for(address, 3)) == 3
    assert proxy.connections == 1


async def test_an_email_after_the_server_closed_the_kept_connection_goes_over_a_new_one(
    proxy: CountingProxy, settings: Any, mailpit: Any
) -> None:
    smtp = SmtpMailer(host="127.0.0.1", port=await proxy.start(), sender=settings.email_from)
    address = f"{uuid.uuid4().hex[:12]}@example.test"

    try:
        await smtp.send(Email(to=address, subject="Before", html="<p>Hi</p>", text="Hi"))
        proxy.cut()
        await asyncio.sleep(0.1)
        await smtp.send(Email(to=address, subject="After", html="<p>Hi</p>", text="Hi"))
    finally:
        await smtp.aclose()

    subjects = {m["Subject"] for m in await mailpit.wait_for(address, 2)}
    assert subjects == {"Before", "After"}
    assert proxy.connections == 2
