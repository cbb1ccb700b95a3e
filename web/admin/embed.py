"""The snippet a clinic pastes into its own website to show the signup form."""

from __future__ import annotations

from flask import g, render_template, request
from sqlalchemy import select

from campaigns.clinic import embed_origins
from campaigns.models import Sequence
from campaigns.sequences.catalog import PUBLIC
from web.admin import bp
from web.admin.access import login_required
from web.database import get_session, get_settings
from web.public import signup_context


@bp.get("/embed")
@login_required
def embed():
    """Show the embeddable form's HTML, ready to copy."""
    settings = get_settings()
    sequences = list(
        get_session().scalars(select(Sequence).where(Sequence.status.in_(PUBLIC)).order_by(Sequence.name))
    )
    chosen = next((s for s in sequences if s.slug == request.args.get("sequence")), None)
    snippet = render_template(
        "admin/embed_snippet.html", base=settings.public_base_url, sequence=chosen, **signup_context(chosen)
    )
    context = {"snippet": snippet.strip(), "origins": embed_origins(get_session(), settings), "user": g.user}
    return render_template("admin/embed.html", sequences=sequences, chosen=chosen, **context)
