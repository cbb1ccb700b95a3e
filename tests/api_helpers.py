"""Helpers the API tests share: tokens made through the command line, and authorised calls."""

from __future__ import annotations

import re


def make_token(runner, scope: str, name: str = "booking tool") -> str:
    """Create a token with `flask api-token create` and return it as printed."""
    output = runner.invoke(args=["api-token", "create", name, "--scope", scope]).output
    return re.search(r"(nt_\S+)", output).group(1)


def bearer(token: str) -> dict[str, str]:
    """The header that carries a token."""
    return {"Authorization": f"Bearer {token}"}
