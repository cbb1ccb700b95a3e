"""Schemathesis against /api/v1/openapi.json: no server error, and every answer matches the document."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api_helpers import make_token
from tests.conftest import make_settings
from tests.factories import active_subscriber, seeded

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def api_app(database_url, redis_url, redis, tmp_path):
    """The app with data to find, and a rate limit high enough for the run."""
    from campaigns.db import make_session_factory
    from tests.conftest import engine_for
    from web import create_app

    settings = make_settings(
        tmp_path, DATABASE_URL=database_url, REDIS_URL=redis_url, API_RATE_LIMIT="100000/minute"
    )
    db = make_session_factory(engine_for(database_url))()
    active_subscriber(db, seeded(db, settings))
    db.close()
    app = create_app(settings)
    app.config["TESTING"] = True
    app.config["WRITE_TOKEN"] = make_token(app.test_cli_runner(), "write")
    yield app
    app.extensions["nurture"]["engine"].dispose()


def test_every_operation_answers_as_documented(api_app) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api_app)
    headers = {"Authorization": f"Bearer {api_app.config['WRITE_TOKEN']}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def answers_as_documented(case) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        answers_as_documented()


def test_the_document_is_openapi_3_1_and_the_reference_page_shows_every_operation(
    client, db, settings
) -> None:
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.1")
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and "<script" not in page.text
    for path, operations in document["paths"].items():
        for method in operations:
            assert f"{method.upper()} {path}" in page.text
    unauthorised = client.get("/api/v1/sequences")
    assert unauthorised.status_code == 401 and unauthorised.headers["WWW-Authenticate"].startswith("Bearer")
