"""The schedule `rq cron workers/cron.py` runs. Run exactly one cron process: rq cron has no lock."""

from rq import cron

from workers.jobs import dispatch_webhooks, drain_tracking, plan_due
from workers.queues import DEFAULT_QUEUE, WEBHOOK_QUEUE

PLAN_INTERVAL_S = 30
"""How often the planner looks for due emails."""

DRAIN_INTERVAL_S = 10
"""How often buffered opens and clicks are recorded; the most the stats lag behind."""

WEBHOOK_INTERVAL_S = 5
"""How often due webhook deliveries (new events and retries) are handed to the webhook worker."""

cron.register(plan_due, queue_name=DEFAULT_QUEUE, interval=PLAN_INTERVAL_S, job_timeout=600)
cron.register(drain_tracking, queue_name=DEFAULT_QUEUE, interval=DRAIN_INTERVAL_S, job_timeout=600)
cron.register(dispatch_webhooks, queue_name=WEBHOOK_QUEUE, interval=WEBHOOK_INTERVAL_S, job_timeout=120)
