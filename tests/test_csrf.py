"""Every POST route refuses a form without its CSRF token; a new route is covered as soon as it exists."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.routing import IntegerConverter

from campaigns.accounts import create_user
from campaigns.models import AuditLog, ConsentRecord, Conversion, Sequence, SignupAttempt
from campaigns.statuses import Role, SequenceStatus
from tests.factories import seeded
from web.security import EXEMPT_BLUEPRINTS, EXEMPT_VIEWS, is_exempt

PASSWORD = "a long enough password"
# Each exemption proves itself another way; adding one is a decision, made here on purpose.
EXPECTED_EXEMPT = {
    "unsubscribe.act",
    "unsubscribe.test_email",
    "confirm.confirm_submit",
    "confirm.new_link",
    "subscribe.subscribe",
    "api.conversions.create_conversion",
    "api.subscribers.subscribe",
    "api.subscribers.unsubscribe",
    "api.webhooks.create_endpoint",
    "webhooks.sendgrid_events",
}


def post_routes(app: Flask) -> list[tuple[str, str]]:
    """Every (endpoint, URL) that accepts POST, with each URL variable filled in."""
    urls = app.url_map.bind("localhost")
    routes = []
    for rule in app.url_map.iter_rules():
        if "POST" in (rule.methods or ()):
            values = {
                name: 1 if isinstance(rule._converters[name], IntegerConverter) else "x"
                for name in rule.arguments
            }
            routes.append((rule.endpoint, urls.build(rule.endpoint, values, method="POST")))
    return routes


def signed_in_admin(bare_client, db: Session) -> None:
    create_user(db, "boss@clinic.example", Role.ADMIN, PASSWORD, datetime.now(UTC))
    db.commit()
    page = bare_client.get("/admin/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = {"email": "boss@clinic.example", "password": PASSWORD, "csrf_token": token}
    assert bare_client.post("/admin/login", data=form).status_code == 303


def test_every_post_route_refuses_a_form_without_the_token(app, bare_client, db: Session, settings) -> None:
    sequence = seeded(db, settings)
    signed_in_admin(bare_client, db)
    before = db.scalar(select(func.count(AuditLog.id)))
    routes = post_routes(app)
    assert len(routes) >= 15
    for endpoint, url in routes:
        if is_exempt(endpoint):
            continue
        response = bare_client.post(url, data={"email": "ada@example.com", "consent": "yes", "reason": "x"})
        assert response.status_code == 400, (endpoint, url, response.status_code)
        assert "expired" in response.text, endpoint
    db.expire_all()
    assert db.scalar(select(func.count(AuditLog.id))) == before
    assert db.get_one(Sequence, sequence.id).status == SequenceStatus.ACTIVE
    assert db.scalar(select(func.count(Conversion.id))) == 0
    assert bare_client.get("/admin/").status_code == 200  # still signed in: nothing was signed out


def test_the_exemptions_are_few_named_and_refuse_without_their_own_proof(
    app, bare_client, db: Session
) -> None:
    exempt = {endpoint for endpoint, _ in post_routes(app) if is_exempt(endpoint)}
    assert exempt == EXPECTED_EXEMPT
    assert set(EXEMPT_VIEWS) | {e for e in exempt if e.partition(".")[0] in EXEMPT_BLUEPRINTS} == exempt
    for endpoint, url in post_routes(app):
        if endpoint not in exempt or endpoint == "unsubscribe.test_email":  # it changes nothing
            continue
        response = bare_client.post(
            url, data={"email": "ada@example.com", "consent": "yes", "action": "leave"}
        )
        assert 400 <= response.status_code < 500, (endpoint, response.status_code)
    assert db.scalar(select(func.count(SignupAttempt.id))) == 0  # not even recorded for a job
    assert db.scalar(select(func.count(ConsentRecord.id))) == 0
