"""Base models for the HTTP boundary: camelCase on the wire (the reference's clients), snake_case in
Python, and unknown fields refused with a 422 that names them."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic.alias_generators import to_camel

T = TypeVar("T")


class Command(BaseModel):
    """A request body: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _no_nul_characters(cls, data: Any) -> Any:
        # Postgres refuses NUL in text; refused here it is a 422 naming the field, not a 500 at INSERT.
        _reject_nul(data, ())
        return data


def _reject_nul(value: Any, path: tuple[str | int, ...]) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError(f"{'.'.join(map(str, path)) or 'value'} contains a NUL character")
    elif isinstance(value, dict):
        for key, item in value.items():
            _reject_nul(item, (*path, key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _reject_nul(item, (*path, index))


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
