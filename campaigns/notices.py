"""One-off emails built from a content file in templates/emails/: confirmations and notices.

What a visitor or an API client typed (a name, a phone number, a message) is text, never
content: it is rendered as a placeholder and put in afterwards, HTML-escaped in the HTML part
and as it is in the plain part, so `[Confirm here](https://...)`, `<a href=...>` or `# Action
required` reads as those characters and never becomes a link or a heading.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from email.utils import make_msgid
from typing import Any

from markupsafe import escape

from campaigns.composing import Sender
from campaigns.content_files import EMAILS_DIR, read_content_file
from campaigns.outgoing import OutgoingEmail
from campaigns.placeholders import placeholder
from campaigns.rendering import RenderedEmail, render_button, render_email

Context = dict[str, Any]
TYPED_STYLE = "overflow-wrap: anywhere; word-break: break-word;"
"""A long unbroken word someone typed wraps instead of widening a phone's screen."""


def notice(
    name: str,
    to: str,
    context: Context,
    sender: Sender,
    now: datetime,
    ref: int,
    *,
    typed: dict[str, str] | None = None,
    reply_to: str | None = None,
    for_clinic: bool = False,
) -> OutgoingEmail:
    """Return the email `templates/emails/<name>.md` makes for `to`; it carries no unsubscribe link.

    `typed` holds the values a visitor supplied, shown as plain text. A content file's `button`
    field labels a button, placed where its body says `{{ button }}`, to the link in the context
    variable its `button_url` field names; the plain link follows it, free to wrap on a phone.
    `for_clinic` leaves out the footer's patient disclaimer: the clinic's own staff read it.
    """
    content = read_content_file(EMAILS_DIR / f"{name}.md")
    subject, preheader = content.fields["subject"], content.fields["preheader"]
    typed = {key: value for key, value in (typed or {}).items() if value}
    footer = sender.footer(personal=False)
    if for_clinic:
        footer["disclaimer"] = ""
    values = {**context, **{key: placeholder(key) for key in typed}, "button": placeholder("button")}
    email = fill_in(render_email(subject, preheader, content.body, values, footer).email, typed)
    if "button" in content.fields:
        url = context[content.fields["button_url"]]
        email = place_button(email, content.fields["button"], url, sender.brand_color)
    return OutgoingEmail(
        template=email,
        to=to,
        sender=sender.address,
        substitutions={},
        send_ref=f"{name}-{ref}",
        unsubscribe_url=None,
        sent_at=now,
        message_id=make_msgid(domain=sender.address.domain),
        categories=(name,),
        reply_to=reply_to,
    )


def fill_in(email: RenderedEmail, typed: dict[str, str]) -> RenderedEmail:
    """Put each typed value in place of its placeholder: escaped in HTML, as it is in plain text."""
    subject, preheader, text, html = email.subject, email.preheader, email.text, email.html
    for key, value in typed.items():
        tag, one_line = placeholder(key), " ".join(value.split())
        subject, preheader = subject.replace(tag, one_line), preheader.replace(tag, one_line)
        text = _fill_text(text, tag, value)
        shown = str(escape(value)).replace("\n", "<br>\n")
        html = html.replace(tag, f'<span style="{TYPED_STYLE}">{shown}</span>')
    return replace(email, subject=subject, preheader=preheader, text=text, html=html)


def place_button(email: RenderedEmail, label: str, url: str, color: str) -> RenderedEmail:
    """Put a button to `url`, with the plain link below it, where the body says `{{ button }}`."""
    tag = placeholder("button")
    html = re.sub(f"<p[^>]*>{re.escape(tag)}</p>", lambda _m: render_button(label, url, color), email.html)
    return replace(email, text=email.text.replace(tag, f"{label}:\n{url}"), html=html)


def _fill_text(text: str, tag: str, value: str) -> str:
    """Replace `tag` in plain text; a value of several lines keeps the quote marks its line began with."""
    lines = []
    for line in text.split("\n"):
        if tag in line:
            lead = line[: line.index(tag)]
            indent = lead if not lead.strip(" >") else ""
            line = line.replace(tag, value.replace("\n", "\n" + indent))
            lines += [part.rstrip() for part in line.split("\n")]
            continue
        lines.append(line)
    return "\n".join(lines)
