"""Errors in one JSON shape for programs: RFC 9457 problem details, naming each bad field."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from pydantic import BaseModel, Field

PROBLEM_TYPE = "application/problem+json"


class FieldProblem(BaseModel):
    """One field that needs attention."""

    field: str = Field(description="The field's path, such as 'email' or 'steps.0.subject'")
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem: what went wrong, and which fields to fix."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    errors: list[FieldProblem] = Field(default_factory=list)


class ProblemError(Exception):
    """Raised by a view to answer a problem."""

    def __init__(self, status: int, title: str, detail: str = "", errors: dict[str, str] | None = None):
        super().__init__(detail or title)
        self.status, self.title, self.detail = status, title, detail
        self.errors = errors or {}


def problem_response(
    status: int, title: str, detail: str = "", errors: dict[str, str] | None = None
) -> Response:
    """Build a problem+json response."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    body["errors"] = [{"field": name, "message": message} for name, message in (errors or {}).items()]
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_TYPE
    return response


def field_errors(pydantic_errors: list[dict[str, Any]]) -> dict[str, str]:
    """Name each bad field of a pydantic validation error with its message."""
    fields: dict[str, str] = {}
    for error in pydantic_errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query")]
        name = ".".join(location) or "body"
        message = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
        fields.setdefault(name[:200], message[:300])
    return fields
