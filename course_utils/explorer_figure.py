"""The explorer's picture, drawn as SVG text: the loss curves and the strip of zones.

Why SVG text and not matplotlib: the explorer redraws on every slider move, and a PNG
from matplotlib costs 60-130 ms here (layout, tick labels, rasterising, PNG encoding).
Writing the few hundred numbers of a curve into an SVG string takes about a millisecond;
the browser draws it. The result is one `<img>` whose source is that SVG, so it works the
same in JupyterLab, headless (it is plain text in the widget's state) and on the static
site (the saved widget state holds the last picture), and its `alt` says what it shows.

    figure_svg(...)        the whole picture as SVG text
    image_html(svg, alt)   that picture as an <img> tag with its text alternative
    zone_label_boxes(...)  where the zone names go: never on top of each other (tested)
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .palette import SERIES_COLOURS, ZONE_COLOURS, ZONE_FILL_OPACITY, ZONE_HATCHES

WIDTH, HEIGHT = 680, 430
LOSS_BOX = (70, 40, 660, 240)  # left, top, right, bottom of the loss panel
STRIP_BOX = (70, 300, 660, 328)  # the zone strip
TICK_Y = 344  # the strip's tick labels; rows of names that do not fit in the strip below
ROW_Y = (319, 362, 377, 392, 407)
FONT = 12
CHAR_WIDTH = 0.6 * FONT  # a safe average width of one character of the sans-serif font
# The zones' colours and hatching (course_utils.palette: safe for colour-blind readers),
# and the SVG pattern that draws each matplotlib hatch.
SVG_HATCH = {"..": "dots", "//": "diagonal", "xx": "cross"}
CURRENT_COLOUR = SERIES_COLOURS[0]
PIN_STYLES = (("#000000", "8 4"), ("#CC79A7", "2 3"), ("#6a3d9a", "10 3 2 3"),
              ("#555555", "4 4"), ("#8c510a", "1 2"), ("#01665e", "12 6"))
SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


@dataclass(frozen=True)
class Curve:
    """One curve of the loss panel: the losses (finite, > 0 ones are drawn), how, and its name."""

    losses: np.ndarray
    label: str
    colour: str = CURRENT_COLOUR
    dashes: str | None = None  # an SVG stroke-dasharray; None for a solid line
    diverged: bool = False


def power_of_ten(exponent: int) -> str:
    return "10" + str(exponent).translate(SUPERSCRIPTS)


def _text(x: float, y: float, words: str, anchor: str = "start", size: int = FONT,
          weight: str = "normal", colour: str = "#000") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'font-weight="{weight}" fill="{colour}">{html.escape(words)}</text>')


def _log_position(values: np.ndarray, low: float, high: float, start: float, end: float
                  ) -> np.ndarray:
    fraction = (np.log10(values) - math.log10(low)) / (math.log10(high) - math.log10(low))
    return start + fraction * (end - start)


def _loss_panel(curves: Sequence[Curve], steps: int, title: str) -> list[str]:
    left, top, right, bottom = LOSS_BOX
    finite = [c.losses[np.isfinite(c.losses) & (c.losses > 0)] for c in curves]
    shown = np.concatenate([f for f in finite if len(f)] or [np.array([1.0])])
    low = 10.0 ** math.floor(math.log10(shown.min()))
    high = 10.0 ** math.ceil(math.log10(shown.max()))
    high = high * 10 if high == low else high
    parts = [f'<rect x="{left}" y="{top}" width="{right - left}" height="{bottom - top}" '
             'fill="white" stroke="#333"/>', _text((left + right) / 2, 22, title, "middle",
                                                   13, "bold")]
    decades = range(round(math.log10(low)), round(math.log10(high)) + 1)
    stride = max(1, math.ceil(len(decades) / 8))
    for exponent in list(decades)[::stride]:
        y = _log_position(np.array([10.0 ** exponent]), low, high, bottom, top)[0]
        parts.append(f'<line x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" '
                     'stroke="#ddd"/>')
        parts.append(_text(left - 6, y + 4, power_of_ten(exponent), "end"))
    for k in range(6):
        step = round(steps * k / 5)
        x = left + (right - left) * step / steps
        parts.append(_text(x, bottom + 16, str(step), "middle"))
    parts.append(_text((left + right) / 2, bottom + 32, "step", "middle"))
    parts.append(f'<text transform="translate(16 {(top + bottom) / 2}) rotate(-90)" '
                 f'font-size="{FONT}" text-anchor="middle">loss (log scale)</text>')
    for k, curve in enumerate(curves):
        index = np.flatnonzero(np.isfinite(curve.losses) & (curve.losses > 0))
        if len(index) == 0:
            continue
        xs = left + (right - left) * index / steps
        ys = _log_position(curve.losses[index], low, high, bottom, top)
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
        dash = f' stroke-dasharray="{curve.dashes}"' if curve.dashes else ""
        width = 2.5 if curve.dashes is None else 1.6
        parts.append(f'<polyline points="{points}" fill="none" stroke="{curve.colour}" '
                     f'stroke-width="{width}"{dash}/>')
        if curve.diverged:  # an X where the last finite loss was, and the words
            x, y = xs[-1], ys[-1]
            parts.append(f'<path d="M{x - 6:.1f},{y - 6:.1f}L{x + 6:.1f},{y + 6:.1f}M'
                         f'{x - 6:.1f},{y + 6:.1f}L{x + 6:.1f},{y - 6:.1f}" '
                         f'stroke="{ZONE_COLOURS["divergence"]}" stroke-width="3"/>')
        legend_y = top + 16 + 16 * k
        parts.append(f'<line x1="{right - 250}" x2="{right - 222}" y1="{legend_y - 4}" '
                     f'y2="{legend_y - 4}" stroke="{curve.colour}" stroke-width="{width}"{dash}/>')
        parts.append(_text(right - 216, legend_y, curve.label))
    return parts


def zone_label_boxes(edges: Sequence[float], two_over_lambda: float, low: float, high: float
                     ) -> list[tuple[str, float, float, float, int]]:
    """Where the names go: (name, x it names, left x, right x, row), never two on top of each other.

    The four zone names and "2/λ₀". A zone's name goes inside the strip (row 0) when it fits
    in its zone; otherwise, like "2/λ₀", in the first row under the strip's tick labels where
    it overlaps no other name (a leader line joins it to what it names).
    """
    left, _, right, _ = STRIP_BOX
    bounds = [low, *(min(max(e, low), high) for e in edges), high]
    xs = _log_position(np.array(bounds), low, high, left, right)
    labels = [(name, (a + b) / 2, b - a)
              for name, a, b in zip(ZONE_COLOURS, xs[:-1], xs[1:], strict=True)]
    if low < two_over_lambda < high:
        labels.append(("2/λ₀", _log_position(np.array([two_over_lambda]), low, high, left,
                                             right)[0], 0.0))
    placed: list[tuple[str, float, float, float, int]] = []
    for name, centre, room in labels:
        width = CHAR_WIDTH * len(name) + 4
        start = min(max(centre - width / 2, left), right - width)
        row = 0 if width <= room else 1
        while any(r == row and start < b and a < start + width for _, _, a, b, r in placed):
            row += 1
        placed.append((name, centre, start, start + width, row))
    return placed


def _hatch_patterns() -> str:
    lines = {"dots": '<circle cx="3" cy="3" r="1.2" fill="#000"/>',
             "diagonal": '<path d="M0,6 L6,0" stroke="#000" stroke-width="1"/>',
             "cross": '<path d="M0,0 L6,6 M0,6 L6,0" stroke="#000" stroke-width="1"/>'}
    return "".join(f'<pattern id="hatch-{name}" width="6" height="6" '
                   f'patternUnits="userSpaceOnUse">{shape}</pattern>'
                   for name, shape in lines.items())


def _zone_strip(edges: Sequence[float], two_over_lambda: float, learning_rate: float,
                low: float, high: float, reduction: str) -> list[str]:
    left, top, right, bottom = STRIP_BOX
    bounds = [low, *(min(max(e, low), high) for e in edges), high]
    xs = _log_position(np.array(bounds), low, high, left, right)
    parts = [_text(left, top - 14, f"zones for {reduction}")]
    for name, a, b in zip(ZONE_COLOURS, xs[:-1], xs[1:], strict=True):
        parts.append(f'<rect x="{a:.1f}" y="{top}" width="{b - a:.1f}" height="{bottom - top}" '
                     f'fill="{ZONE_COLOURS[name]}" fill-opacity="{ZONE_FILL_OPACITY}"/>')
        if ZONE_HATCHES[name]:
            pattern = SVG_HATCH[ZONE_HATCHES[name]]
            parts.append(f'<rect x="{a:.1f}" y="{top}" width="{b - a:.1f}" '
                         f'height="{bottom - top}" fill="url(#hatch-{pattern})" opacity="0.5"/>')
    x_two = _log_position(np.array([two_over_lambda]), low, high, left, right)[0]
    if left <= x_two <= right:
        parts.append(f'<line x1="{x_two:.1f}" x2="{x_two:.1f}" y1="{top - 4}" y2="{bottom + 4}" '
                     'stroke="#000" stroke-width="1.5" stroke-dasharray="4 3"/>')
    for name, centre, start, end, row in zone_label_boxes(edges, two_over_lambda, low, high):
        y = ROW_Y[min(row, len(ROW_Y) - 1)]
        if row:
            parts.append(f'<line x1="{centre:.1f}" x2="{(start + end) / 2:.1f}" '
                         f'y1="{bottom}" y2="{y - 11}" stroke="#000" stroke-width="0.8"/>')
        parts.append(f'<rect x="{start:.1f}" y="{y - 12}" width="{end - start:.1f}" height="15" '
                     'fill="white" fill-opacity="0.9"/>')
        parts.append(_text((start + end) / 2, y, name, "middle"))
    x_now = _log_position(np.array([learning_rate]), low, high, left, right)[0]
    parts.append(f'<path d="M{x_now - 7:.1f},{top - 12} L{x_now + 7:.1f},{top - 12} '
                 f'L{x_now:.1f},{top - 1} Z" fill="{CURRENT_COLOUR}"/>')
    for colour, width in (("white", 7), (CURRENT_COLOUR, 3)):  # a halo: visible on every zone
        parts.append(f'<line x1="{x_now:.1f}" x2="{x_now:.1f}" y1="{top}" y2="{bottom}" '
                     f'stroke="{colour}" stroke-width="{width}"/>')
    decades = range(math.ceil(math.log10(low) - 1e-9), math.floor(math.log10(high) + 1e-9) + 1)
    for exponent in decades:
        x = _log_position(np.array([10.0 ** exponent]), low, high, left, right)[0]
        parts.append(_text(x, TICK_Y, power_of_ten(exponent), "middle"))
    parts.append(_text((left + right) / 2, HEIGHT - 4, "learning rate (log scale; triangle: "
                       "the current one; dashed: 2/λ₀)", "middle"))
    return parts


def figure_svg(curves: Sequence[Curve], steps: int, title: str, edges: Sequence[float],
               two_over_lambda: float, learning_rate: float, strip_range: tuple[float, float],
               reduction: str) -> str:
    """The explorer's picture: loss curves (log scale) over the zone strip, as SVG text."""
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="DejaVu Sans, Arial, sans-serif">',
             f"<defs>{_hatch_patterns()}</defs>",
             f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>']
    parts += _loss_panel(curves, steps, title)
    parts += _zone_strip(edges, two_over_lambda, learning_rate, *strip_range, reduction)
    parts.append("</svg>")
    return "".join(parts)


def image_html(svg: str, alt: str) -> str:
    """An <img> showing `svg`, with `alt` as its text alternative (read by screen readers)."""
    source = base64.b64encode(svg.encode()).decode()
    return (f'<img src="data:image/svg+xml;base64,{source}" alt="{html.escape(alt)}" '
            f'width="{WIDTH}" height="{HEIGHT}" style="max-width:100%;height:auto">')
