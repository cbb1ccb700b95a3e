"""Turn content into the subject, preheader, text and HTML one email carries.

Step content is marketer-edited and untrusted: Markdown with Jinja variables, rendered in Jinja's
immutable sandbox with StrictUndefined, a plain-dict context and a size limit; raw HTML in it is
cleaned to a safe list. The layout around it (templates/emails/) is trusted project code; its CSS
is inlined at render time, keeping the @media blocks for phones and dark mode.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import css_inline
from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError, select_autoescape
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from campaigns.content_files import EMAILS_DIR
from campaigns.markdown_text import markdown_to_html, markdown_to_text
from campaigns.placeholders import html_placeholder, placeholder

MAX_OUTPUT_CHARS = 200_000
"""Rendered content larger than this is refused: no step needs it, and a loop could make it endless."""

_content_env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
_layout_env = Environment(
    loader=FileSystemLoader(EMAILS_DIR),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
)
_inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)
_TRACKABLE = re.compile(r"^https?://", re.IGNORECASE)


class ContentTooLarge(TemplateError):
    """The content rendered to more than MAX_OUTPUT_CHARS."""


@dataclass(frozen=True)
class RenderedEmail:
    """One email, ready to become a MIME message."""

    subject: str
    preheader: str
    text: str
    html: str


@dataclass(frozen=True)
class Rendering:
    """A rendered email and the links in it, in the order their placeholders are numbered."""

    email: RenderedEmail
    links: list[str]


def render_content(source: str, context: dict[str, Any]) -> str:
    """Render marketer-edited `source` in the sandbox, refusing oversized output."""
    size, parts = 0, []
    for part in _content_env.from_string(source).generate(dict(context)):
        size += len(part)
        if size > MAX_OUTPUT_CHARS:
            raise ContentTooLarge(f"the content renders to more than {MAX_OUTPUT_CHARS:,} characters")
        parts.append(part)
    return "".join(parts)


def render_email(
    subject: str,
    preheader: str,
    body: str,
    context: dict[str, Any],
    footer: dict[str, str],
    decorate_link: Callable[[str], str] | None = None,
) -> Rendering:
    """Render content into the branded layout, in text and HTML.

    With `decorate_link`, every http(s) link becomes a numbered placeholder (`link-1`, ...) for
    a tracking URL, and `links` lists each link's destination as `decorate_link` returned it.
    """
    markdown = render_content(body, context)
    body_html, body_text = markdown_to_html(markdown), markdown_to_text(markdown)
    links: list[str] = []
    if decorate_link is not None:
        body_html, body_text, links = _track_links(body_html, body_text, decorate_link)
    values = {
        "subject": " ".join(render_content(subject, context).split()),
        "preheader": " ".join(render_content(preheader, context).split()),
        **footer,
    }
    cleaned = Markup(body_html)  # noqa: S704 (cleaned by nh3 to a safe list of tags)
    page = _layout_env.get_template("layout.html").render(body_html=cleaned, **values)
    text = _layout_env.get_template("layout.txt").render(body_text=body_text.strip(), **values)
    email = RenderedEmail(values["subject"], values["preheader"], text, _inliner.inline(page))
    return Rendering(email, links)


def render_button(label: str, url: str, color: str) -> str:
    """Return the HTML of a button to `url` with the plain link below it, styled inline."""
    return _layout_env.get_template("button.html").render(label=label, url=url, color=color)


def _track_links(
    body_html: str, body_text: str, decorate: Callable[[str], str]
) -> tuple[str, str, list[str]]:
    """Replace each trackable link with a numbered placeholder; the same URL shares one number."""
    numbers: dict[str, int] = {}
    links: list[str] = []

    def name_for(url: str) -> str | None:
        if not _TRACKABLE.match(url) or "%%nurture:" in url:
            return None  # not a web link, or already personal (an unsubscribe link)
        if url not in numbers:
            links.append(decorate(url))
            numbers[url] = len(links)
        return f"link-{numbers[url]}"

    def in_html(match: re.Match[str]) -> str:
        name = name_for(html_lib.unescape(match.group(1)))
        return f'href="{html_placeholder(name)}"' if name else match.group(0)

    def in_text(match: re.Match[str]) -> str:
        name = name_for(match.group(2))
        return f"{match.group(1)} {placeholder(name)}" if name else match.group(0)

    body_html = re.sub(r'href="([^"]*)"', in_html, body_html)
    body_text = re.sub(r"^(\[\d+\]) (\S+)$", in_text, body_text, flags=re.MULTILINE)
    return body_html, body_text, links
