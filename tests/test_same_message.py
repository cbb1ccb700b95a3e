"""Every provider delivers the same message: the outbox, SMTP, and SendGrid after its substitutions."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from pathlib import Path

from bench.sendgrid_server import FakeSendGrid, RunningServer
from campaigns.placeholders import substitute
from campaigns.providers.outbox import OutboxProvider
from campaigns.providers.sendgrid import SendGridProvider
from campaigns.providers.smtp import SmtpProvider
from tests.browser import free_port
from tests.email_helpers import emails
from tests.smtp_server import Recorder, start


def parts(message) -> dict[str, str]:
    text, html = message.iter_parts()
    return {
        "subject": str(message["Subject"]),
        "from": str(message["From"]),
        "reply_to": str(message["Reply-To"]),
        "to": str(message["To"]),
        "message_id": str(message["Message-ID"]),
        "list_unsubscribe": str(message["List-Unsubscribe"]),
        "text": text.get_content().replace("\r\n", "\n"),
        "html": html.get_content().replace("\r\n", "\n"),
    }


def test_outbox_smtp_and_sendgrid_carry_the_same_email(tmp_path: Path) -> None:
    [email] = emails(1, ["Zoë <Ada> & co"])

    OutboxProvider(tmp_path).send_many([email])
    outbox = BytesParser(policy=policy.default).parsebytes((tmp_path / "send-1.eml").read_bytes())

    recorder, port = Recorder(), free_port()
    controller = start(recorder, port)
    SmtpProvider(f"smtp://127.0.0.1:{port}?starttls=false").send_many([email])
    controller.stop()
    [relayed] = recorder.messages

    state = FakeSendGrid()
    server = RunningServer(state)
    SendGridProvider("SG.key", host=server.url).send_many([email])
    server.stop()
    [request] = state.requests
    [person] = request["personalizations"]
    sent = {
        "subject": substitute(request["subject"], person["substitutions"]),
        "from": f"{request['from']['name']} <{request['from']['email']}>",
        "reply_to": f"{request['reply_to']['name']} <{request['reply_to']['email']}>",
        "to": person["to"][0]["email"],
        "message_id": person["headers"]["Message-ID"],
        "list_unsubscribe": person["headers"]["List-Unsubscribe"],
        "text": substitute(request["content"][0]["value"], person["substitutions"]).strip("\n") + "\n",
        "html": substitute(request["content"][1]["value"], person["substitutions"]).strip("\n") + "\n",
    }

    assert parts(outbox) == parts(relayed)
    assert {k: v.strip() for k, v in parts(outbox).items()} == {k: v.strip() for k, v in sent.items()}
    assert "Zoë &lt;Ada&gt; &amp; co" in sent["html"]
    assert sent["subject"] == "A note for Zoë <Ada> & co"
