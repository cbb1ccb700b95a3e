"""`POST /webhooks/sendgrid`: SendGrid's signed event webhook.

The signature is checked on the raw body with the `sendgrid` package's EventWebhook helper and
SENDGRID_WEBHOOK_PUBLIC_KEY; a timestamp more than 10 minutes away is refused. Unsigned or badly
signed posts get a 403 and nothing is stored. Good ones are answered at once and processed in a job.
"""

from __future__ import annotations

import binascii
import json
import re
import time

from flask import Blueprint, abort, current_app, jsonify, request
from sendgrid.helpers.eventwebhook import EventWebhook, EventWebhookHeader

from campaigns.clinic import clinic_zone
from campaigns.provider_events import process_events
from web.app_state import shared
from web.database import get_session, get_settings
from web.queueing import enqueue_soon

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")

MAX_AGE_S = 600
MAX_BODY = 8 * 1024 * 1024  # SendGrid batches events; larger than the app's usual limit
TIMESTAMP = re.compile(r"[0-9]{1,12}")  # ASCII digits only: "²" passes str.isdigit() and fails int()


def _verifier() -> EventWebhook:
    key = get_settings().sendgrid_webhook_public_key
    return shared(current_app.extensions["nurture"], "webhook", lambda: EventWebhook(key))


@bp.post("/sendgrid")
def sendgrid_events():
    """Verify, then queue the batch of events for processing."""
    if not get_settings().sendgrid_webhook_public_key:
        abort(403, description="The SendGrid webhook is not configured (SENDGRID_WEBHOOK_PUBLIC_KEY).")
    request.max_content_length = MAX_BODY
    raw = request.get_data(cache=True)
    signature = request.headers.get(EventWebhookHeader.SIGNATURE, "")
    stamp = request.headers.get(EventWebhookHeader.TIMESTAMP, "")
    if not TIMESTAMP.fullmatch(stamp) or abs(time.time() - int(stamp)) > MAX_AGE_S:
        abort(403, description="The webhook timestamp is missing or more than 10 minutes away.")
    try:
        valid = _verifier().verify_signature(raw.decode("utf-8"), signature, stamp)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        valid = False
    if not valid:
        abort(403, description="The webhook signature does not match.")
    try:
        events = json.loads(raw)
    except (ValueError, RecursionError):
        abort(400, description="The body is not JSON, or is nested too deeply.")
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        abort(400, description="The body must be a JSON array of event objects.")
    if not enqueue_soon("workers.jobs.process_provider_events", events):
        db = get_session()  # Redis is down: do it now rather than lose it
        process_events(db, events, clinic_zone(db, get_settings()))
        db.commit()
    return jsonify(received=len(events)), 200
