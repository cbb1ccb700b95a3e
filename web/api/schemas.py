"""The request and answer schemas of the API: they validate requests and make the OpenAPI document."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from campaigns.addresses import clean_first_name, clean_timezone, has_forbidden_characters, normalize_email
from campaigns.errors import ValidationError


def _email(value: str) -> str:
    try:
        return normalize_email(value)
    except ValidationError as exc:
        raise ValueError(str(exc)) from exc


def _line(value: str) -> str:
    if has_forbidden_characters(value):
        raise ValueError("must be one line of plain text, without control characters")
    return value.strip()


def _lines(value: str) -> str:
    if has_forbidden_characters(value.replace("\r\n", "\n").replace("\n", "")):
        raise ValueError("must be plain text without control characters")
    return value.strip()


def _name(value: str) -> str:
    try:
        return clean_first_name(value) or ""
    except ValidationError as exc:
        raise ValueError(str(exc)) from exc


def _zone(value: str) -> str:
    try:
        return clean_timezone(value) or ""
    except ValidationError as exc:
        raise ValueError(str(exc)) from exc


Email = Annotated[str, Field(max_length=320, examples=["ada@example.com"]), AfterValidator(_email)]
Name = Annotated[str, Field(max_length=100), AfterValidator(_name)]
TimeZone = Annotated[str, Field(max_length=64, examples=["America/New_York"]), AfterValidator(_zone)]
Line = Annotated[str, Field(max_length=100), AfterValidator(_line)]
Message = Annotated[str, Field(max_length=2000), AfterValidator(_lines)]


class Strict(BaseModel):
    """A request body: unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


class ConversionIn(Strict):
    """A booking made in another tool."""

    email: Email
    name: Name = ""
    phone: Line = ""
    preferred_time: Line = ""
    message: Message = ""


class ConversionOut(BaseModel):
    """The recorded booking."""

    id: int
    subscriber_found: bool
