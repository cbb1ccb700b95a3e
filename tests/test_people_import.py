"""CSV import: new people, merged people, rejects with their reasons, paced confirmations, the CLI."""

from __future__ import annotations

import csv
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.confirmation import owed_confirmations
from campaigns.exits import suppress
from campaigns.models import ConsentRecord, Enrollment, ImportReject, ImportRun, Subscriber
from campaigns.people.import_rows import guess_mapping, read_table
from campaigns.people.importing import CONFIRMATIONS_PER_MINUTE, run_import, start_import
from campaigns.statuses import EnrollmentStatus, ImportStatus, SubscriberStatus, SuppressionReason
from tests.conftest import SECRET_KEY
from tests.factories import START, active_subscriber, seeded
from tests.people_helpers import csv_text, mixed_rows, people_count, write_csv

SOURCE = "Signup sheet at the 2029 patient evening, paper forms kept at the clinic"


def imported(db: Session, text: str, attested: bool = False, sequence_id: int | None = None) -> ImportRun:
    header, _ = read_table(text)
    run = start_import(
        db,
        "people.csv",
        text,
        guess_mapping(header),
        SOURCE,
        START,
        attested_by="admin@clinic.example" if attested else None,
        sequence_id=sequence_id,
    )
    db.commit()
    return run_import(db, run.id, SECRET_KEY, "America/New_York", START)


def rejects(db: Session, run: ImportRun) -> dict[int, str]:
    return {
        row: reason
        for row, reason in db.execute(
            select(ImportReject.row_number, ImportReject.reason).where(ImportReject.import_run_id == run.id)
        )
    }


def test_an_import_adds_people_rejects_bad_rows_with_reasons_and_owes_paced_confirmations(
    db, settings
) -> None:
    seeded(db, settings)
    rows, bad = mixed_rows(50)
    run = imported(db, csv_text(rows))
    assert (run.imported, run.merged, run.rejected, run.status) == (50, 0, bad, ImportStatus.DONE)
    reasons = rejects(db, run)
    assert reasons[52].startswith("bad address") and reasons[53] == "duplicate in file"
    assert reasons[54].startswith("bad address")
    person = db.scalars(select(Subscriber).where(Subscriber.email == "person7@example.org")).one()
    assert (person.status, person.first_name, person.signup_source) == (
        SubscriberStatus.PENDING,
        "P7",
        "import",
    )
    consent = db.scalars(select(ConsentRecord).where(ConsentRecord.subscriber_id == person.id)).one()
    assert SOURCE in consent.consent_text and consent.attested_by is None
    # Confirmations are paced: 20 a minute, the first at once, none of them all at the same moment.
    assert len(owed_confirmations(db, START)) == 1
    assert len(owed_confirmations(db, START + timedelta(minutes=1))) == CONFIRMATIONS_PER_MINUTE + 1
    assert len(owed_confirmations(db, START + timedelta(hours=1))) == 50
    assert run.content == ""  # the file itself is not kept once it has been read


def test_known_people_are_merged_without_losing_what_they_gave(db, settings) -> None:
    sequence = seeded(db, settings)
    ada, _ = active_subscriber(db, sequence, email="person3@example.org")
    run = imported(db, csv_text(mixed_rows(5)[0]))
    assert (run.imported, run.merged) == (4, 1)
    db.expire_all()
    assert db.get_one(Subscriber, ada.id).first_name == "Ada"
    assert db.get_one(Subscriber, ada.id).status == SubscriberStatus.ACTIVE


def test_suppressed_addresses_are_never_added_back(db, settings) -> None:
    seeded(db, settings)
    for email, reason in (
        ("person0@example.org", SuppressionReason.UNSUBSCRIBED),
        ("person1@example.org", SuppressionReason.BOUNCED),
    ):
        suppress(db, email, reason, START)
    db.commit()
    run = imported(db, csv_text(mixed_rows(3)[0]))
    assert run.imported == 1 and rejects(db, run)[2] == "suppressed" and rejects(db, run)[3] == "suppressed"
    assert people_count(db) == 1


def test_attested_rows_with_a_consent_date_are_active_and_enrolled_without_a_confirmation(
    db, settings
) -> None:
    seeded(db, settings)
    rows = [
        {"Email": "dated@example.org", "First name": "D", "Consent date": "2029-05-01"},
        {"Email": "undated@example.org", "First name": "U", "Consent date": ""},
        {"Email": "future@example.org", "First name": "F", "Consent date": "2099-01-01"},
    ]
    run = imported(db, csv_text(rows), attested=True)
    assert (run.imported, run.rejected) == (2, 1)
    assert rejects(db, run)[4] == "consent date is in the future"
    dated = db.scalars(select(Subscriber).where(Subscriber.email == "dated@example.org")).one()
    assert dated.status == SubscriberStatus.ACTIVE
    consent = db.scalars(select(ConsentRecord).where(ConsentRecord.subscriber_id == dated.id)).one()
    assert consent.attested_by == "admin@clinic.example" and consent.consent_given_at.year == 2029
    assert consent.confirmation_due_at is None
    enrollment = db.scalars(select(Enrollment).where(Enrollment.subscriber_id == dated.id)).one()
    assert enrollment.status == EnrollmentStatus.ACTIVE and enrollment.next_send_at is not None
    undated = db.scalars(select(Subscriber).where(Subscriber.email == "undated@example.org")).one()
    assert undated.status == SubscriberStatus.PENDING  # no date: the double opt-in email goes instead
    assert owed_confirmations(db, START + timedelta(minutes=5))


def test_a_run_that_is_started_again_resumes_and_counts_nothing_twice(db, settings) -> None:
    seeded(db, settings)
    run = imported(db, csv_text(mixed_rows(20)[0]))
    again = run_import(db, run.id, SECRET_KEY, "America/New_York", START)
    assert (again.imported, again.rejected) == (20, 3)
    assert db.scalar(select(func.count(ImportReject.id))) == 3


def test_the_command_prints_a_summary_last_and_exits_by_what_happened(runner, db, settings, tmp_path) -> None:
    seeded(db, settings)
    rows, bad = mixed_rows(30)
    result = runner.invoke(
        args=["import-subscribers", str(write_csv(tmp_path / "list.csv", rows)), "--consent-source", SOURCE]
    )
    assert result.exit_code == 1, result.output
    assert result.output.strip().splitlines()[-1] == f"imported=30 merged=0 rejected={bad}"
    with (tmp_path / "list.rejects.csv").open() as rejected:
        assert [row["reason"] for row in csv.DictReader(rejected)][1] == "duplicate in file"
    clean = write_csv(tmp_path / "clean.csv", mixed_rows(35)[0][30:35])
    result = runner.invoke(args=["import-subscribers", str(clean), "--consent-source", SOURCE])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "imported=5 merged=0 rejected=0"
    result = runner.invoke(args=["import-subscribers", str(clean), "--consent-source", SOURCE, "--confirmed"])
    assert result.output.strip().splitlines()[-1] == "imported=0 merged=5 rejected=0"


def test_the_command_refuses_what_it_cannot_use_and_imports_nothing(runner, db, settings, tmp_path) -> None:
    seeded(db, settings)
    good = write_csv(tmp_path / "list.csv", mixed_rows(3)[0])
    no_email = tmp_path / "names.csv"
    no_email.write_text("Name,Phone\nAda,123\n")
    cases = [
        ([str(no_email), "--consent-source", SOURCE], "column that holds the email"),
        ([str(good), "--consent-source", "?"], "consent source"),
        ([str(good), "--consent-source", SOURCE, "--sequence", "nope"], "no sequence 'nope'"),
    ]
    for args, message in cases:
        result = runner.invoke(args=["import-subscribers", *args])
        assert result.exit_code == 2 and message in result.output, result.output
    missing = runner.invoke(args=["import-subscribers", str(good)])
    assert missing.exit_code == 2 and "--consent-source" in missing.output
    assert people_count(db) == 0


def test_the_import_job_runs_in_a_worker_and_keeps_a_failure_on_the_run(
    db, settings, redis, run_jobs
) -> None:
    from workers.queues import connect, enqueue

    seeded(db, settings)
    text = csv_text(mixed_rows(10)[0])
    header, _ = read_table(text)
    run = start_import(db, "people.csv", text, guess_mapping(header), SOURCE, START)
    broken = start_import(db, "broken.csv", text, {"email": "Email"}, SOURCE, START)
    broken.mapping = {"email": "gone"}  # as if the file changed under the run
    db.commit()
    for run_id in (run.id, broken.id):
        enqueue(connect(settings), "workers.jobs.import_subscribers", run_id)
    run_jobs()
    db.expire_all()
    done, failed = db.get_one(ImportRun, run.id), db.get_one(ImportRun, broken.id)
    assert (done.status, done.imported, done.rejected) == (ImportStatus.DONE, 10, 3)
    assert failed.status == ImportStatus.FAILED and "no column 'gone'" in failed.error
