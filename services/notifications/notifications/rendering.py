"""Messages from versioned templates: `templates/<version>/<language>/<template>.txt` holds the subject, the
one-line summary an in-app item shows and the plain-text e-mail; `<template>.html` the HTML e-mail's content,
wrapped in the version's one shared layout. Dates are shown in the recipient's time zone and language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape

TEMPLATES = Path(__file__).parent / "templates"
LANGUAGES = ("en", "de")
DEFAULT_LANGUAGE = "en"

_MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"],
    "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
           "November", "Dezember"],
}  # fmt: skip

# What a plan limits, as the billing service's `resource` names it, in words.
_RESOURCES = {
    "en": {"interviews": "interviews", "templates": "templates", "teamMembers": "team members"},
    "de": {"interviews": "Interviews", "templates": "Vorlagen", "teamMembers": "Teammitglieder"},
}


def language_of(preferred: str | None) -> str:
    """The recipient's language where a translation exists (`de-AT` reads as `de`), English otherwise."""
    base = (preferred or "").split("-")[0].split("_")[0].lower()
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


def zone_of(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@dataclass(frozen=True)
class Rendered:
    subject: str
    summary: str
    text: str
    html: str


class Renderer:
    def __init__(self, version: str) -> None:
        self.version = version
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES / version),
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )

    def _template(self, language: str, template: str, kind: str) -> Template:
        return self.env.get_template(f"{language}/{template}.{kind}")

    def _context(self, data: dict[str, Any], *, language: str, timezone: str, extra: dict[str, Any]) -> dict[str, Any]:
        zone = zone_of(timezone)

        def localdate(value: str | datetime | None) -> str:
            if value is None or value == "":
                return ""
            moment = datetime.fromisoformat(value) if isinstance(value, str) else value
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            local = moment.astimezone(zone)
            month = _MONTHS[language][local.month - 1]
            if language == "de":
                return f"{local.day}. {month} {local.year}, {local:%H:%M} ({zone.key})"
            return f"{month} {local.day}, {local.year}, {local:%H:%M} ({zone.key})"

        def resource_name(key: str) -> str:
            return _RESOURCES[language].get(key, key)

        return {**data, **extra, "lang": language, "localdate": localdate, "resource_name": resource_name}

    def headline(self, template: str, data: dict[str, Any], *, language: str, timezone: str) -> tuple[str, str]:
        """The subject and the one-line summary: what an in-app item shows as its title and body."""
        tpl = self._template(language, template, "txt")
        context = tpl.new_context(self._context(data, language=language, timezone=timezone, extra={}))
        subject = "".join(tpl.blocks["subject"](context)).strip()
        summary = "".join(tpl.blocks["summary"](context)).strip()
        return subject, summary

    def email(
        self, template: str, data: dict[str, Any], *, language: str, timezone: str, links: dict[str, Any]
    ) -> Rendered:
        """The whole e-mail; `links` adds the absolute URLs (the web app, the message's link, unsubscribe)."""
        context = self._context(data, language=language, timezone=timezone, extra=links)
        txt = self._template(language, template, "txt")
        text_context = txt.new_context(context)
        subject = "".join(txt.blocks["subject"](text_context)).strip()
        summary = "".join(txt.blocks["summary"](text_context)).strip()
        text = "".join(txt.blocks["text"](text_context)).strip() + "\n"
        footer = self.env.get_template(f"{language}/_footer.txt").render(context)
        html = self._template(language, template, "html").render({**context, "subject": subject})
        return Rendered(subject=subject, summary=summary, text=text + footer, html=html)


@cache
def renderer(version: str) -> Renderer:
    return Renderer(version)
