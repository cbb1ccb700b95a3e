"""The schedule `rq cron workers/cron.py` runs; any number of cron processes may run it at once.

Each cron process names itself on the jobs it enqueues. A job takes or renews the cron lease
for its process (`campaigns.leadership`) and works only if that process leads; the others'
jobs stand by at the cost of one query, and take over once the leader's lease runs out. Run
it with `--connection-class workers.patient_redis.PatientRedis` so that a Redis restart makes it
wait rather than exit.
"""

import os
import socket
import uuid

from rq import cron

from workers.jobs import PLAN_JOB_TIMEOUT_S, dispatch_webhooks, drain_tracking, plan_due
from workers.queues import DEFAULT_QUEUE, WEBHOOK_QUEUE

PLAN_INTERVAL_S = int(os.environ.get("PLAN_INTERVAL_S", "30"))
"""How often the planner looks for due emails (and hands lost work on again): `PLAN_INTERVAL_S`."""

DRAIN_INTERVAL_S = 10
"""How often buffered opens and clicks are recorded (the most the stats lag behind); it renews the lease."""

CRON_NAME = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
"""This cron process, as its jobs name it to the lease."""
WEBHOOK_INTERVAL_S = 5
"""How often due webhook deliveries (new events and retries) are handed to the webhook worker."""

cron.register(
    plan_due,
    queue_name=DEFAULT_QUEUE,
    args=(CRON_NAME,),
    interval=PLAN_INTERVAL_S,
    job_timeout=PLAN_JOB_TIMEOUT_S,
)
cron.register(
    drain_tracking, queue_name=DEFAULT_QUEUE, args=(CRON_NAME,), interval=DRAIN_INTERVAL_S, job_timeout=600
)
cron.register(dispatch_webhooks, queue_name=WEBHOOK_QUEUE, interval=WEBHOOK_INTERVAL_S, job_timeout=120)
