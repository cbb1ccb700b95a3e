"""One-off emails: what a visitor typed stays text, the confirmation has a real button, and the
consultation emails read right to the person and to the clinic."""

from __future__ import annotations

import re
from email.message import EmailMessage

import html5lib
import pytest

from tests.factories import active_subscriber, outbox_messages, seeded
from tests.signup_helpers import post_form, post_json
from tests.test_consultation import make_token

XHTML = "{http://www.w3.org/1999/xhtml}"
HOSTILE_NAMES = [
    '<a href="https://evil.test">Confirm here</a>',
    "[Confirm here](https://evil.test/x)",
    "**Urgent** <img src=https://evil.test/p.gif>",
]
HOSTILE_MESSAGE = "# Action required\n\n[Pay here](https://evil.test/pay) <b>now</b>\n\n- one\n- two"
CONSULTATION = {
    "name": "Ada Lovelace",
    "email": "ada@example.com",
    "phone": "+1 207 555 0100",
    "time": "morning",
    "message": "Mornings are best.",
    "consent": "yes",
}


def parts(message: EmailMessage) -> tuple[str, object]:
    """Return the plain part and the parsed HTML part of a message."""
    text = message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html5lib.parse(html)


def links(tree) -> list[tuple[str, str]]:
    """Every <a> in a parsed HTML part: (href, the text a reader sees)."""
    return [(a.get("href", ""), "".join(a.itertext()).strip()) for a in tree.iter(f"{XHTML}a")]


def visible_text(tree) -> str:
    body = tree.find(f"{XHTML}body")
    return " ".join("".join(body.itertext()).split())


def by_subject(outbox, subject: str) -> EmailMessage:
    [message] = [m for m in outbox_messages(outbox) if m["Subject"] == subject]
    return message


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_typed_name_is_text_in_the_confirmation_email(client, db, settings, run_jobs, name) -> None:
    seeded(db, settings)
    assert post_json(client, first_name=name).status_code == 202
    run_jobs()
    text, tree = parts(by_subject(settings.outbox_dir, "Please confirm your subscription"))
    assert not any("evil.test" in href for href, _ in links(tree))
    assert tree.find(f".//{XHTML}img") is None and tree.find(f".//{XHTML}strong") is None
    assert f"Hi {name}," in visible_text(tree)  # the very characters typed, shown as text
    assert f"Hi {name}," in text


def test_the_confirmation_email_has_a_real_button_and_the_plain_link_below(
    client, db, settings, run_jobs
) -> None:
    seeded(db, settings)
    post_form(client)
    run_jobs()
    text, tree = parts(by_subject(settings.outbox_dir, "Please confirm your subscription"))
    [confirm_link] = re.findall(r"https?://\S+/confirm/[\w.-]+", text)
    anchors = [(a, href) for a, href in ((a, a.get("href")) for a in tree.iter(f"{XHTML}a"))]
    to_confirm = [a for a, href in anchors if href == confirm_link]
    button, plain = to_confirm  # the button, then the link itself below it
    assert "".join(button.itertext()).strip() == "Confirm my subscription"
    assert "display: inline-block" in button.get("style") and "padding" in button.get("style")
    assert "".join(plain.itertext()).strip() == confirm_link
    assert "break-all" in plain.get("style")  # a long link wraps instead of widening a phone screen
    assert f"Confirm my subscription:\n{confirm_link}" in text


def test_typed_consultation_values_are_text_in_both_emails(client, db, settings, run_jobs) -> None:
    seeded(db, settings)
    response = client.post(
        "/consultation", data={**CONSULTATION, "name": HOSTILE_NAMES[1], "message": HOSTILE_MESSAGE}
    )
    assert response.status_code == 303
    run_jobs()
    for subject in ("We received your consultation request", "New consultation request"):
        text, tree = parts(by_subject(settings.outbox_dir, subject))
        assert not any("evil.test" in href for href, _ in links(tree)), subject
        assert tree.find(f".//{XHTML}h1") is None and tree.find(f".//{XHTML}b") is None, subject
    text, tree = parts(by_subject(settings.outbox_dir, "New consultation request"))
    assert "# Action required" in visible_text(tree)
    assert "[Pay here](https://evil.test/pay) <b>now</b>" in visible_text(tree)
    assert "> # Action required\n>\n> [Pay here](https://evil.test/pay) <b>now</b>" in text
    assert f"Name: {HOSTILE_NAMES[1]}" in text


def test_api_supplied_values_are_text_too(client, db, settings, runner, run_jobs) -> None:
    seeded(db, settings)
    token = make_token(runner, "write")
    body = {"email": "ada@example.com", "name": HOSTILE_NAMES[0], "message": HOSTILE_MESSAGE}
    response = client.post("/api/v1/conversions", json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201
    run_jobs()
    for subject in ("We received your consultation request", "New consultation request"):
        _, tree = parts(by_subject(settings.outbox_dir, subject))
        assert not any("evil.test" in href for href, _ in links(tree)), subject
        assert tree.find(f".//{XHTML}h1") is None, subject


def test_consultation_emails_read_right(client, db, settings, runner, run_jobs) -> None:
    seeded(db, settings)
    token = make_token(runner, "write")
    body = {"email": "ada@example.com", "name": "Ada Lovelace"}  # no preferred time given
    client.post("/api/v1/conversions", json=body, headers={"Authorization": f"Bearer {token}"})
    run_jobs()
    mine = by_subject(settings.outbox_dir, "We received your consultation request")
    text, _ = parts(mine)
    assert "Hi Ada," in text  # the first name, not "Hi Ada Lovelace"
    assert "will contact you to arrange a time." in text
    assert " at " not in text.split("contact you")[1].split(".")[0]
    clinic = by_subject(settings.outbox_dir, "New consultation request")
    assert clinic["Reply-To"] == "ada@example.com"  # answering the notification answers the requester
    text, _ = parts(clinic)
    assert "not medical advice" not in text and "not approved by the FDA" not in text
    assert "Preferred contact time: any time" in text
    assert "not medical advice" in parts(mine)[0]  # the person's own copy keeps the disclaimer


def test_a_chosen_time_reads_naturally(client, db, settings, run_jobs) -> None:
    seeded(db, settings)
    client.post("/consultation", data=CONSULTATION)
    run_jobs()
    text, _ = parts(by_subject(settings.outbox_dir, "We received your consultation request"))
    assert "will contact you to arrange a time, in the morning if we can." in text


def test_the_form_from_an_email_link_is_filled_in(client, db, settings) -> None:
    from campaigns.tokens import sign

    subscriber, _ = active_subscriber(db, seeded(db, settings))
    token = sign(settings.secret_key, "consult", [subscriber.id])
    tree = html5lib.parse(client.get(f"/consultation?s={token}").text)
    fields = {i.get("name"): i.get("value") for i in tree.iter(f"{XHTML}input")}
    assert (fields["name"], fields["email"]) == ("Ada", "ada@example.com")
    assert fields["s"] == token
    blank = html5lib.parse(client.get("/consultation?s=forged.token.here").text)
    assert {i.get("name"): i.get("value") for i in blank.iter(f"{XHTML}input")}["email"] in ("", None)
