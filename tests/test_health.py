"""`/healthz` tells a load balancer whether the engine can work, and names what is down."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import make_settings
from web import create_app


def test_healthz_is_200_when_database_and_redis_answer(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "redis": "ok"}


def test_healthz_is_503_naming_redis_when_redis_is_down(database_url: str, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, DATABASE_URL=database_url, REDIS_URL="redis://127.0.0.1:1/0")
    response = create_app(settings).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "down: redis"
    assert response.json["database"] == "ok"
    assert response.json["redis"].startswith("redis unreachable")


def test_healthz_is_503_naming_the_database_when_it_is_down(redis_url: str, tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path, DATABASE_URL="postgresql://nobody@127.0.0.1:1/none", REDIS_URL=redis_url
    )
    response = create_app(settings).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "down: database"
    assert response.json["redis"] == "ok"
