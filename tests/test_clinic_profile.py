"""The clinic's profile is read once per transaction, and an edit shows in the next one."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from campaigns.clinic import get_profile
from campaigns.db import make_session_factory
from campaigns.settings import Settings
from tests.conftest import engine_for
from tests.factories import seeded


def test_a_signup_reads_the_clinics_profile_once(app, db: Session, settings: Settings) -> None:
    seeded(db, settings)
    statements: list[str] = []
    engine = app.extensions["nurture"]["engine"]
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    response = app.test_client().post(
        "/subscribe",
        json={"email": "ada@example.com", "consent": True},
        headers={"Origin": "https://clinic.example"},
    )
    assert response.status_code == 202
    assert sum("FROM clinic_profile" in statement for statement in statements) == 1


def test_an_edit_made_elsewhere_shows_in_the_next_transaction(db: Session, settings: Settings) -> None:
    seeded(db, settings)
    assert get_profile(db).name != "Renamed Clinic"  # type: ignore[union-attr]
    with make_session_factory(engine_for(settings.database_url))() as admin:
        profile = get_profile(admin)
        assert profile is not None
        profile.name = "Renamed Clinic"
        admin.commit()
    db.commit()
    assert get_profile(db).name == "Renamed Clinic"  # type: ignore[union-attr]
