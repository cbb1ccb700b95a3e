"""The engine's exceptions, each a small class."""

from __future__ import annotations


class NurtureError(Exception):
    """Base class of every error the engine raises on purpose."""


class SettingsError(NurtureError):
    """Start-up settings are missing or malformed; each problem names its variable."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))

    def __str__(self) -> str:
        lines = "\n".join(f"  - {p}" for p in self.problems)
        return f"The engine cannot start; fix these settings (environment or .env):\n{lines}"


class ValidationError(NurtureError):
    """Input a person gave is not acceptable; the message says why, in plain words."""


class ProviderError(NurtureError):
    """The email provider refused or failed a message."""


class ProviderOutage(ProviderError):
    """The provider refuses every message (bad key, unverified sender): sending must pause."""


class LeaseLost(NurtureError):
    """Another cron process took over the lease: work under the old fencing token is refused."""
