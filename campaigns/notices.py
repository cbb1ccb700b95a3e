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
from email.headerregistry import Address
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
    reply_to: Address | None = None,
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
    email = render_email(subject, preheader, content.body, values, footer).email
    if "button" in content.fields:  # before the typed values, which may look like its placeholder
        url = context[content.fields["button_url"]]
        email = place_button(email, content.fields["button"], url, sender.brand_color)
    email = fill_in(email, typed)
    return OutgoingEmail(
        template=email,
        to=to,
        sender=sender.address,
        reply_to=reply_to or sender.reply_to,
        substitutions={},
        send_ref=f"{name}-{ref}",
        unsubscribe_url=None,
        sent_at=now,
        message_id=make_msgid(domain=sender.address.domain),
        categories=(name,),
    )


def fill_in(email: RenderedEmail, typed: dict[str, str]) -> RenderedEmail:
    """Put each typed value in place of its placeholder: escaped in HTML, as it is in plain text.

    One pass over each part, so a value that itself looks like a placeholder stays as typed.
    """
    if not typed:
        return email
    values = {placeholder(key): value for key, value in typed.items()}
    tags = re.compile("|".join(map(re.escape, values)))

    def one_line(match: re.Match[str]) -> str:
        return " ".join(values[match.group(0)].split())

    def in_html(match: re.Match[str]) -> str:
        shown = str(escape(values[match.group(0)])).replace("\n", "<br>\n")
        return f'<span style="{TYPED_STYLE}">{shown}</span>'

    text = "\n".join(_fill_line(line, tags, values) for line in email.text.split("\n"))
    return replace(
        email,
        subject=tags.sub(one_line, email.subject),
        preheader=tags.sub(one_line, email.preheader),
        text=text,
        html=tags.sub(in_html, email.html),
    )


def place_button(email: RenderedEmail, label: str, url: str, color: str) -> RenderedEmail:
    """Put a button to `url`, with the plain link below it, where the body says `{{ button }}`."""
    tag = placeholder("button")
    html = re.sub(f"<p[^>]*>{re.escape(tag)}</p>", lambda _m: render_button(label, url, color), email.html)
    return replace(email, text=email.text.replace(tag, f"{label}:\n{url}"), html=html)


def _fill_line(line: str, tags: re.Pattern[str], values: dict[str, str]) -> str:
    """Fill one plain-text line; a value of several lines keeps the quote marks its line began with."""
    first = tags.search(line)
    if first is None:
        return line
    lead = line[: first.start()]
    indent = lead if not lead.strip(" >") else ""
    filled = tags.sub(lambda match: values[match.group(0)].replace("\n", "\n" + indent), line)
    return "\n".join(part.rstrip() for part in filled.split("\n"))
