"""What the admin tests share: users with a role, and signing them in through the form."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from campaigns.accounts import create_user
from campaigns.models import User
from campaigns.statuses import Role

PASSWORD = "a long enough password"


def make_user(db: Session, email: str, role: Role = Role.EDITOR, password: str = PASSWORD) -> User:
    """Create a user and commit."""
    user = create_user(db, email, role, password, datetime.now(UTC))
    db.commit()
    return user


def sign_in(client, email: str, password: str = PASSWORD):
    """Sign in through the login form, as a person would."""
    return client.post("/admin/login", data={"email": email, "password": password})


def token_on(page: str) -> str:
    """Return the CSRF token a page's form carries."""
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
