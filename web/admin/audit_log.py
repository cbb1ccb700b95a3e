"""`/admin/audit` (admins only): who did what, when and from where; filtered, or as CSV."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, render_template, request

from campaigns.access import audit, team
from campaigns.statuses import Role
from web.admin import bp
from web.admin.access import role_required
from web.database import get_session


def _day(name: str) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        abort(400, description=f"The {name} date must look like 2026-12-31.")


def _wanted() -> audit.AuditFilter:
    """Read the filter from the query string, refusing what cannot be one."""
    person = request.args.get("user", "").strip()
    if person and not person.isdigit():
        abort(400, description="Choose a person from the list.")
    action = request.args.get("action", "").strip()[:60] or None
    wanted = audit.AuditFilter(int(person) if person else None, action, _day("since"), _day("until"))
    if wanted.since and wanted.until and wanted.since > wanted.until:
        abort(400, description="The first day must not come after the last.")
    return wanted


@bp.get("/audit")
@role_required(Role.ADMIN)
def audit_log():
    """Show the newest entries that match the filter."""
    db, wanted = get_session(), _wanted()
    rows = audit.entries(db, wanted)
    context = {
        "rows": rows,
        "wanted": wanted,
        "people": team.list_users(db),
        "actions": audit.actions_in_use(db),
        "page_size": audit.PAGE_SIZE,
        "query": request.query_string.decode("ascii", "replace"),
    }
    return render_template("admin/audit.html", **context)


@bp.get("/audit.csv")
@role_required(Role.ADMIN)
def audit_csv():
    """Download every entry that matches the filter as CSV."""
    body = audit.as_csv(get_session(), _wanted())
    headers = {"Content-Disposition": 'attachment; filename="audit-log.csv"', "Cache-Control": "no-store"}
    return Response(body, mimetype="text/csv", headers=headers)
