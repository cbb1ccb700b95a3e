"""Line charts drawn on the server as SVG: no script, and a table of the same numbers beside each."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT, PAD = 640, 220, 28
COLOURS = ("#1f5f8b", "#2e7d32", "#b35c00", "#6a1b9a", "#a30d0d")
"""One colour per series, distinct for common colour blindness when read with the legend."""


@dataclass(frozen=True)
class Line:
    """One series: its label, colour and SVG points."""

    label: str
    colour: str
    points: str
    dash: str


@dataclass(frozen=True)
class Chart:
    """What the template draws: the lines, the top of the scale, and the first and last day."""

    lines: list[Line]
    top: int
    first: str
    last: str
    width: int = WIDTH
    height: int = HEIGHT
    pad: int = PAD


def line_chart(labels: list[str], series: list[tuple[str, list[int]]]) -> Chart:
    """Scale each series to the chart's box; the x axis is the days, the y axis starts at 0."""
    top = max([1, *(max(values, default=0) for _, values in series)])
    step = (WIDTH - 2 * PAD) / max(1, len(labels) - 1)
    lines = []
    for number, (label, values) in enumerate(series):
        points = " ".join(
            f"{PAD + i * step:.1f},{HEIGHT - PAD - value * (HEIGHT - 2 * PAD) / top:.1f}"
            for i, value in enumerate(values)
        )
        dash = ("", "6 3", "2 3", "8 3 2 3", "1 2")[number % 5]  # told apart without colour too
        lines.append(Line(label, COLOURS[number % len(COLOURS)], points, dash))
    return Chart(lines, top, labels[0] if labels else "", labels[-1] if labels else "")
