"""One-off emails built from a content file in templates/emails/: confirmations and notices."""

from __future__ import annotations

from datetime import datetime
from email.utils import make_msgid
from typing import Any

from campaigns.composing import Sender
from campaigns.content_files import EMAILS_DIR, read_content_file
from campaigns.outgoing import OutgoingEmail
from campaigns.rendering import render_email

Context = dict[str, Any]


def notice(name: str, to: str, context: Context, sender: Sender, now: datetime, ref: int) -> OutgoingEmail:
    """Return the email `templates/emails/<name>.md` makes for `to`; it carries no unsubscribe link."""
    content = read_content_file(EMAILS_DIR / f"{name}.md")
    subject, preheader = content.fields["subject"], content.fields["preheader"]
    email = render_email(subject, preheader, content.body, context, sender.footer(personal=False)).email
    return OutgoingEmail(
        template=email,
        to=to,
        sender=sender.address,
        reply_to=sender.reply_to,
        substitutions={},
        send_ref=f"{name}-{ref}",
        unsubscribe_url=None,
        sent_at=now,
        message_id=make_msgid(domain=sender.address.domain),
        categories=(name,),
    )
