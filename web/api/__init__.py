"""The JSON API under /api/v1 for the clinic's other systems, behind bearer tokens."""

from __future__ import annotations

from flask import Blueprint, Flask

from web.api import conversions, events, reference, sequences, subscribers, webhooks
from web.api.problems import ProblemError, problem_response
from web.api.spec import spec

PREFIX = "/api/v1"


def create_blueprint() -> Blueprint:
    """Gather the API's views under one blueprint."""
    bp = Blueprint("api", __name__, url_prefix=PREFIX)
    for module in (conversions, events, sequences, subscribers, webhooks, reference):
        bp.register_blueprint(module.bp)
    bp.register_error_handler(ProblemError, answer_problem)
    return bp


def answer_problem(error: ProblemError):
    """Answer a problem a view raised; a 401 names the scheme to use."""
    response = problem_response(error.status, error.title, error.detail, error.errors)
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def init_app(app: Flask) -> Blueprint:
    """Register the API and let spectree read its routes for the OpenAPI document."""
    bp = create_blueprint()
    app.register_blueprint(bp)
    spec.register(app)
    return bp
