"""CSV imports in the admin: upload, map the columns over a preview, give the consent source, then
watch the job's progress and read its summary."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from flask import Response, abort, g, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select

from campaigns.errors import ValidationError
from campaigns.models import ImportReject, ImportRun, Sequence
from campaigns.people.import_rows import (
    FIELDS,
    MAX_FILE_BYTES,
    PREVIEW_ROWS,
    decode,
    guess_mapping,
    read_table,
)
from campaigns.people.importing import configure_import, upload_import
from campaigns.statuses import ImportStatus, SequenceStatus
from web.admin import bp
from web.admin.people_access import actor_id, acts, reads, refuse
from web.database import get_session
from web.queueing import enqueue_soon


def _run(import_id: int) -> ImportRun:
    run = get_session().get(ImportRun, import_id)
    if run is None:
        abort(404)
    return run


@bp.get("/imports")
@reads
def imports():
    """List recent imports, with the upload form."""
    runs = get_session().scalars(select(ImportRun).order_by(ImportRun.id.desc()).limit(50)).all()
    return render_template("admin/imports.html", runs=runs, user=g.user)


@bp.post("/imports")
@acts
def upload():
    """Keep an uploaded CSV as a draft import and show its column mapping."""
    request.max_content_length = MAX_FILE_BYTES + 64 * 1024  # a file may be larger than a form
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        abort(400, description="Choose a CSV file to upload.")
    db = get_session()
    try:
        run = upload_import(db, upload.filename, decode(upload.read()), datetime.now(UTC), actor_id())
    except ValidationError as exc:
        refuse(exc)
    db.commit()
    return redirect(url_for("admin.import_run", import_id=run.id), code=303)


@bp.get("/imports/<int:import_id>")
@reads
def import_run(import_id: int):
    """Show a draft's column mapping over a preview, or a running import's progress and summary."""
    run = _run(import_id)
    context: dict[str, object] = {"run": run, "user": g.user}
    if run.status == ImportStatus.DRAFT:
        header, rows = read_table(run.content)
        context.update(
            header=header,
            preview=rows[:PREVIEW_ROWS],
            fields=FIELDS,
            guessed=guess_mapping(header),
            sequences=get_session()
            .scalars(select(Sequence).where(Sequence.status == SequenceStatus.ACTIVE).order_by(Sequence.name))
            .all(),
        )
    return render_template("admin/import.html", **context)


@bp.post("/imports/<int:import_id>/start")
@acts
def start(import_id: int):
    """Start a draft import with its mapping and consent source, as a job."""
    run, db = _run(import_id), get_session()
    mapping = {field: request.form.get(f"column_{field}", "")[:200] for field in FIELDS}
    raw = request.form.get("sequence_id", "")
    sequence_id = int(raw) if raw.isdigit() and len(raw) < 12 else None
    if sequence_id is not None and db.get(Sequence, sequence_id) is None:
        abort(400, description="There is no such sequence.")
    attested = request.form.get("attest") == "yes"
    try:
        configure_import(
            run,
            mapping,
            request.form.get("consent_source", "")[:2000],
            attested_by=g.user.email if attested else None,
            sequence_id=sequence_id,
        )
    except ValidationError as exc:
        refuse(exc)
    db.commit()
    enqueue_soon("workers.jobs.import_subscribers", run.id)
    return redirect(url_for("admin.import_run", import_id=run.id), code=303)


@bp.get("/imports/<int:import_id>/progress")
@reads
def import_progress(import_id: int):
    """Answer how far an import has got, for the progress bar."""
    run = _run(import_id)
    return jsonify(
        status=run.status,
        total=run.total_rows,
        processed=run.processed_rows,
        imported=run.imported,
        merged=run.merged,
        rejected=run.rejected,
        error=run.error,
    )


@bp.get("/imports/<int:import_id>/rejects.csv")
@reads
def import_rejects(import_id: int):
    """Download the rejected rows with the reason for each."""
    run = _run(import_id)
    rows = get_session().execute(
        select(ImportReject.row_number, ImportReject.email, ImportReject.reason)
        .where(ImportReject.import_run_id == run.id)
        .order_by(ImportReject.row_number)
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(("row", "email", "reason"))
    writer.writerows((number, _cell(email), reason) for number, email, reason in rows)
    response = Response(buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="import-{run.id}-rejects.csv"'
    return response


def _cell(value: str) -> str:
    """Keep a spreadsheet from running what a file had in it as a formula."""
    return "'" + value if value.startswith(("=", "+", "-", "@", "\t", "\r")) else value
