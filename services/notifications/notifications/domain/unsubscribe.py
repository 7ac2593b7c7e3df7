"""The unsubscribe token of an e-mail's link and `List-Unsubscribe` header: who, which template, until when,
signed with the service's secret so that it works without signing in and cannot be made up or altered."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from kit.errors import DomainError
from notifications.domain.notifications import SWITCHABLE


class InvalidUnsubscribeToken(DomainError):
    # A link that was forged, altered, truncated or has expired: the one answer for all, so a prober learns nothing.
    code = "INVALID_UNSUBSCRIBE_TOKEN"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class UnsubscribeToken:
    user_id: str
    template: str
    expires_at: datetime

    def sign(self, secret: bytes) -> str:
        body = _b64(
            json.dumps(
                {"u": self.user_id, "t": self.template, "e": int(self.expires_at.timestamp())}, separators=(",", ":")
            ).encode()
        )
        return f"{body}.{_b64(hmac.new(secret, body.encode(), hashlib.sha256).digest())}"

    @classmethod
    def verify(cls, token: str, secret: bytes, *, now: datetime) -> UnsubscribeToken:
        refused = InvalidUnsubscribeToken("This unsubscribe link is invalid or has expired.")
        body, _, signature = token.partition(".")
        if not body or not signature:
            raise refused
        expected = _b64(hmac.new(secret, body.encode(), hashlib.sha256).digest())
        if not hmac.compare_digest(expected, signature):
            raise refused
        try:
            claims = json.loads(_unb64(body))
            token_value = cls(
                user_id=str(claims["u"]),
                template=str(claims["t"]),
                expires_at=datetime.fromtimestamp(int(claims["e"]), UTC),
            )
        except (ValueError, KeyError, TypeError, binascii.Error) as exc:
            raise refused from exc
        if token_value.expires_at <= now or token_value.template not in SWITCHABLE:
            raise refused
        return token_value
