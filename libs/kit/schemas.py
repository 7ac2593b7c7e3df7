"""Base models for the HTTP boundary: camelCase on the wire (the reference's clients), snake_case in
Python, and unknown fields refused with a 422 that names them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from fastapi import Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator
from pydantic.alias_generators import to_camel
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


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


class ErrorEnvelope(View):
    """How every refusal and failure is answered, by the gateway and by every service (`kit.errors`)."""

    success: Literal[False]
    status_code: int
    code: str
    error: str
    details: Any = None
    path: str
    timestamp: datetime
    correlation_id: str | None


def total_pages(total: int, limit: int) -> int:
    return (total + limit - 1) // limit


class Page(View, Generic[T]):
    """A list as `{items, total, page, limit, totalPages}`: the shape of every new list endpoint."""

    items: list[T]
    total: int
    page: int
    limit: int
    total_pages: int

    @classmethod
    def of(cls, items: list[T], *, total: int, page: int, limit: int) -> Page[T]:
        return cls(items=items, total=total, page=page, limit=limit, total_pages=total_pages(total, limit))


class Pagination(View):
    """The `pagination` object of the users service's `{success, data, pagination}` lists (the reference's shape)."""

    total: int
    page: int
    limit: int
    total_pages: int

    @classmethod
    def of(cls, *, total: int, page: int, limit: int) -> Pagination:
        return cls(total=total, page=page, limit=limit, total_pages=total_pages(total, limit))


class Paginated(View, Generic[T]):
    """`{success, data, pagination}`: the list shape the reference's users service answers with."""

    success: bool = True
    data: list[T]
    pagination: Pagination

    @classmethod
    def of(cls, data: list[T], *, total: int, page: int, limit: int) -> Paginated[T]:
        return cls(data=data, pagination=Pagination.of(total=total, page=page, limit=limit))


PageNumber = Annotated[int, Query(ge=1, le=1_000_000)]
PageSize = Annotated[int, Query(ge=1, le=1000)]


class QueryModel(Generic[M]):
    """A route's query parameters read in one validation of a frozen model whose fields all have defaults (a
    field's alias is its name in the query): FastAPI validates declared query parameters one by one, a tenth of a
    list read's CPU for four or five of them even when none is given. The route documents `parameters` through
    `openapi` as its `openapi_extra`: the fields as FastAPI would have documented them declared one by one, and
    the 422 it documents for a route with parameters."""

    def __init__(self, model: type[M]) -> None:
        self.model = model
        self.none_given = model()
        self.names = tuple(field.alias or name for name, field in model.model_fields.items())
        self.openapi = {"parameters": _query_parameters(model), "responses": {"422": _INVALID}}

    def __call__(self, request: Request) -> M:
        """The parameters given (the last value of a repeated one, as FastAPI takes it; unknown ones ignored), or
        a 422 naming each bad one in the query, as FastAPI's own validation answers."""
        given = request.query_params
        if not given:
            return self.none_given
        try:
            return self.model.model_validate({name: given[name] for name in self.names if name in given})
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
            raise RequestValidationError([{**error, "loc": ("query", *error["loc"])} for error in errors]) from None


# The kit's app documents FastAPI's 422 as the envelope (`kit.app`), which is what the error handlers send.
_INVALID = {
    "description": "Validation Error",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}},
}


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """The model's fields as the OpenAPI query parameters FastAPI would document for them."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    parameters = []
    for name, field_schema in schema["properties"].items():
        if field_schema.get("default", ...) is None:
            del field_schema["default"]
        field_schema.setdefault("title", name.replace("_", " ").title())  # pydantic leaves it off a `$ref`
        parameters.append({"name": name, "in": "query", "required": False, "schema": field_schema})
    return parameters


async def paginate(session: AsyncSession, query: Select[Any], *, page: int, limit: int) -> tuple[list[Any], int]:
    """One page of an ordered query's rows and the count of all of them. The count is a second statement only
    when the page cannot tell it: a page with fewer rows than `limit` is the last, so the total is its offset
    plus its rows (most lists fit on their first page). Each statement sees its own snapshot either way."""
    offset = (page - 1) * limit
    rows = list((await session.execute(query.offset(offset).limit(limit))).all())
    total = total_of_page(offset, len(rows), limit)
    if total is None:
        total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    return rows, total


def total_of_page(offset: int, returned: int, limit: int) -> int | None:
    """The count of all rows when a page read at `offset` tells it (it is the last page: fewer rows than
    `limit`, or an empty first page), else None: a full page may have more after it, and an empty page past
    the first may lie past the end."""
    if 0 < returned < limit or (offset == 0 and returned == 0):
        return offset + returned
    return None
