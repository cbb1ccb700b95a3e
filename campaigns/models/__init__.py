"""The data model: every table the engine keeps, importable from one place."""

from campaigns.models.accounts import (
    Alert,
    ApiToken,
    AuditLog,
    ClinicProfile,
    RecoveryCode,
    SignInSession,
    User,
)
from campaigns.models.audience import ConsentRecord, SignupAttempt, Subscriber, Suppression
from campaigns.models.base import Base
from campaigns.models.delivery import Conversion, Event, Link, LinkRollup, Send, StatRollup
from campaigns.models.imports import ImportReject, ImportRun
from campaigns.models.operations import Heartbeat, Lease
from campaigns.models.sequences import Enrollment, Sequence, SequenceRollup, Step, StepVersion
from campaigns.models.webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "Alert",
    "ApiToken",
    "AuditLog",
    "Base",
    "ClinicProfile",
    "ConsentRecord",
    "Conversion",
    "Enrollment",
    "Event",
    "Heartbeat",
    "ImportReject",
    "ImportRun",
    "Lease",
    "Link",
    "LinkRollup",
    "RecoveryCode",
    "Send",
    "Sequence",
    "SequenceRollup",
    "SignInSession",
    "SignupAttempt",
    "StatRollup",
    "Step",
    "StepVersion",
    "Subscriber",
    "Suppression",
    "User",
    "WebhookDelivery",
    "WebhookEndpoint",
]
