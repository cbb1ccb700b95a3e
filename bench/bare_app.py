"""The baseline for bench.tracking: a bare Flask app answering the same bytes, doing nothing else."""

from __future__ import annotations

from flask import Flask, Response, redirect

from web.tracking import PIXEL

app = Flask(__name__)


@app.get("/t/o/<token>")
def pixel(token: str) -> Response:
    """The same GIF and headers as the real pixel."""
    return Response(PIXEL, mimetype="image/gif", headers={"Cache-Control": "no-store, max-age=0"})


@app.get("/t/c/<token>")
def click(token: str):  # type: ignore[no-untyped-def]
    """The same redirect as the real click endpoint."""
    return redirect("https://www.nccih.nih.gov/health/fibromyalgia", code=302)
