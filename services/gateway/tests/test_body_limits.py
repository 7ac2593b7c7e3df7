"""The gateway bounds request bodies before reading them whole: over the limit is a 413 with the envelope, by the
declared length or, for a streamed body, as soon as it passes the limit, the rest never read. The avatar upload
and Stripe's webhook have larger limits of their own."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import httpx

from gateway.main import BODY_LIMITS
from kit.bodylimit import MIB
from kit.testing import INTERNAL_TOKEN

CHUNK = 64 * 1024
HR = {"x-internal-token": INTERNAL_TOKEN, "x-user-id": "u-1", "x-user-role": "hr", "content-type": "application/json"}


class Chunks:
    """A streamed request body of `total` bytes (no Content-Length), counting how much of it was taken."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.taken = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.taken < self.total:
            self.taken += CHUNK
            yield b"x" * CHUNK


def assert_refused(response: httpx.Response, limit: int, path: str) -> None:
    assert response.status_code == 413, response.text
    body = response.json()
    assert (body["code"], body["path"]) == ("PAYLOAD_TOO_LARGE", path)
    assert body["error"] == f"The request body may be at most {limit} bytes"


async def test_a_streamed_body_over_the_limit_is_refused_and_not_read_to_its_end(make_gateway: Any) -> None:
    gateway = await make_gateway(max_body_bytes=MIB)
    body = Chunks(total=64 * MIB)
    assert_refused(await gateway.post("/api/templates", content=body, headers=HR), MIB, "/api/templates")
    # The in-process transport hands over a chunk only when the gateway asks for one.
    assert body.taken <= MIB + CHUNK


async def test_a_declared_length_over_the_limit_is_refused_before_the_caller_is_even_identified(
    make_gateway: Any,
) -> None:
    gateway = await make_gateway(max_body_bytes=MIB)
    response = await gateway.post("/api/templates", content=b"{" + b" " * MIB + b"}")
    assert_refused(response, MIB, "/api/templates")


async def test_a_body_within_the_limit_is_forwarded_whole(make_gateway: Any) -> None:
    gateway = await make_gateway(max_body_bytes=MIB)
    payload = b'{"title": "' + b"t" * (MIB - 32) + b'"}'
    echoed = (await gateway.post("/api/templates", content=payload, headers=HR)).json()
    assert base64.b64decode(echoed["body"]) == payload


async def test_the_stripe_webhook_takes_a_larger_event_up_to_its_own_limit(make_gateway: Any) -> None:
    gateway = await make_gateway(max_body_bytes=MIB)
    limit = BODY_LIMITS["/api/billing/webhooks/stripe"]
    assert limit > MIB
    event = b'{"id": "evt_1", "pad": "' + b"p" * (limit - 64) + b'"}'
    headers = {"stripe-signature": "t=1,v1=x", "content-type": "application/json"}
    echoed = (await gateway.post("/api/billing/webhooks/stripe", content=event, headers=headers)).json()
    assert base64.b64decode(echoed["body"]) == event
    streamed = Chunks(total=8 * limit)
    response = await gateway.post("/api/billing/webhooks/stripe", content=streamed, headers=headers)
    assert_refused(response, limit, "/api/billing/webhooks/stripe")
    assert streamed.taken <= limit + CHUNK


async def test_the_avatar_upload_takes_an_image_larger_than_the_default_limit(make_gateway: Any) -> None:
    gateway = await make_gateway(max_body_bytes=MIB)
    limit = BODY_LIMITS["/api/users/me/avatar"]
    multipart = {"content-type": "multipart/form-data; boundary=b"}
    upload = b"--b\r\n" + b"i" * (2 * MIB) + b"\r\n--b--\r\n"
    forwarded = await gateway.post("/api/users/me/avatar", content=upload, headers={**HR, **multipart})
    assert forwarded.status_code == 200, forwarded.text
    assert base64.b64decode(forwarded.json()["body"]) == upload
    streamed = Chunks(total=4 * limit)
    response = await gateway.post("/api/users/me/avatar", content=streamed, headers={**HR, **multipart})
    assert_refused(response, limit, "/api/users/me/avatar")
    assert streamed.taken <= limit + CHUNK
