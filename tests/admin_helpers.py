"""Read the CSRF token a page's forms carry."""

from __future__ import annotations

import re


def form_token(client, path: str) -> str:
    """Return the csrf_token of the first form on the page at `path`."""
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)
