"""Compose sequence emails: render each step version once per recipient shape, then personalize.

A rendering has placeholders where recipients differ: their first name, their unsubscribe and
preferences links, their open pixel and a click-tracking URL for every link. Each recipient's
email is that rendering plus their own values, all signed for their send.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.utils import make_msgid
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from jinja2 import TemplateError

from campaigns.claims import blocking_rules
from campaigns.models import Step, StepVersion
from campaigns.outgoing import OutgoingEmail
from campaigns.placeholders import placeholder, substitutions_for, to_html_placeholders, used_substitutions
from campaigns.rendering import RenderedEmail, Rendering, render_email
from campaigns.template_rules import PERSONAL, check_fields
from campaigns.tokens import sign_ids

DISCLAIMER = (
    "This email is educational and is not medical advice. Stem cell therapies for fibromyalgia "
    "are not approved by the FDA, and there is no good evidence that they help it. Feeling better "
    "after a treatment, a placebo included, does not show that the treatment works. Talk with your "
    "own physician about your care."
)
CLINIC_OFFERS = "[set CLINIC_OFFERS: the treatments the clinic sells, and their prices]"
CONSULTATION_COST = "[set CONSULTATION_COST: nothing, or its price]"
CONSULTATION_HOST = "[set CONSULTATION_HOST: a licensed clinician (name, license) or a patient coordinator]"
PLACEHOLDER_MARK = "[set "
"""How an offer or consultation detail the clinic has not filled in yet begins."""


@dataclass(frozen=True)
class Sender:
    """Who the emails come from, what every footer says, and how links are signed."""

    secret_key: str
    public_base_url: str
    address: Address
    clinic_name: str
    postal_address: str
    brand_color: str
    fallback_zone: str
    website_url: str | None = None
    utm_params: tuple[tuple[str, str], ...] = (("utm_source", "nurture"), ("utm_medium", "email"))
    clinic_offers: str = CLINIC_OFFERS
    consultation_cost: str = CONSULTATION_COST
    consultation_host: str = CONSULTATION_HOST

    def disclosures(self) -> dict[str, str]:
        """Return what the clinic sells and how its consultation works, as content may print them."""
        return {
            "clinic_offers": self.clinic_offers,
            "consultation_cost": self.consultation_cost,
            "consultation_host": self.consultation_host,
        }

    reply_to: Address | None = None
    track_engagement: bool = True  # off: no open pixel, and links go straight to their destination

    def footer(self, personal: bool) -> dict[str, str]:
        """Return what every email's footer shows; `personal` emails get placeholder links."""
        links = ("unsubscribe_url", "preferences_url") + (("open_url",) if self.track_engagement else ())
        return {
            "clinic_name": self.clinic_name,
            "postal_address": self.postal_address,
            "brand_color": self.brand_color,
            "disclaimer": DISCLAIMER,
            "open_url": "",
            **{name: placeholder(name) if personal else "" for name in links},
        }

    def link(self, path: str, purpose: str, payload: list[int], now: datetime) -> str:
        """Return a signed link into the engine."""
        return f"{self.public_base_url}/{path}/{sign_ids(self.secret_key, purpose, payload, now)}"

    def is_own(self, url: str) -> bool:
        """Tell whether `url` points at the clinic's website or this engine."""
        host = urlsplit(url).hostname
        return host is not None and host in {
            urlsplit(base).hostname for base in (self.website_url, self.public_base_url) if base
        }

    def with_utm(self, url: str, campaign: str, content: str) -> str:
        """Add utm parameters to a link to the clinic's own site (keeping any it already has)."""
        if not self.is_own(url):
            return url
        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        utm = {"utm_campaign": campaign, "utm_content": content, **dict(self.utm_params)}
        for key, value in utm.items():
            query.setdefault(key, value)
        return urlunsplit(parts._replace(query=urlencode(query)))


@dataclass(frozen=True)
class Recipient:
    """What composing needs of one send."""

    send_id: int
    subscriber_id: int
    email: str
    first_name: str | None
    version_id: int
    categories: tuple[str, ...]


@dataclass(frozen=True)
class Content:
    """A published step version's content, and the names its links are tagged with."""

    subject: str
    preheader: str
    body: str
    campaign: str = "nurture"
    label: str = "step"
    override_reason: str | None = None  # an admin's, recorded when publishing past a blocking claim


def content_for(step: Step, version: StepVersion | None = None) -> Content:
    """Return a step's draft (or one of its published versions) as content to render."""
    source: Step | StepVersion = version or step
    return Content(
        source.subject,
        source.preheader,
        source.body,
        step.sequence.slug,
        f"step-{step.position}",
        version.override_reason if version else None,
    )


def render_step(sender: Sender, content: Content, has_first_name: bool) -> Rendering:
    """Render step content for recipients with (or without) a first name, with placeholders."""
    context: dict[str, Any] = {name: placeholder(name) for name in PERSONAL}
    if not has_first_name:
        del context["first_name"]
    context["consultation_url"] = f"{sender.public_base_url}/consultation"
    context["clinic_name"] = sender.clinic_name
    context.update(sender.disclosures())
    return render_email(
        content.subject,
        content.preheader,
        content.body,
        context,
        sender.footer(personal=True),
        lambda url: sender.with_utm(url, content.campaign, content.label),
    )


LinkIds = Callable[[int, list[str]], list[int]]
"""Given a step version and its links in order, return their Link ids."""


class Composer:
    """Build the emails of a batch, rendering each (version, shape) once."""

    def __init__(
        self, sender: Sender, contents: dict[int, Content], now: datetime, link_ids: LinkIds
    ) -> None:
        self.sender, self.contents, self.now, self.link_ids = sender, contents, now, link_ids
        self._renderings: dict[tuple[int, bool], tuple[RenderedEmail, frozenset[str], list[int]]] = {}
        self._destinations: dict[tuple[int, bool], list[str]] = {}

    def email_for(self, recipient: Recipient) -> OutgoingEmail:
        """Return one recipient's email (raises jinja2.TemplateError if the content is broken)."""
        template, used, links = self.rendering(recipient.version_id, bool(recipient.first_name))
        destinations = self._destinations[recipient.version_id, bool(recipient.first_name)]
        sender, send, now = self.sender, recipient.send_id, self.now
        unsubscribe_url = sender.link("unsubscribe", "unsubscribe", [recipient.subscriber_id, send], now)
        values = {
            "email": recipient.email,
            "unsubscribe_url": unsubscribe_url,
            "preferences_url": f"{unsubscribe_url}#pause",
            "open_url": sender.link("t/o", "open", [send], now),
        }
        if recipient.first_name:
            values["first_name"] = recipient.first_name
        for number, link_id in enumerate(links, start=1):
            if sender.track_engagement:
                values[f"link-{number}"] = sender.link("t/c", "click", [send, link_id], now)
            else:
                values[f"link-{number}"] = destinations[number - 1]
        return OutgoingEmail(
            template=template,
            to=recipient.email,
            sender=sender.address,
            reply_to=sender.reply_to,
            substitutions=used_substitutions(values, used),
            send_ref=f"send-{send}",
            unsubscribe_url=unsubscribe_url,
            sent_at=now,
            message_id=make_msgid(domain=sender.address.domain),
            categories=recipient.categories,
        )

    def rendering(
        self, version_id: int, has_first_name: bool
    ) -> tuple[RenderedEmail, frozenset[str], list[int]]:
        """Render a version once for recipients with (or without) a first name.

        Returns the rendering, the tags it uses, and the Link ids its numbered links stand for.
        """
        key = (version_id, has_first_name)
        if key not in self._renderings:
            content = self.contents[version_id]
            problems = check_fields(
                {"subject": content.subject, "preheader": content.preheader, "body": content.body}
            )
            if problems:  # saved before these checks existed, or written to the database by hand
                raise TemplateError(f"the content may not be sent: {problems[0]}")
            blockers = (
                []
                if content.override_reason
                else blocking_rules(content.subject, content.preheader, content.body)
            )
            if blockers:  # published before the rule existed, or written to the database by hand
                raise TemplateError(
                    f"the content may not be sent: {', '.join(blockers)} blocks it, "
                    "and no admin recorded a reason to publish it anyway"
                )
            rendering = render_step(self.sender, content, has_first_name)
            email = rendering.email
            names = PERSONAL + [f"link-{n}" for n in range(1, len(rendering.links) + 1)]
            shared = RenderedEmail(
                email.subject, email.preheader, email.text, to_html_placeholders(email.html, names)
            )
            everything = f"{shared.subject}\n{shared.text}\n{shared.html}"
            used = frozenset(tag for tag in substitutions_for(dict.fromkeys(names, "")) if tag in everything)
            self._renderings[key] = (shared, used, self.link_ids(version_id, rendering.links))
            self._destinations[key] = rendering.links
        return self._renderings[key]
