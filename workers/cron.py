"""The schedule `rq cron workers/cron.py` runs. Run exactly one cron process: rq cron has no lock."""

from rq import cron

from workers.jobs import plan_due
from workers.queues import DEFAULT_QUEUE

PLAN_INTERVAL_S = 30
"""How often the planner looks for due emails."""

cron.register(plan_due, queue_name=DEFAULT_QUEUE, interval=PLAN_INTERVAL_S, job_timeout=600)
