"""Events the gateway produces on `auth-events` (sign-in and sign-out, as the reference's gateway emitted them)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from kit.domain import IntegrationEvent


class UserAuthenticated(IntegrationEvent):
    TYPE: ClassVar[str] = "user.authenticated"
    TOPIC: ClassVar[str] = "auth-events"

    external_auth_id: str = Field(alias="externalAuthId")
    email: str
    session_id: str = Field(alias="sessionId")
    auth_method: str = Field(default="oauth2", alias="authMethod")
    first_name: str | None = Field(default=None, alias="firstName")
    last_name: str | None = Field(default=None, alias="lastName")


class UserLoggedOut(IntegrationEvent):
    TYPE: ClassVar[str] = "user.logged_out"
    TOPIC: ClassVar[str] = "auth-events"

    external_auth_id: str = Field(alias="externalAuthId")
    session_id: str = Field(alias="sessionId")
    logout_reason: str = Field(default="user_action", alias="logoutReason")
