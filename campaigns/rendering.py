"""Turn a published step into the subject, text and HTML one subscriber receives.

Step content is marketer-edited and untrusted: it renders in Jinja's immutable sandbox with
StrictUndefined and a plain-dict context. The layout around it is trusted project code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from campaigns.content_files import EMAILS_DIR

_content_env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
_layout_env = Environment(
    loader=FileSystemLoader(EMAILS_DIR),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
)


@dataclass(frozen=True)
class RenderedEmail:
    """One email, ready to become a MIME message."""

    subject: str
    preheader: str
    text: str
    html: str


def render_content(source: str, context: dict[str, Any]) -> str:
    """Render marketer-edited `source` in the sandbox."""
    return _content_env.from_string(source).render(dict(context))


def render_email(
    subject: str, preheader: str, body: str, context: dict[str, Any], footer: dict[str, str]
) -> RenderedEmail:
    """Render a step's content and wrap it in the branded layout, in text and HTML."""
    text_body = render_content(body, context).strip()
    rendered_subject = " ".join(render_content(subject, context).split())
    rendered_preheader = " ".join(render_content(preheader, context).split())
    paragraphs = [p.strip() for p in text_body.split("\n\n") if p.strip()]
    html_paragraphs = [Markup("<br>").join(escape(line) for line in p.splitlines()) for p in paragraphs]
    values = {"subject": rendered_subject, "preheader": rendered_preheader, **footer}
    html = _layout_env.get_template("layout.html").render(paragraphs=html_paragraphs, **values)
    text = _layout_env.get_template("layout.txt").render(body=text_body, **values)
    return RenderedEmail(rendered_subject, rendered_preheader, text, html)
