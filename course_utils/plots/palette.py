"""The course's colours: distinguishable with every common colour-vision deficiency.

About one man in twelve cannot tell red from green. The colours below come from the
Okabe-Ito palette, chosen so that each pair the course contrasts stays apart when
deuteranopia, protanopia and tritanopia are simulated (tests/test_palette.py measures it).
Colour is never the only signal: each curve also gets its own line style and marker
(`series_style`), and each learning-rate zone its own hatching and a label.

    >>> ax.plot(steps, losses, label="sum", **series_style(0, len(steps)))
    >>> ax.axvspan(lo, hi, color=ZONE_COLOURS["catapult"], hatch=ZONE_HATCHES["catapult"])
"""

from __future__ import annotations

# Curves in one plot, in the order they are drawn: blue, vermillion, black, bluish green,
# reddish purple. Each has at least 3:1 contrast on white (WCAG 2.1, 1.4.11).
SERIES_COLOURS = ("#0072B2", "#D55E00", "#000000", "#009E73", "#CC79A7")
SERIES_LINESTYLES = ("-", "--", ":", "-.", (0, (5, 1, 1, 1, 1, 1)))
SERIES_MARKERS = ("o", "s", "^", "D", "v")

# The three learning-rate regimes of notebook 07 (sweep figure, explorer's zone strip):
# blue, yellow, vermillion. Fills, so they are drawn light and labelled with their name.
ZONE_COLOURS = {"monotone": "#0072B2", "catapult": "#F0E442", "divergence": "#D55E00"}
ZONE_HATCHES = {"monotone": "", "catapult": "//", "divergence": "xx"}
# The same regimes as text or thin lines on white (at least 4.5:1 contrast): the yellow
# fill is unreadable as text. The words ("catapult", "diverged") carry the meaning.
ZONE_TEXT_COLOURS = {"monotone": "#0072B2", "catapult": "#8A6D00", "divergence": "#B8360B"}

# Two things compared, or "yours" against "the reference".
FIRST, SECOND = SERIES_COLOURS[0], SERIES_COLOURS[1]


def series_style(index: int, points: int | None = None) -> dict[str, object]:
    """Colour, line style and marker of the `index`-th curve in a plot (matplotlib kwargs).

    points: how many points the curve has; a marker is put on about ten of them, so the
    curve stays readable and can still be told apart in grey or by shape alone.
    """
    k = index % len(SERIES_COLOURS)
    style: dict[str, object] = {"color": SERIES_COLOURS[k], "linestyle": SERIES_LINESTYLES[k],
                                "marker": SERIES_MARKERS[k], "markersize": 5}
    if points is not None:
        # staggered per curve, so markers of curves lying on top of each other stay visible
        every = max(1, points // 10)
        start = min(points - 1, every * k // len(SERIES_COLOURS))
        style["markevery"] = (max(0, start), every)
    return style
