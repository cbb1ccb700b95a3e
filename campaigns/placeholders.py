"""Placeholders: where a shared rendering differs per recipient, and how values replace them."""

from __future__ import annotations

from functools import lru_cache

from markupsafe import escape


def placeholder(name: str) -> str:
    """Return the placeholder that stands for `name` in a shared rendering's text and subject."""
    return f"%%nurture:{name.replace('_', '-')}%%"


def html_placeholder(name: str) -> str:
    """Return the placeholder for `name` in the HTML part, where its value must be escaped."""
    return f"%%nurture:{name.replace('_', '-')}:html%%"


def to_html_placeholders(html: str, names: list[str]) -> str:
    """Mark each placeholder in the HTML part as needing an HTML-escaped value."""
    for name in names:
        html = html.replace(placeholder(name), html_placeholder(name))
    return html


def substitutions_for(values: dict[str, str]) -> dict[str, str]:
    """Return the tag -> value map for one recipient: raw in text, escaped in HTML."""
    tags = {placeholder(name): value for name, value in values.items()}
    tags.update({html_placeholder(name): str(escape(value)) for name, value in values.items()})
    return tags


def used_substitutions(values: dict[str, str], used: frozenset[str]) -> dict[str, str]:
    """Return the tag -> value map for one recipient, holding only the tags its rendering uses."""
    tags = {}
    for name, value in values.items():
        tag = _tags(name)
        if tag[0] in used:
            tags[tag[0]] = value
        if tag[1] in used:
            tags[tag[1]] = str(escape(value))
    return tags


@lru_cache(maxsize=256)
def _tags(name: str) -> tuple[str, str]:
    return placeholder(name), html_placeholder(name)


def substitute(text: str, substitutions: dict[str, str]) -> str:
    """Replace every tag in `text` with its value."""
    for tag, value in substitutions.items():
        text = text.replace(tag, value)
    return text
