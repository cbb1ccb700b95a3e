"""Bearer tokens on every API view, and the key each token's rate limit is counted under."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from flask import g, request
from flask_limiter.util import get_remote_address

from campaigns.api_tokens import authenticate_token, grants, token_digest
from web.api.problems import ProblemError
from web.database import get_session


def presented_token() -> str:
    """Return the bearer token of this request, or ''."""
    kind, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if kind == "Bearer" else ""


def rate_limit_key() -> str:
    """Count requests per token (by its hash), or per address when none is sent."""
    token = presented_token()
    return f"token:{token_digest(token)[:32]}" if token else f"ip:{get_remote_address()}"


def token_required(scope: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Allow a view only with a live bearer token whose scope carries `scope`."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            token = presented_token()
            record = authenticate_token(get_session(), token, datetime.now(UTC)) if token else None
            if record is None:
                raise ProblemError(
                    401, "Not signed in", "Send a live API token as 'Authorization: Bearer nt_...'."
                )
            if not grants(record, scope):
                raise ProblemError(403, "Not allowed", f"This needs a token with the {scope} scope.")
            g.api_token = record
            return view(*args, **kwargs)

        return wrapped

    return decorate
