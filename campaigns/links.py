"""The links of a published step version, numbered, so a click names the link by id."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from campaigns.models import Link


def ensure_links(session: Session, version_id: int, urls: list[str]) -> list[int]:
    """Return the Link ids of a version's links, in order, creating the rows the first time."""
    if not urls:
        return []
    existing = {
        link.position: link
        for link in session.scalars(select(Link).where(Link.step_version_id == version_id))
    }
    missing = [
        Link(step_version_id=version_id, position=position, url=url)
        for position, url in enumerate(urls, start=1)
        if position not in existing
    ]
    if missing:
        try:
            with session.begin_nested():
                session.add_all(missing)
        except IntegrityError:  # another worker numbered them at the same moment
            return ensure_links(session, version_id, urls)
        existing.update({link.position: link for link in missing})
    for position, url in enumerate(urls, start=1):
        existing[position].url = url  # the destination may gain utm parameters after a settings change
    return [existing[position].id for position in range(1, len(urls) + 1)]
