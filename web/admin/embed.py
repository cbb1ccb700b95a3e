"""The snippet a clinic pastes into its own website to show the signup form."""

from __future__ import annotations

from flask import g, render_template

from campaigns.clinic import embed_origins
from web.admin import bp
from web.admin.access import login_required
from web.database import get_session, get_settings
from web.public import clinic_context


@bp.get("/embed")
@login_required
def embed():
    """Show the embeddable form's HTML, ready to copy."""
    settings = get_settings()
    snippet = render_template("admin/embed_snippet.html", base=settings.public_base_url, **clinic_context())
    return render_template(
        "admin/embed.html",
        snippet=snippet.strip(),
        origins=embed_origins(get_session(), settings),
        user=g.user,
    )
