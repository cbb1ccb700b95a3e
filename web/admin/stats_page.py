"""A sequence's stats page: funnel, daily chart, links, versions and subjects; and the same as CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from flask import Response, abort, g, render_template, request

from campaigns.sequences.report import DAILY_SERIES, PERIODS, Report, sequence_report
from web.admin import bp
from web.admin.access import login_required
from web.admin.charts import line_chart
from web.admin.sequence_settings import find_sequence
from web.database import get_session, get_settings


def _report(sequence_id: int) -> Report:
    find_sequence(sequence_id)
    raw = request.args.get("days", "30")
    if raw not in {str(p) for p in PERIODS}:
        abort(400, description="days must be 30 or 90.")
    return sequence_report(get_session(), sequence_id, datetime.now(UTC).date(), int(raw))


@bp.get("/sequences/<int:sequence_id>/stats")
@login_required
def sequence_stats_page(sequence_id: int):
    """Show the sequence's funnel, daily chart, links, and versions and subjects side by side."""
    report = _report(sequence_id)
    labels = [day.isoformat() for day in report.days]
    chart = line_chart(labels, [(label, report.daily[metric]) for metric, label in DAILY_SERIES])
    context = {"report": report, "chart": chart, "series": DAILY_SERIES, "periods": PERIODS}
    context["delivery_reports"] = get_settings().email_backend == "sendgrid"
    return render_template(
        "admin/stats.html", sequence=find_sequence(sequence_id), days=len(labels), user=g.user, **context
    )


@bp.get("/sequences/<int:sequence_id>/stats.csv")
@login_required
def sequence_stats_csv(sequence_id: int):
    """Download the page's numbers as CSV: funnel, each step's versions and subjects, links, days."""
    report, out = _report(sequence_id), io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "label", "count", "rate"])
    for stage in report.funnel:
        writer.writerow(
            ["funnel", stage.label, stage.count, "" if stage.rate is None else f"{stage.rate:.4f}"]
        )
    metrics = ("sent", "delivered", "bounced", "opened_human", "opened", "clicked_human", "clicked")
    metrics += ("unsubscribed", "complained", "converted")
    writer.writerow(["versions", "step", "version", "variant", *metrics, "subject"])
    for step in report.stats.steps:
        for (version, variant), counts in sorted(step.variants.items()):
            subject = _safe(step.subjects[(version, variant)])
            writer.writerow(
                ["versions", step.position, version, variant, *(counts[m] for m in metrics), subject]
            )
    writer.writerow(["links", "url", "clicks", "human clicks"])
    for url, clicks, human in report.stats.links:
        writer.writerow(["links", _safe(url), clicks, human])
    writer.writerow(["daily", "day", *(metric for metric, _ in DAILY_SERIES)])
    for index, day in enumerate(report.days):
        writer.writerow(["daily", day.isoformat(), *(report.daily[m][index] for m, _ in DAILY_SERIES)])
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="sequence-{sequence_id}-stats.csv"'
    return response


def _safe(cell: str) -> str:
    """Keep a spreadsheet from reading a cell as a formula."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell
