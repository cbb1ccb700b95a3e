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
    bp.register_error_handler(ProblemError, lambda e: problem_response(e.status, e.title, e.detail, e.errors))
    return bp


def init_app(app: Flask) -> Blueprint:
    """Register the API and let spectree read its routes for the OpenAPI document."""
    bp = create_blueprint()
    app.register_blueprint(bp)
    spec.register(app)
    return bp
