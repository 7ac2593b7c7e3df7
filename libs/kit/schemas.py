"""Base models for the HTTP boundary: camelCase on the wire (the reference's clients), snake_case in
Python, and unknown fields refused with a 422 that names them."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, field_validator
from pydantic.alias_generators import to_camel

T = TypeVar("T")


class Command(BaseModel):
    """A request body: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul_characters(cls, value: Any) -> Any:
        # Postgres refuses NUL in text; refused here it is a 422 naming the field, not a 500 at INSERT.
        if _has_nul(value):
            raise ValueError("contains a NUL character")
        return value


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


class View(BaseModel):
    """A response body."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, from_attributes=True)


class Page(View, Generic[T]):
    """The interviews service's list shape: `{items, total, page, limit, totalPages}`."""

    items: list[T]
    total: int
    page: int
    limit: int
    total_pages: int
