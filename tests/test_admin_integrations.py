"""The admin's webhooks and API tokens pages: admins only, secrets shown once, changes audited."""

from __future__ import annotations

import re

from sqlalchemy import select

from campaigns.models import ApiToken, AuditLog, WebhookDelivery, WebhookEndpoint
from campaigns.statuses import DeliveryStatus, Role
from tests.admin_helpers import token_on
from tests.api_helpers import bearer
from tests.factories import seeded
from tests.test_admin_sending import signed_in


def test_only_admins_reach_the_pages(client, db, settings) -> None:
    signed_in(client, db, Role.EDITOR)
    assert client.get("/admin/webhooks").status_code == 403
    assert client.get("/admin/api-tokens").status_code == 403


def test_an_admin_adds_an_endpoint_sees_its_secret_once_and_replays_a_delivery(client, db, settings) -> None:
    seeded(db, settings)
    signed_in(client, db, Role.ADMIN)
    data = {"url": "http://127.0.0.1:9/hooks", "events": ["conversion.created"], "description": "CRM"}
    added = client.post(
        "/admin/webhooks", data={**data, "csrf_token": token_on(client.get("/admin/webhooks").text)}
    )
    assert added.status_code == 201
    secret = re.search(r"(whsec_[A-Za-z0-9+/=]+)", added.text).group(1)
    assert secret not in client.get("/admin/webhooks").text
    endpoint = db.scalars(select(WebhookEndpoint)).one()
    assert endpoint.secret == secret and endpoint.events == ["conversion.created"]

    token = client.post(
        "/admin/api-tokens",
        data={
            "name": "booking tool",
            "scope": "write",
            "csrf_token": token_on(client.get("/admin/api-tokens").text),
        },
    )
    assert token.status_code == 201
    value = re.search(r"(nt_[\w-]+)", token.text).group(1)
    assert (
        client.post("/api/v1/conversions", json={"email": "a@example.com"}, headers=bearer(value)).status_code
        == 201
    )
    delivery = db.scalars(select(WebhookDelivery)).one()
    page = client.get("/admin/webhooks").text
    assert "conversion.created" in page and "pending" in page

    replayed = client.post(
        f"/admin/webhooks/deliveries/{delivery.id}/replay",
        data={"csrf_token": token_on(client.get("/admin/webhooks").text)},
    )
    assert replayed.status_code == 303
    copies = db.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
    assert len(copies) == 2 and copies[0].message_id == copies[1].message_id
    assert copies[1].status == DeliveryStatus.PENDING

    removed = client.post(
        f"/admin/webhooks/{endpoint.id}/remove",
        data={"csrf_token": token_on(client.get("/admin/webhooks").text)},
    )
    assert removed.status_code == 303
    db.expire_all()
    assert db.get_one(WebhookEndpoint, endpoint.id).removed_at is not None
    actions = db.scalars(
        select(AuditLog.action).where(AuditLog.action != "sign_in").order_by(AuditLog.id)
    ).all()
    assert actions == ["webhook.add", "api_token.create", "webhook.replay", "webhook.remove"]


def test_a_bad_endpoint_or_token_is_refused_and_a_token_is_revoked(client, db, settings) -> None:
    signed_in(client, db, Role.ADMIN)
    bad = client.post(
        "/admin/webhooks",
        data={
            "url": "javascript:alert(1)",
            "events": ["send.bounced"],
            "csrf_token": token_on(client.get("/admin/webhooks").text),
        },
    )
    assert (
        bad.status_code == 400 and "must be" in bad.text and db.scalars(select(WebhookEndpoint)).all() == []
    )
    no_scope = client.post(
        "/admin/api-tokens",
        data={"name": "x", "scope": "root", "csrf_token": token_on(client.get("/admin/api-tokens").text)},
    )
    assert no_scope.status_code == 400 and db.scalars(select(ApiToken)).all() == []
    client.post(
        "/admin/api-tokens",
        data={"name": "crm", "scope": "read", "csrf_token": token_on(client.get("/admin/api-tokens").text)},
    )
    token_id = db.scalars(select(ApiToken.id)).one()
    revoked = client.post(
        f"/admin/api-tokens/{token_id}/revoke",
        data={"csrf_token": token_on(client.get("/admin/api-tokens").text)},
    )
    assert revoked.status_code == 303 and "revoked" in client.get("/admin/api-tokens").text
    assert (
        client.post("/admin/webhooks", data={"url": "http://127.0.0.1/x"}).status_code == 400
    )  # no CSRF token
