"""The admin's forms (Flask-WTF): each field's limits and the message a person sees."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Regexp

from campaigns.accounts import MIN_PASSWORD_LENGTH
from campaigns.statuses import Role

ROLE_CHOICES = [
    SelectChoice(Role.ADMIN.value, "Admin: everything, including users, settings and the audit log"),
    SelectChoice(Role.EDITOR.value, "Editor: edits, tests and publishes sequences"),
    SelectChoice(Role.VIEWER.value, "Viewer: reads sequences and their figures"),
]


class LoginForm(FlaskForm):
    """Email and password."""

    email = StringField("Email", validators=[DataRequired("Enter your email."), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password."), Length(max=1024)])
    next = HiddenField()


class CodeForm(FlaskForm):
    """The six digits from an authenticator app, or a recovery code."""

    code = StringField(
        "Code",
        validators=[
            DataRequired("Enter the code from your authenticator app."),
            Length(max=20),
            Regexp(r"^[0-9a-zA-Z -]+$", message="A code has digits (or letters, for a recovery code)."),
        ],
    )


class NewPasswordForm(FlaskForm):
    """A new password, typed twice."""

    password = PasswordField(
        "New password",
        validators=[
            DataRequired("Enter a new password."),
            Length(
                min=MIN_PASSWORD_LENGTH, max=1024, message=f"Use at least {MIN_PASSWORD_LENGTH} characters."
            ),
        ],
    )
    confirm = PasswordField(
        "New password again", validators=[EqualTo("password", message="The two passwords differ.")]
    )


class ChangePasswordForm(NewPasswordForm):
    """The current password, then a new one."""

    current = PasswordField("Current password", validators=[DataRequired("Enter your current password.")])


class AddUserForm(FlaskForm):
    """A new colleague: their email, their role, and how they get their first password."""

    email = StringField(
        "Email",
        validators=[
            DataRequired("Enter their email."),
            Length(max=320),
            Email("That is not an email address.", check_deliverability=False),
        ],
    )
    role = RadioField("Role", choices=ROLE_CHOICES, default=Role.EDITOR.value)
    delivery = RadioField(
        "First password",
        choices=[
            SelectChoice("link", "Email them a link to set their own password (valid 3 days, once)"),
            SelectChoice("shown", "Show me a password now, once, to hand over myself"),
        ],
        default="link",
    )


class RoleForm(FlaskForm):
    """A user's new role."""

    role = RadioField("Role", choices=ROLE_CHOICES)
