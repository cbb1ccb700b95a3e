"""Benchmark the people pages' work: a 100,000-row CSV import, and search at 1M subscribers.

    python -m bench.people [--rows 100000] [--subscribers 1000000] [--reads 20]

The import goes through the same code as the import job (`campaigns.people.importing`), on a
generated file with a few bad rows and duplicates, against DATABASE_URL. Search seeds (in SQL)
`--subscribers` people with mixed statuses, signup sources and names, half of them in the default
sequence, then times the admin's searches (part of an address, a name, a status, a sequence, a
source, combined, and the next keyset page of each) `--reads` times each. The last line is

    import_100k_s=... search_p95_ms=...

Needs PostgreSQL; refuses a database with real subscribers and removes what it seeded.
"""

from __future__ import annotations

import argparse
import csv
import io
import statistics
import sys
import time
from datetime import UTC, datetime

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from bench.seeding import BENCH_DOMAIN, refuse_real_subscribers
from campaigns import schema
from campaigns.db import make_engine, make_session_factory, session_scope
from campaigns.models import Sequence
from campaigns.people.import_rows import guess_mapping, read_table
from campaigns.people.importing import run_import, start_import
from campaigns.people.search import people_query, search
from campaigns.seed import seed_default_sequence
from campaigns.settings import load_settings

IMPORT_DOMAIN = "people-bench.example.com"  # the import checks addresses: .invalid would be refused
SEED_SQL = """
    INSERT INTO subscribers (email, first_name, timezone, status, created_at, signup_source)
    SELECT 'reader' || g || '@' || (ARRAY['{domain}', 'mail.{domain}', 'post.{domain}'])[1 + g % 3],
           (ARRAY['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', NULL])[1 + g % 7] || g % 1000,
           'America/New_York',
           (ARRAY['active', 'active', 'active', 'active', 'pending', 'unsubscribed', 'bounced'])[1 + g % 7],
           now() - g * interval '1 second',
           (ARRAY['form', 'form', 'embed', 'api', 'import'])[1 + g % 5]
    FROM generate_series(1, {n}) g
"""
ENROLL_SQL = """
    INSERT INTO enrollments (subscriber_id, sequence_id, status, enrolled_at)
    SELECT id, {sequence}, 'active', created_at FROM subscribers
    WHERE email LIKE '%{domain}' AND id % 2 = 0
"""


def main() -> int:
    """Run both benchmarks and print their figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--subscribers", type=int, default=1_000_000)
    parser.add_argument("--reads", type=int, default=20)
    args = parser.parse_args()
    settings = load_settings()
    if not settings.database_url.startswith("postgresql"):
        sys.exit("the people benchmark needs DATABASE_URL on PostgreSQL")
    schema.upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    with session_scope(sessions) as session:
        refuse_real_subscribers(session, allowed=False)
        seed_default_sequence(session, datetime.now(UTC))
    try:
        clean(engine)
        seconds = time_import(sessions, settings.secret_key, args.rows)
        clean(engine)
        p95 = search_p95(engine, sessions, args.subscribers, args.reads)
    finally:
        clean(engine)
    print(f"import_{args.rows // 1000}k_s={seconds:.1f} search_p95_ms={p95:.1f}")
    return 0


def generated_csv(rows: int) -> str:
    """Return a CSV of `rows` people, one in 200 a bad address and one in 500 a duplicate."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(("Email", "First name", "Time zone", "Consent date"))
    for n in range(rows):
        email = f"Reader{n}@{IMPORT_DOMAIN}" if n % 200 else f"reader{n} at {IMPORT_DOMAIN}"
        if n % 500 == 499:
            email = f"reader{n - 1}@{IMPORT_DOMAIN}"
        writer.writerow((email, f"Reader {n}", "Europe/Paris" if n % 2 else "", "2026-03-01"))
    return buffer.getvalue()


def time_import(sessions: sessionmaker[Session], secret_key: str, rows: int) -> float:
    """Import a generated file through the import job's code; return the seconds it took."""
    content = generated_csv(rows)
    started = time.perf_counter()
    now = datetime.now(UTC)
    with session_scope(sessions) as session:
        header, _ = read_table(content)
        run = start_import(session, "bench.csv", content, guess_mapping(header), "benchmark", now)
        session.commit()
        run = run_import(session, run.id, secret_key, "America/New_York", now)
        summary = (run.imported, run.merged, run.rejected)
    seconds = time.perf_counter() - started
    imported, merged, rejected = summary
    print(
        f"import: {rows:,} rows in {seconds:.1f} s: imported={imported} merged={merged} rejected={rejected}"
    )
    return seconds


def search_p95(engine: Engine, sessions: sessionmaker[Session], subscribers: int, reads: int) -> float:
    """Seed `subscribers` people and time the admin's searches; return the 95th percentile in ms."""
    with session_scope(sessions) as session:
        slug, sequence_id = session.execute(
            select(Sequence.slug, Sequence.id).where(Sequence.is_default)
        ).one()
    started = time.perf_counter()
    with engine.begin() as connection:
        connection.execute(text(SEED_SQL.format(n=subscribers, domain=BENCH_DOMAIN)))
        connection.execute(text(ENROLL_SQL.format(sequence=sequence_id, domain=BENCH_DOMAIN)))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE subscribers"))
        connection.execute(text("ANALYZE enrollments"))
    print(f"seeded {subscribers:,} subscribers in {time.perf_counter() - started:.0f} s")
    searches = {
        "everyone": {},
        "rare address part": {"text": f"reader{subscribers // 3 + 7}@"},
        "common address part": {"text": "mail."},
        "name": {"text": "grace42"},
        "status": {"status": "bounced"},
        "sequence": {"sequence": slug},
        "source": {"source": "api"},
        "combined": {"text": "post.", "status": "pending", "source": "embed", "sequence": slug},
        "no match": {"text": "nobody-is-called-this"},
    }
    timings: list[float] = []
    with sessions() as session:
        for name, terms in searches.items():
            query = people_query(session, **terms)
            own = []
            for _ in range(reads):
                for after in (None, "next"):
                    keyset = None if after is None else first_page_keyset(session, query)
                    began = time.perf_counter()
                    search(session, query, keyset)
                    own.append((time.perf_counter() - began) * 1000)
                    session.expunge_all()
            timings += own
            print(f"search {name}: median {statistics.median(own):.1f} ms, worst {max(own):.1f} ms")
    return statistics.quantiles(timings, n=20)[-1]


def first_page_keyset(session: Session, query) -> int | None:
    """Return the keyset of the second page of `query`."""
    return search(session, query).next_after


def clean(engine: Engine) -> None:
    """Remove what the benchmark seeded (and the import runs it made)."""
    with engine.begin() as connection:
        for domain in (BENCH_DOMAIN, IMPORT_DOMAIN):
            people = f"SELECT id FROM subscribers WHERE email LIKE '%{domain}'"  # noqa: S608 (constants)
            for table in ("consent_records", "enrollments"):
                connection.execute(text(f"DELETE FROM {table} WHERE subscriber_id IN ({people})"))  # noqa: S608
            connection.execute(text(f"DELETE FROM subscribers WHERE id IN ({people})"))  # noqa: S608
        connection.execute(text("DELETE FROM import_rejects"))
        connection.execute(text("DELETE FROM import_runs"))


if __name__ == "__main__":
    sys.exit(main())
