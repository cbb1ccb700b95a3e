"""API tokens: made and revoked on the command line, scoped, and rate-limited per token."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from campaigns.models import ApiToken
from tests.api_helpers import bearer, make_token
from tests.conftest import make_settings
from tests.factories import seeded


def test_a_token_is_printed_once_and_stored_only_as_a_hash(runner, db, settings) -> None:
    token = make_token(runner, "subscribe", "website")
    stored = db.scalars(select(ApiToken)).one()
    assert stored.scope == "subscribe" and stored.name == "website"
    assert token not in stored.token_hash and len(stored.token_hash) == 64
    listing = runner.invoke(args=["api-token", "list"]).output
    assert "subscribe\twebsite" in listing and "live" in listing and token not in listing


def test_a_revoked_token_is_listed_as_revoked_and_refused(runner, client, db, settings) -> None:
    seeded(db, settings)
    token = make_token(runner, "read")
    assert client.get("/api/v1/sequences", headers=bearer(token)).status_code == 200
    assert "token 1 revoked" in runner.invoke(args=["api-token", "revoke", "1"]).output
    assert "revoked" in runner.invoke(args=["api-token", "list"]).output
    answer = client.get("/api/v1/sequences", headers=bearer(token))
    assert answer.status_code == 401 and answer.mimetype == "application/problem+json"
    again = runner.invoke(args=["api-token", "revoke", "1"])
    assert again.exit_code != 0 and "no live API token 1" in again.output


def test_an_unknown_scope_is_refused_on_the_command_line(runner, db, settings) -> None:
    result = runner.invoke(args=["api-token", "create", "crm", "--scope", "admin"])
    assert result.exit_code != 0 and db.scalars(select(ApiToken)).all() == []


@pytest.mark.parametrize(
    ("scope", "method", "path", "status"),
    [
        ("read", "get", "/api/v1/sequences", 200),
        ("subscribe", "get", "/api/v1/sequences", 403),
        ("read", "post", "/api/v1/conversions", 403),
        ("subscribe", "post", "/api/v1/conversions", 403),
        ("write", "get", "/api/v1/sequences", 200),
    ],
)
def test_each_scope_carries_only_its_own_rights(
    runner, client, db, settings, scope, method, path, status
) -> None:
    seeded(db, settings)
    token = make_token(runner, scope)
    answer = getattr(client, method)(path, headers=bearer(token), json={} if method == "post" else None)
    assert answer.status_code == status
    if status == 403:
        assert answer.mimetype == "application/problem+json" and "scope" in answer.json["detail"]


def test_each_token_has_its_own_rate_limit_answered_429_with_retry_after(
    database_url, redis_url, redis, tmp_path
):
    from web import create_app

    settings = make_settings(
        tmp_path, DATABASE_URL=database_url, REDIS_URL=redis_url, API_RATE_LIMIT="3 per minute"
    )
    app = create_app(settings)
    runner, client = app.test_cli_runner(), app.test_client()
    busy, quiet = make_token(runner, "read", "warehouse"), make_token(runner, "read", "crm")
    answers = [client.get("/api/v1/sequences", headers=bearer(busy)).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = client.get("/api/v1/sequences", headers=bearer(busy))
    assert refused.mimetype == "application/problem+json" and int(refused.headers["Retry-After"]) > 0
    assert client.get("/api/v1/sequences", headers=bearer(quiet)).status_code == 200
    app.extensions["nurture"]["engine"].dispose()


def test_a_bad_rate_limit_setting_is_named(tmp_path) -> None:
    from campaigns.errors import SettingsError

    with pytest.raises(SettingsError, match="API_RATE_LIMIT"):
        make_settings(tmp_path, API_RATE_LIMIT="plenty")
