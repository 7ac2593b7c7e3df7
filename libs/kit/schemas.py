"""Base models for the HTTP boundary: camelCase on the wire (the reference's clients), snake_case in
Python, and unknown fields refused with a 422 that names them."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

T = TypeVar("T")


class Command(BaseModel):
    """A request body: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)


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
