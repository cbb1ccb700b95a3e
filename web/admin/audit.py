"""The audit log: what people did, newest first, for the clinic's administrator."""

from __future__ import annotations

from flask import g, render_template
from sqlalchemy import select

from campaigns.models import AuditLog, User
from campaigns.statuses import Role
from web.admin import bp
from web.admin.sending import role_required
from web.database import get_session

PAGE_SIZE = 200


@bp.get("/audit")
@role_required(Role.ADMIN)
def audit_log():
    """Show the newest entries of the audit log, with who acted and the reasons they gave."""
    rows = get_session().execute(
        select(AuditLog, User.email)
        .outerjoin(User, User.id == AuditLog.user_id)
        .order_by(AuditLog.occurred_at.desc(), AuditLog.id.desc())
        .limit(PAGE_SIZE)
    )
    return render_template("admin/audit.html", entries=rows.all(), user=g.user)
