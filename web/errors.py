"""Error pages: a plain sentence for people, a JSON body for programs, never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from web.api.problems import problem_response

log = logging.getLogger(__name__)

TITLES = {
    400: "That request could not be used",
    403: "You cannot do that",
    404: "Page not found",
    405: "That is not allowed here",
    409: "That cannot be done now",
    413: "That was too large",
    415: "That format is not accepted",
    401: "Not signed in",
    429: "Too many requests",
    500: "Something went wrong on our side",
    503: "Temporarily unavailable",
}


def wants_json() -> bool:
    """Tell whether the caller is a program that asked for JSON."""
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return request.is_json or best == "application/json"


def handle_http_error(error: HTTPException):
    """Answer an HTTP error in the caller's format."""
    code = error.code or 500
    message = error.description if code != 500 else "Please try again in a moment."
    if request.path.startswith("/api/"):
        return problem_response(code, TITLES.get(code, error.name), message)
    if wants_json():
        return jsonify(error=TITLES.get(code, error.name), message=message), code
    return render_template("error.html", code=code, title=TITLES.get(code, error.name), message=message), code


def handle_unexpected(error: Exception):
    """Log the bug and answer a plain 500."""
    log.exception("unhandled error on %s %s", request.method, request.path)
    return handle_http_error(InternalServerError())


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
