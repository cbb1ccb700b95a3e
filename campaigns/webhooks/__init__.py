"""Webhooks out: the clinic's endpoints, events queued for them in the same transaction, signed delivery."""
