"""Settings: safe local defaults, and a clear refusal of anything production lacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from campaigns.errors import SettingsError
from campaigns.settings import load_settings

PUBLIC = {
    "PUBLIC_BASE_URL": "https://news.clinic.example",
    "DATABASE_URL": "postgresql://nurture@db.internal/nurture",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "SECRET_KEY": "k" * 48,
    "EMAIL_BACKEND": "sendgrid",
    "SENDGRID_API_KEY": "SG.test",
    "FROM_EMAIL": "care@clinic.example",
    "POSTAL_ADDRESS": "12 Harbor Street, Portland, ME 04101",
}


def problems(environ: dict[str, str], tmp_path: Path) -> str:
    with pytest.raises(SettingsError) as caught:
        load_settings({"INSTANCE_DIR": str(tmp_path), **environ})
    return str(caught.value)


def test_an_empty_environment_gives_the_embedded_default(tmp_path: Path) -> None:
    settings = load_settings({"INSTANCE_DIR": str(tmp_path)})
    assert settings.local_mode
    assert settings.database_url == f"sqlite:///{tmp_path / 'nurture.db'}"
    assert settings.embedded_redis
    assert settings.email_backend == "outbox"
    assert settings.outbox_dir == tmp_path / "outbox"
    assert settings.public_base_url == "http://127.0.0.1:5000"


def test_the_local_secret_key_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    first = load_settings({"INSTANCE_DIR": str(tmp_path)}).secret_key
    second = load_settings({"INSTANCE_DIR": str(tmp_path)}).secret_key
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_port_changes_the_local_base_url(tmp_path: Path) -> None:
    assert load_settings({"INSTANCE_DIR": str(tmp_path), "PORT": "8123"}).public_base_url.endswith(":8123")


def test_a_complete_production_environment_is_accepted(tmp_path: Path) -> None:
    settings = load_settings({"INSTANCE_DIR": str(tmp_path), **PUBLIC})
    assert not settings.local_mode
    assert settings.database_url == "postgresql+psycopg://nurture@db.internal/nurture"


@pytest.mark.parametrize(
    "missing", ["DATABASE_URL", "REDIS_URL", "SECRET_KEY", "EMAIL_BACKEND", "FROM_EMAIL", "POSTAL_ADDRESS"]
)
def test_production_refuses_to_start_without_each_required_value(missing: str, tmp_path: Path) -> None:
    environ = {k: v for k, v in PUBLIC.items() if k != missing}
    assert missing in problems(environ, tmp_path)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PORT", "eighty"),
        ("PORT", "70000"),
        ("EMAIL_BACKEND", "carrier-pigeon"),
        ("CLINIC_TIMEZONE", "Mars/Olympus_Mons"),
        ("DATABASE_URL", "mysql://db/nurture"),
        ("REDIS_URL", "http://cache"),
        ("PUBLIC_BASE_URL", "http://news.clinic.example"),
        ("PUBLIC_BASE_URL", "not a url"),
        ("SECRET_KEY", "short"),
        ("FROM_EMAIL", "care at clinic"),
        ("FROM_NAME", "Clinic\r\nBcc: everyone@example.com"),
        ("SENDGRID_API_HOST", "ftp://sendgrid"),
        ("SENDGRID_WEBHOOK_PUBLIC_KEY", "not base64 !!"),
        ("SMTP_URL", "http://relay"),
        ("NOTIFY_EMAIL", "front desk"),
        ("UTM_PARAMS", "source=nurture"),
    ],
)
def test_a_malformed_value_stops_start_up_naming_the_variable(name: str, value: str, tmp_path: Path) -> None:
    assert name in problems({**PUBLIC, name: value}, tmp_path)


def test_each_backend_needs_its_own_credentials(tmp_path: Path) -> None:
    assert "SENDGRID_API_KEY" in problems({**PUBLIC, "SENDGRID_API_KEY": ""}, tmp_path)
    assert "SMTP_URL" in problems({**PUBLIC, "EMAIL_BACKEND": "smtp"}, tmp_path)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    message = problems({"PUBLIC_BASE_URL": "https://news.clinic.example", "PORT": "x"}, tmp_path)
    for name in ("PORT", "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "FROM_EMAIL", "POSTAL_ADDRESS"):
        assert name in message


def test_the_dotenv_file_is_read_and_the_environment_wins(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / ".env").write_text("PORT=7001\nFROM_NAME=From the file\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.setenv("PORT", "7002")
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    settings = load_settings()
    assert settings.port == 7002
    assert settings.from_name == "From the file"


def test_env_example_documents_every_setting() -> None:
    documented = (Path(__file__).parent.parent / ".env.example").read_text()
    for name in [
        "DATABASE_URL",
        "REDIS_URL",
        "SECRET_KEY",
        "PUBLIC_BASE_URL",
        "PORT",
        "EMAIL_BACKEND",
        "SENDGRID_API_KEY",
        "SENDGRID_API_HOST",
        "SENDGRID_WEBHOOK_PUBLIC_KEY",
        "SMTP_URL",
        "FROM_EMAIL",
        "FROM_NAME",
        "POSTAL_ADDRESS",
        "CLINIC_TIMEZONE",
        "OUTBOX_DIR",
    ]:
        assert f"\n{name}=" in documented or f"\n# {name}=" in documented, name
