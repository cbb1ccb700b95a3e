"""`/admin/users` (admins only): add colleagues with a role, change roles, deactivate, reset passwords."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, flash, g, redirect, render_template, request, url_for

from campaigns.access import team
from campaigns.access.sessions import open_sessions
from campaigns.accounts import generate_password
from campaigns.errors import ValidationError
from campaigns.models import User
from campaigns.statuses import Role
from web.admin import bp
from web.admin.access import audit, role_required
from web.admin.forms import AddUserForm, RoleForm
from web.database import get_session
from web.queueing import enqueue_soon

ADMINS = (Role.ADMIN,)


def _user(user_id: int) -> User:
    user = get_session().get(User, user_id)
    if user is None:
        abort(404, description="There is no such user.")
    return user


def _shown_once(template: str, **context):
    """Render a page holding a secret that is shown once: never cached, never stored."""
    response = render_template(template, **context)
    return response, 200, {"Cache-Control": "no-store"}


@bp.get("/users")
@role_required(*ADMINS)
def users():
    """List everyone who may sign in, with the form to add one."""
    return _list(AddUserForm())


def _list(form: AddUserForm, status: int = 200):
    db = get_session()
    people = [(user, len(open_sessions(db, user.id))) for user in team.list_users(db)]
    return render_template("admin/users.html", people=people, form=form), status


@bp.post("/users")
@role_required(*ADMINS)
def add_user():
    """Add a user; they get a one-time link by email, or a password shown here once."""
    form, db, now = AddUserForm(), get_session(), datetime.now(UTC)
    if not form.validate():
        return _list(form, 400)
    try:
        user = team.add_user(db, form.email.data or "", Role(form.role.data), now)
    except ValidationError as exc:
        db.rollback()
        form.email.errors = [str(exc).capitalize() + "."]
        return _list(form, 400)
    audit("user.add", f"user:{user.id}", now, email=user.email, role=user.role.value)
    return _hand_over(user, form.delivery.data or "link", now, f"Added {user.email} as {user.role}.")


def _hand_over(user: User, delivery: str, now: datetime, done: str):
    """Give `user` a way to sign in: email a set-password link, or show a new password once."""
    db = get_session()
    if delivery == "shown":
        password = team.reset_password(db, user, now)
        db.commit()
        return _shown_once("admin/password_shown.html", person=user, password=password, done=done)
    db.commit()
    if enqueue_soon("workers.jobs.send_set_password_link", user.id, g.user.email):
        flash(f"{done} An email with a link to set a password is on its way to {user.email}.", "info")
    else:
        flash(f"{done} The email could not be queued; use “Show a new password once” instead.", "error")
    return redirect(url_for("admin.user_page", user_id=user.id), code=303)


@bp.get("/users/<int:user_id>")
@role_required(*ADMINS)
def user_page(user_id: int):
    """Show one user: role, sessions, and what can be done."""
    user = _user(user_id)
    sessions = open_sessions(get_session(), user.id)
    return render_template(
        "admin/user.html", person=user, sessions=sessions, form=RoleForm(role=user.role.value)
    )


@bp.post("/users/<int:user_id>/role")
@role_required(*ADMINS)
def change_role(user_id: int):
    """Give a user another role; their open sessions end, so the new role applies at once."""
    user, form, db, now = _user(user_id), RoleForm(), get_session(), datetime.now(UTC)
    if not form.validate():
        abort(400, description="Choose one of the roles.")
    old = user.role
    try:
        changed = team.change_role(db, user, Role(form.role.data), now)
    except ValidationError as exc:
        abort(409, description=str(exc).capitalize() + ".")
    if changed:
        audit("user.role", f"user:{user.id}", now, email=user.email, old=old.value, new=user.role.value)
        flash(
            f"{user.email} is now {user.role}; they were signed out and sign in again as {user.role}.", "info"
        )
    else:
        flash(f"{user.email} already was {user.role}; nothing changed.", "info")
    db.commit()
    return redirect(url_for("admin.user_page", user_id=user.id), code=303)


@bp.get("/users/<int:user_id>/deactivate")
@role_required(*ADMINS)
def confirm_deactivate(user_id: int):
    """Ask before deactivating a user."""
    return render_template("admin/confirm.html", **_deactivate_question(_user(user_id)))


def _deactivate_question(user: User) -> dict[str, str]:
    return {
        "title": f"Deactivate {user.email}?",
        "explanation": "They are signed out everywhere at once and cannot sign in until reactivated. "
        "What they did stays in the audit log.",
        "action": url_for("admin.deactivate", user_id=user.id),
        "button": "Deactivate",
        "back": url_for("admin.user_page", user_id=user.id),
    }


@bp.post("/users/<int:user_id>/deactivate")
@role_required(*ADMINS)
def deactivate(user_id: int):
    """Deactivate a user and end all of their sessions."""
    user, db, now = _user(user_id), get_session(), datetime.now(UTC)
    if user.id == g.user.id:
        abort(409, description="You cannot deactivate yourself; ask another admin.")
    try:
        team.deactivate(db, user, now)
    except ValidationError as exc:
        abort(409, description=str(exc).capitalize() + ".")
    audit("user.deactivate", f"user:{user.id}", now, email=user.email)
    db.commit()
    flash(f"{user.email} is deactivated and was signed out everywhere.", "info")
    return redirect(url_for("admin.users"), code=303)


@bp.post("/users/<int:user_id>/reactivate")
@role_required(*ADMINS)
def reactivate(user_id: int):
    """Let a deactivated user sign in again."""
    user, db, now = _user(user_id), get_session(), datetime.now(UTC)
    team.reactivate(user)
    audit("user.reactivate", f"user:{user.id}", now, email=user.email)
    db.commit()
    flash(f"{user.email} may sign in again.", "info")
    return redirect(url_for("admin.user_page", user_id=user.id), code=303)


@bp.post("/users/<int:user_id>/reset-password")
@role_required(*ADMINS)
def reset_password(user_id: int):
    """Give a user a new password (by link, or shown once); their sessions end."""
    user, now = _user(user_id), datetime.now(UTC)
    delivery = "shown" if request.form.get("delivery") == "shown" else "link"
    if delivery == "link":
        team.change_password(get_session(), user, generate_password(), now)  # the old one stops now
    audit("user.reset_password", f"user:{user.id}", now, email=user.email, delivery=delivery)
    return _hand_over(user, delivery, now, f"{user.email}'s password was reset and they were signed out.")
