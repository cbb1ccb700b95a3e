"""Refuse hostile input before any view runs: NUL bytes, ids too big for the database, deep nesting.

A NUL byte cannot be stored in a PostgreSQL text column, an id past 64 bits overflows its
integer columns, and JSON or templates nested thousands deep exhaust Python's recursion. Each is
a visitor's mistake (or probe), so each gets a plain 4xx here instead of a 500 further in.
"""

from __future__ import annotations

from flask import Flask, abort, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter, Map

from web.errors import handle_http_error

SELF_CHECKING = {"subscribe.subscribe", "consultation.submit"}
"""Public forms that name each bad field themselves, NUL bytes included."""

MAX_DATABASE_ID = 2**63 - 1
"""The largest id a BIGINT column holds; PostgreSQL refuses anything larger outright."""


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` in a URL, bounded to what the database can hold: a larger id is simply a 404."""

    def __init__(
        self,
        url_map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = None,
        signed: bool = False,
    ) -> None:
        """Read the rule's options; a missing `max` is the database's own."""
        bound = MAX_DATABASE_ID if max is None else max
        super().__init__(url_map, fixed_digits, min, bound, signed)


def refuse_nul_bytes() -> None:
    """Refuse a request whose query or form fields hold a NUL byte (a path's token views check)."""
    if request.endpoint in SELF_CHECKING:
        return
    values = [*request.args.values(), *request.args.keys()]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        values += [*request.form.values(), *request.form.keys()]
    if any("\x00" in value for value in values):
        abort(400, description="A field holds a NUL character, which text may not contain.")


def too_deeply_nested(_error: RecursionError):  # type: ignore[no-untyped-def]
    """Answer input nested deeper than anything real (JSON, a template) with a 400."""
    return handle_http_error(BadRequest(description="That input is nested too deeply to be read."))


def init_app(app: Flask) -> None:
    """Bound URL ids, turn off slash-merging redirects and refuse NUL bytes and endless nesting."""
    app.url_map.converters["int"] = DatabaseIdConverter
    # Werkzeug would answer `//` in a path with a redirect built from the request's Host header.
    app.url_map.merge_slashes = False
    app.before_request(refuse_nul_bytes)
    app.register_error_handler(RecursionError, too_deeply_nested)
