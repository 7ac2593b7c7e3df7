"""Routes of the analytics service: the HR and admin charts, as JSON or as CSV (`?format=csv`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from analytics import access, queries
from analytics.queries import Scope
from analytics.schemas import (
    Filters,
    FunnelView,
    NotificationsView,
    OverviewView,
    QuestionsView,
    ScoresView,
    UsageFilters,
    UsageView,
)
from analytics.settings import Settings
from analytics.warehouse import Warehouse
from kit.auth import Principal, require_roles

router = APIRouter(prefix="/api/analytics", tags=["analytics"])

HrCaller = Annotated[Principal, require_roles("hr", "admin")]
AdminCaller = Annotated[Principal, require_roles("admin")]
Query_ = Annotated[Filters, Query()]
CSV: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "The chart's rows (`?format=csv`)."}
}


async def _warehouse(request: Request) -> Warehouse:
    warehouse: Warehouse = request.app.state.warehouse
    return await warehouse.ready()


# Async: FastAPI runs a plain `def` dependency in its thread pool, a thread hand-off on every report.
async def _today(request: Request) -> date:
    clock: Callable[[], datetime] = request.app.state.clock
    return clock().astimezone(UTC).date()


Storage = Annotated[Warehouse, Depends(_warehouse)]
Today = Annotated[date, Depends(_today)]


def _scope(filters: Filters, request: Request, company: str | None, today: date) -> Scope:
    settings: Settings = request.app.state.settings
    last = filters.to or today
    first = filters.from_ or last - timedelta(days=settings.default_range_days - 1)
    return Scope(
        company_id=company,
        template_id=str(filters.template_id) if filters.template_id else None,
        start=datetime.combine(first, time(), UTC),
        end=datetime.combine(last + timedelta(days=1), time(), UTC),
    )


def _csv(name: str, rows: Iterable[dict[str, Any]]) -> Response:
    rows = list(rows)
    header: list[str] = []
    for row in rows:
        header += [key for key in row if key not in header]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="analytics-{name}.csv"'},
    )


def _dump(view: Any) -> dict[str, Any]:
    data: dict[str, Any] = view.model_dump(by_alias=True)
    return data


@router.get("/overview", response_model=OverviewView, responses=CSV)
async def overview(caller: HrCaller, filters: Query_, request: Request, warehouse: Storage, today: Today) -> Any:
    """The HR dashboard's counters: invitations, how many got how far, completion rate, time to decision."""
    company = access.company_scope(caller, str(filters.company_id) if filters.company_id else None)
    view = await queries.overview(warehouse, _scope(filters, request, company, today))
    return _csv("overview", [_dump(view)]) if filters.format == "csv" else view


@router.get("/funnel", response_model=FunnelView, responses=CSV)
async def funnel(caller: HrCaller, filters: Query_, request: Request, warehouse: Storage, today: Today) -> Any:
    """Invited → opened → started → completed → analysed → decided, overall and per template."""
    company = access.company_scope(caller, str(filters.company_id) if filters.company_id else None)
    scope = _scope(filters, request, company, today)
    view = await queries.funnel(
        warehouse,
        scope,
        start_day=scope.start.date().isoformat(),
        end_day=(scope.end - timedelta(days=1)).date().isoformat(),
    )
    if filters.format != "csv":
        return view
    rows = [{"templateId": "", "templateTitle": "All templates", **_dump(step)} for step in view.steps]
    for template in view.templates:
        rows += [
            {"templateId": template.template_id, "templateTitle": template.template_title, **_dump(step)}
            for step in template.steps
        ]
    return _csv("funnel", rows)


@router.get("/questions", response_model=QuestionsView, responses=CSV)
async def questions(caller: HrCaller, filters: Query_, request: Request, warehouse: Storage, today: Today) -> Any:
    """Drop-off per question: reached, answered, abandoned there, median answer length, retakes."""
    company = access.company_scope(caller, str(filters.company_id) if filters.company_id else None)
    view = await queries.questions(warehouse, _scope(filters, request, company, today))
    return _csv("questions", [_dump(q) for q in view.questions]) if filters.format == "csv" else view


@router.get("/scores", response_model=ScoresView, responses=CSV)
async def scores(caller: HrCaller, filters: Query_, request: Request, warehouse: Storage, today: Today) -> Any:
    """Score distributions, AI recommendation against the human decision, and reviewers' time to decide."""
    company = access.company_scope(caller, str(filters.company_id) if filters.company_id else None)
    view = await queries.scores(warehouse, _scope(filters, request, company, today))
    if filters.format != "csv":
        return view
    rows: list[dict[str, Any]] = [
        {"chart": "scores", "criterion": c.criterion, **_dump(b)} for c in view.criteria for b in c.buckets
    ]
    rows += [{"chart": "agreement", **_dump(cell)} for cell in view.agreement.matrix]
    rows += [{"chart": "reviewers", **_dump(r)} for r in view.decisions.reviewers]
    return _csv("scores", rows)


@router.get("/notifications", response_model=NotificationsView, responses=CSV)
async def notifications(caller: HrCaller, filters: Query_, request: Request, warehouse: Storage, today: Today) -> Any:
    """Invitation e-mails sent and failed, and how many opened invitations were started."""
    company = access.company_scope(caller, str(filters.company_id) if filters.company_id else None)
    view = await queries.notifications(warehouse, _scope(filters, request, company, today))
    if filters.format != "csv":
        return view
    return _csv(
        "notifications",
        [
            {
                "emailsSent": view.invitation_emails.sent,
                "emailsFailed": view.invitation_emails.failed,
                **_dump(view.open_to_start),
            }
        ],
    )


@router.get("/admin/usage", response_model=UsageView, responses=CSV)
async def usage(
    caller: AdminCaller,
    filters: Annotated[UsageFilters, Query()],
    request: Request,
    warehouse: Storage,
    today: Today,
) -> Any:
    """Platform usage per company and plan over time: invitations, analyses, storage, LLM tokens."""
    company = str(filters.company_id) if filters.company_id else None
    view = await queries.usage(warehouse, _scope(filters, request, company, today), interval=filters.interval)
    return _csv("usage", [_dump(p) for p in view.series]) if filters.format == "csv" else view
