"""Opens and clicks: resolve signed tokens, then record hits in batches with their rollups."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.automation import ALL_AT_ONCE, click_is_automated, open_is_automated
from campaigns.models import Event, Link, Send
from campaigns.rollups import bump, bump_links
from campaigns.tokens import Keys, unsign_ids


@dataclass(frozen=True)
class Hit:
    """One open or click, as the endpoint saw it; buffered before it is recorded."""

    kind: str  # open | click
    send_id: int
    at: datetime
    link_id: int | None = None
    user_agent: str = ""
    ip: str | None = None
    method: str = "GET"


def click_ids(secret_key: Keys, token: str) -> tuple[int, int]:
    """Return (send id, link id) from a click token; only tokens this engine signed pass."""
    send_id, link_id = unsign_ids(secret_key, "click", token, 2)
    return send_id, link_id


def link_url(session: Session, link_id: int) -> str | None:
    """Return where a tracked link goes."""
    return session.scalar(select(Link.url).where(Link.id == link_id))


def subscriber_of_send(session: Session, send_id: int) -> int | None:
    """Return the subscriber a send went to."""
    return session.scalar(select(Send.subscriber_id).where(Send.id == send_id))


def open_target(secret_key: Keys, token: str) -> int:
    """Return the send id of an open pixel token (checked when the hit is recorded)."""
    return unsign_ids(secret_key, "open", token, 1)[0]


def record_hits(session: Session, hits: list[Hit]) -> int:
    """Record a batch of hits: events flagged human or automated, first-times, and rollups."""
    sends = {s.id: s for s in session.scalars(select(Send).where(Send.id.in_({h.send_id for h in hits})))}
    hits = [h for h in hits if h.send_id in sends]  # a forged open token names no real send
    swarms = _clicked_all_at_once(hits)
    counts: Counter[tuple[int, date, str]] = Counter()
    link_clicks: Counter[int] = Counter()
    human_clicks: Counter[int] = Counter()
    for hit in hits:
        send = sends[hit.send_id]
        if hit.kind == "open":
            reason = open_is_automated(hit.user_agent, hit.ip)
        else:
            reason = click_is_automated(hit.user_agent, hit.method, hit.at, send.sent_at)
            reason = reason or ("every-link-at-once" if (hit.send_id, hit.at) in swarms else None)
        session.add(
            Event(
                send_id=send.id,
                subscriber_id=send.subscriber_id,
                link_id=hit.link_id,
                kind=hit.kind,
                occurred_at=hit.at,
                automated=reason is not None,
                data={"automated": reason, "user_agent": hit.user_agent[:300], "method": hit.method},
            )
        )
        if send.step_version_id:
            _firsts(send, hit, reason is None, counts)
        if hit.kind == "click" and hit.link_id:
            link_clicks[hit.link_id] += 1
            human_clicks[hit.link_id] += reason is None
    bump(session, counts)
    bump_links(session, link_clicks, human_clicks)
    return len(hits)


def unrecorded(session: Session, hits: list[Hit]) -> list[Hit]:
    """Return the hits that no event records yet: those pushed again may have been drained once."""
    if not hits:
        return []
    rows = session.execute(
        select(Event.send_id, Event.kind, Event.link_id, Event.occurred_at).where(
            Event.send_id.in_({hit.send_id for hit in hits}), Event.kind.in_({hit.kind for hit in hits})
        )
    )
    recorded = {tuple(row) for row in rows}
    return [hit for hit in hits if (hit.send_id, hit.kind, hit.link_id, hit.at) not in recorded]


def _firsts(send: Send, hit: Hit, human: bool, counts: Counter[tuple[int, date, str]]) -> None:
    """Set the send's first open or click, human and all, and count each first once."""
    assert send.step_version_id is not None
    day = hit.at.date()
    names = ("opened_at", "opened") if hit.kind == "open" else ("clicked_at", "clicked")
    human_names = (
        ("human_opened_at", "opened_human") if hit.kind == "open" else ("human_clicked_at", "clicked_human")
    )
    for (column, metric), applies in ((names, True), (human_names, human)):
        if applies and getattr(send, column) is None:
            setattr(send, column, hit.at)
            counts[(send.step_version_id, day, metric)] += 1


def _clicked_all_at_once(hits: list[Hit]) -> set[tuple[int, datetime]]:
    """Find clicks on several different links of one email within a moment: a scanner's sweep."""
    by_send: dict[int, list[Hit]] = defaultdict(list)
    for hit in hits:
        if hit.kind == "click":
            by_send[hit.send_id].append(hit)
    swept: set[tuple[int, datetime]] = set()
    for send_id, clicks in by_send.items():
        clicks.sort(key=lambda h: h.at)
        for first, second in pairwise(clicks):
            if second.link_id != first.link_id and second.at - first.at <= ALL_AT_ONCE:
                swept.update({(send_id, first.at), (send_id, second.at)})
    return swept
