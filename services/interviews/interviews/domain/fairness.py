"""Voluntary self-identification for the adverse-impact report (NYC Local Law 144 bias audits).

A candidate may state their sex and race/ethnicity, or say they prefer not to, at any time and change or withdraw
it. The answer is kept in its own table, keyed by the candidate, apart from the interview: no invitation, review,
export, event or analysis input carries it. The report joins it to decisions and gives only counts and rates.

The categories are the EEO-1 ones the DCWP rules for Local Law 144 audits use. "Another" sex is a category of its
own; "prefer not to say" is offered for each question and counts as not provided in the report."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from kit.db import Base, stored_enum
from kit.errors import NotFound


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"
    ANOTHER = "another"
    PREFER_NOT_TO_SAY = "prefer_not_to_say"


class RaceEthnicity(StrEnum):
    HISPANIC_OR_LATINO = "hispanic_or_latino"
    WHITE = "white"
    BLACK_OR_AFRICAN_AMERICAN = "black_or_african_american"
    NATIVE_HAWAIIAN_OR_OTHER_PACIFIC_ISLANDER = "native_hawaiian_or_other_pacific_islander"
    ASIAN = "asian"
    AMERICAN_INDIAN_OR_ALASKA_NATIVE = "american_indian_or_alaska_native"
    TWO_OR_MORE_RACES = "two_or_more_races"
    PREFER_NOT_TO_SAY = "prefer_not_to_say"


SEX_LABELS = {
    Sex.MALE: "Male",
    Sex.FEMALE: "Female",
    Sex.ANOTHER: "Another sex",
}
# EEO-1 wording; the DCWP rules add "(Not Hispanic or Latino)" to every race but the first, which EEO-1 implies.
RACE_LABELS = {
    RaceEthnicity.HISPANIC_OR_LATINO: "Hispanic or Latino",
    RaceEthnicity.WHITE: "White",
    RaceEthnicity.BLACK_OR_AFRICAN_AMERICAN: "Black or African American",
    RaceEthnicity.NATIVE_HAWAIIAN_OR_OTHER_PACIFIC_ISLANDER: "Native Hawaiian or Other Pacific Islander",
    RaceEthnicity.ASIAN: "Asian",
    RaceEthnicity.AMERICAN_INDIAN_OR_ALASKA_NATIVE: "American Indian or Alaska Native",
    RaceEthnicity.TWO_OR_MORE_RACES: "Two or More Races",
}


class SelfIdentification(Base):
    """One candidate's answers; no row means they gave none (or withdrew them)."""

    __tablename__ = "self_identifications"

    candidate_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    sex: Mapped[Sex | None] = mapped_column(stored_enum(Sex, length=40))
    race_ethnicity: Mapped[RaceEthnicity | None] = mapped_column(stored_enum(RaceEthnicity, length=60))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SelfIdentificationNotFound(NotFound):
    code = "SELF_IDENTIFICATION_NOT_FOUND"
