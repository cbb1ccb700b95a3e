"""SMTP: any relay, over STARTTLS (smtp://) or TLS (smtps://), one connection per batch."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from urllib.parse import parse_qs, unquote, urlsplit

from campaigns.addresses import ascii_email
from campaigns.errors import ProviderOutage
from campaigns.outgoing import OutgoingEmail, SendOutcome

TIMEOUT_S = 30


class _Tracking:
    """Remember whether the message body has started to go out on this connection."""

    in_data = False

    def data(self, msg):  # type: ignore[no-untyped-def]
        self.in_data = True
        result = super().data(msg)  # type: ignore[misc]
        self.in_data = False
        return result


class _SMTP(_Tracking, smtplib.SMTP):
    pass


class _SMTP_SSL(_Tracking, smtplib.SMTP_SSL):
    pass


class SmtpProvider:
    """Send through the relay `SMTP_URL` names.

    `smtp://` insists on STARTTLS, `smtps://` speaks TLS from the start; `?starttls=false` allows
    a plain relay on a trusted network, and `?cafile=/path/ca.pem` trusts a private CA.
    """

    def __init__(self, url: str, timeout_s: float = TIMEOUT_S) -> None:
        parts = urlsplit(url)
        self.implicit_tls = parts.scheme == "smtps"
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (465 if self.implicit_tls else 587)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        query = parse_qs(parts.query)
        self.starttls = query.get("starttls", ["true"])[0].lower() != "false"
        self.cafile = query.get("cafile", [None])[0]  # a relay whose certificate a private CA signed
        self.timeout_s = timeout_s

    def connect(self) -> _SMTP | _SMTP_SSL:
        """Open an authenticated connection; a refused login is an outage."""
        context = ssl.create_default_context(cafile=self.cafile)
        if self.implicit_tls:
            connection: _SMTP | _SMTP_SSL = _SMTP_SSL(
                self.host, self.port, timeout=self.timeout_s, context=context
            )
        else:
            connection = _SMTP(self.host, self.port, timeout=self.timeout_s)
            if self.starttls:
                connection.starttls(context=context)
        if self.username:
            try:
                connection.login(self.username, self.password or "")
            except smtplib.SMTPAuthenticationError as exc:
                connection.close()
                raise ProviderOutage(f"the SMTP relay refused the login: {exc.smtp_code}") from exc
        return connection

    def send_many(self, emails: Sequence[OutgoingEmail]) -> list[SendOutcome]:
        """Send the batch over one connection, reconnecting once if the relay drops it."""
        outcomes: list[SendOutcome] = []
        connection: _SMTP | _SMTP_SSL | None = None
        for email in emails:
            if connection is None:
                try:
                    connection = self.connect()
                except (OSError, smtplib.SMTPException) as exc:
                    reason = f"could not reach the SMTP relay: {exc}"
                    return outcomes + [SendOutcome.retry(reason)] * (len(emails) - len(outcomes))
            outcome, broken = self._send_one(connection, email)
            if broken:
                connection.close()
                connection = None  # the next email gets a fresh connection
            outcomes.append(outcome)
        if connection is not None:
            try:
                connection.quit()
            except (OSError, smtplib.SMTPException):
                connection.close()
        return outcomes

    def _send_one(self, connection: _SMTP | _SMTP_SSL, email: OutgoingEmail) -> tuple[SendOutcome, bool]:
        """Send one email; also say whether the connection broke."""
        try:
            to = [ascii_email(email.to)]
            connection.send_message(email.message(), from_addr=email.sender.addr_spec, to_addrs=to)
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()))
            return _by_code(code, f"recipient refused: {code} {_text(reply)}"), False
        except smtplib.SMTPSenderRefused as exc:
            if exc.smtp_code >= 500:
                raise ProviderOutage(f"the SMTP relay refused the sender: {exc.smtp_code}") from exc
            return SendOutcome.retry(f"sender deferred: {exc.smtp_code}"), False
        except smtplib.SMTPResponseException as exc:
            return _by_code(exc.smtp_code, f"{exc.smtp_code} {_text(exc.smtp_error)}"), False
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            if connection.in_data:  # the body went out, maybe all of it: the relay may have it
                return SendOutcome.unknown(f"the connection broke while sending the message: {exc}"), True
            return SendOutcome.retry(f"the connection broke before the message: {exc}"), True
        return SendOutcome.sent(email.message_id.strip("<>")), False


def _by_code(code: int, message: str) -> SendOutcome:
    """A 4xx reply means try later; a 5xx reply means never."""
    return SendOutcome.retry(message) if 400 <= code < 500 else SendOutcome.failed(message)


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
