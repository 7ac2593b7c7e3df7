from __future__ import annotations

import smtplib
import time
import uuid
from email.message import EmailMessage

import httpx

from devstack.component import Component
from devstack.config import Config


def test_a_message_sent_over_smtp_shows_up_in_the_http_api(cfg: Config, infra: dict[str, Component]) -> None:
    subject = f"devstack probe {uuid.uuid4().hex}"
    message = EmailMessage()
    message["From"] = "noreply@ai-video-interview.local"
    message["To"] = "candidate@test.com"
    message["Subject"] = subject
    message.set_content("Your interview is ready.")
    with smtplib.SMTP("127.0.0.1", cfg.ports.smtp, timeout=10) as smtp:
        smtp.send_message(message)

    api = f"http://127.0.0.1:{cfg.ports.mailpit_http}/api/v1"
    found: list[dict[str, object]] = []
    # Mailpit stores asynchronously after the SMTP reply; poll briefly (bounded attempts, not a time limit).
    for _ in range(50):
        found = httpx.get(f"{api}/search", params={"query": f'subject:"{subject}"'}).json()["messages"]
        if found:
            break
        time.sleep(0.1)
    assert len(found) == 1
    assert found[0]["To"] == [{"Name": "", "Address": "candidate@test.com"}]
    httpx.request("DELETE", f"{api}/messages", json={"IDs": [found[0]["ID"]]})
