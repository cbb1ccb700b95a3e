"""People in the admin: search with keyset pages, the search as CSV, and one person's page."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Response, abort, g, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from campaigns.errors import ValidationError
from campaigns.models import Enrollment, Sequence, Subscriber
from campaigns.people.export import csv_chunks
from campaigns.people.search import PeopleQuery, people_query, search
from campaigns.people.timeline import timeline
from campaigns.signup import CHANNELS
from campaigns.statuses import SubscriberStatus
from web.admin import bp
from web.admin.people_access import reads
from web.database import get_session, get_sessions

FILTERS = ("q", "status", "sequence", "source")


def _query():
    """Return the search the page's query string asks for, or answer 400."""
    args = {name: request.args.get(name, "")[:300] for name in FILTERS}
    try:
        return args, people_query(get_session(), args["q"], args["status"], args["sequence"], args["source"])
    except ValidationError as exc:
        abort(400, description=str(exc))


def _keyset() -> int | None:
    raw = request.args.get("after", "")
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 18:
        abort(400, description="That page link is malformed.")
    return int(raw)


@bp.get("/subscribers")
@reads
def subscribers():
    """Search people by address, name, status, sequence and signup source, newest first."""
    args, query = _query()
    page = search(get_session(), query, _keyset())
    sequences = get_session().scalars(select(Sequence).order_by(Sequence.name)).all()
    return render_template(
        "admin/subscribers.html",
        page=page,
        args=args,
        sequences=sequences,
        statuses=[s.value for s in SubscriberStatus],
        sources=CHANNELS,
        user=g.user,
    )


@bp.get("/subscribers.csv")
@reads
def subscribers_csv():
    """Download the current search as CSV, streamed however many people it holds."""
    _, query = _query()
    response = Response(_streamed(get_sessions(), query), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="subscribers.csv"'
    return response


def _streamed(sessions: sessionmaker[Session], query: PeopleQuery) -> Iterator[str]:
    """Yield the CSV from a session of its own, closed before the last chunk goes out.

    The request's session is closed when the view returns; a stream outlives it, and must not
    hold a transaction open while the browser is still reading.
    """
    session = sessions()
    try:
        previous = None
        for chunk in csv_chunks(session, query):
            if previous is not None:
                yield previous
            previous = chunk
    finally:
        session.close()
    yield previous or ""


@bp.get("/subscribers/<int:subscriber_id>")
@reads
def subscriber(subscriber_id: int):
    """Show one person: their details, their timeline, and what staff may do."""
    db = get_session()
    person = db.get(Subscriber, subscriber_id)
    if person is None:
        abort(404)
    rows = db.execute(
        select(Enrollment, Sequence)
        .join(Sequence)
        .where(Enrollment.subscriber_id == person.id)
        .options(selectinload(Enrollment.next_step))  # the page names each next email
    ).all()
    enrolled = {sequence.id for _, sequence in rows}
    others = db.scalars(select(Sequence).where(Sequence.id.not_in(enrolled) if enrolled else True)).all()
    return render_template(
        "admin/subscriber.html",
        person=person,
        enrollments=rows,
        other_sequences=[s for s in others if s.status == "active"],
        entries=timeline(db, person),
        user=g.user,
    )
