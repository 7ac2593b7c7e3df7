"""How the aggregates' enums are stored: as their values, in the plain VARCHAR columns the migrations created
(no database enum type, no CHECK constraint), and read back as enum members."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Enum


def stored_enum(enum_type: type[StrEnum], *, length: int) -> Enum:
    return Enum(
        enum_type,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
    )
