"""Background work: RQ jobs, their queues, the cron registration and the dev launcher."""
