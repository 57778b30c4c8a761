"""The course's colours: distinguishable with every common colour-vision deficiency.

About one man in twelve cannot tell red from green. Every pair of colours the course
contrasts stays apart when deuteranopia, protanopia and tritanopia are simulated, measured
as drawn (tests/test_palette.py). Colour is never the only signal: each curve also gets its
own line style and marker (`series_style`), and each learning-rate zone its own hatching
and its name written on it. Headless: the SVG explorer and the matplotlib plots both read it.

    >>> ax.plot(steps, losses, label="sum", **series_style(0, len(steps)))
    >>> ax.axvspan(lo, hi, facecolor=ZONE_COLOURS["catapult"], hatch=ZONE_HATCHES["catapult"])
"""

from __future__ import annotations

# Curves in one plot, in the order they are drawn: blue, vermillion, black, bluish green,
# reddish purple. Each has at least 3:1 contrast on white (WCAG 2.1, 1.4.11).
SERIES_COLOURS = ("#0072B2", "#D55E00", "#000000", "#009E73", "#CC79A7")
SERIES_LINESTYLES = ("-", "--", ":", "-.", (0, (5, 1, 1, 1, 1, 1)))
SERIES_MARKERS = ("o", "s", "^", "D", "v")

# The four learning-rate zones of notebook 07, in order (`sweep.ZONES`): the explorer's zone
# strip and the sweep figure. Ordered from safe to wild, mostly by lightness, which every
# colour vision sees: sky blue and yellow (Okabe-Ito), crimson, deep purple. Four Okabe-Ito
# colours cannot do it: at best two of them come within delta E 22 under one simulation.
ZONE_COLOURS = {"monotone": "#56B4E9", "edge of stability": "#F0E442",
                "catapult": "#BC3754", "divergence": "#4C02A1"}
# Hatching (matplotlib's notation; the SVG strip draws the same patterns).
ZONE_HATCHES = {"monotone": "", "edge of stability": "..", "catapult": "//", "divergence": "xx"}
# How opaque a zone's fill is on the explorer's strip (on white; the hatching lies on top).
ZONE_FILL_OPACITY = 0.75
# Behind the sweep figure's points (which carry the zone's full colour and its marker shape).
ZONE_BACKGROUND_ALPHA = 0.5
# Text written on a zone's colour (the explorer's "diverged" banner): at least 4.5:1.
ZONE_TEXT_ON = {"monotone": "#000000", "edge of stability": "#000000",
                "catapult": "#FFFFFF", "divergence": "#FFFFFF"}

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
