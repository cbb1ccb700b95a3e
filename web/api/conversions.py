"""Bookings made in another tool: the subscriber's sequences end at once."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint

from campaigns.conversions import Booking, record_conversion
from web.api.auth import token_required
from web.api.schemas import ConversionIn, ConversionOut
from web.api.spec import answers, spec
from web.database import get_session
from web.queueing import enqueue_soon

bp = Blueprint("conversions", __name__)


@bp.post("/conversions")
@token_required("write")
@spec.validate(json=ConversionIn, resp=answers(HTTP_201=ConversionOut), tags=["bookings"])
def create_conversion(json: ConversionIn):
    """Record a booking made in another tool; the subscriber's sequences end at once."""
    db = get_session()
    booking = Booking(source="api", **json.model_dump())
    conversion = record_conversion(db, booking, datetime.now(UTC))
    db.commit()
    enqueue_soon("workers.jobs.send_consultation_emails", conversion.id)
    return ConversionOut(id=conversion.id, subscriber_found=conversion.subscriber_id is not None), 201
