"""The course palette survives colour blindness (course_utils/palette.py).

Each colour pair the course contrasts is simulated as seen with deuteranopia, protanopia
and tritanopia (colorspacious, severity 100) and must stay apart by a minimum colour
difference (delta E in CAM02-UCS, where about 1 is just noticeable), measured as drawn: a
fill with some transparency is blended on white first. The four learning-rate zones must be
far apart (big areas a learner compares, and the sweep's points); curves get a line style
and marker as a second signal, so their colours may be closer. The colours are also read
back out of the figures, so a figure cannot drift away from the palette tested here.
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

colorspacious = pytest.importorskip("colorspacious")

from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from course_utils.explorer_figure import Curve, figure_svg  # noqa: E402
from course_utils.explorer_words import readout_html  # noqa: E402
from course_utils.palette import (  # noqa: E402
    SERIES_COLOURS,
    SERIES_LINESTYLES,
    SERIES_MARKERS,
    ZONE_BACKGROUND_ALPHA,
    ZONE_COLOURS,
    ZONE_FILL_OPACITY,
    ZONE_HATCHES,
    ZONE_TEXT_ON,
    series_style,
)
from course_utils.plots.curves import draw_zones  # noqa: E402
from course_utils.sweep import ZONES, Zones  # noqa: E402
from course_utils.training import History  # noqa: E402

VISIONS = {"typical": None, "deuteranopia": "deuteranomaly", "protanopia": "protanomaly",
           "tritanopia": "tritanomaly"}
MIN_ZONE_DIFFERENCE = 25.0        # the strip's fills and the sweep's points
MIN_BACKGROUND_DIFFERENCE = 15.0  # the sweep's light backgrounds, behind shaped points
MIN_SERIES_DIFFERENCE = 10.0
ZONES_HERE = Zones("sum", two_over_lambda=1.33e-3, rises_from=7.27e-4, diverges_from=2.58e-3)


def rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255


def on_white(colour: str, opacity: float) -> np.ndarray:
    return opacity * rgb(colour) + (1 - opacity)


def seen(colour: np.ndarray, cvd: str | None) -> np.ndarray:
    if cvd is None:
        return colour
    space = {"name": "sRGB1+CVD", "cvd_type": cvd, "severity": 100}
    return np.clip(colorspacious.cspace_convert(colour, space, "sRGB1"), 0, 1)


def differences(colours: dict[str, str], opacity: float = 1.0) -> list[tuple[float, str]]:
    return [(float(colorspacious.deltaE(seen(on_white(a, opacity), cvd),
                                        seen(on_white(b, opacity), cvd), input_space="sRGB1")),
             f"{name_a} vs {name_b} with {vision} (opacity {opacity})")
            for (name_a, a), (name_b, b) in itertools.combinations(colours.items(), 2)
            for vision, cvd in VISIONS.items()]


def luminance(colour: str) -> float:
    linear = np.where(rgb(colour) <= 0.03928, rgb(colour) / 12.92,
                      ((rgb(colour) + 0.055) / 1.055) ** 2.4)
    return float(linear @ [0.2126, 0.7152, 0.0722])


def contrast(a: str, b: str = "#FFFFFF") -> float:
    """WCAG 2.1 contrast ratio of two colours (1 to 21)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_simulation_sees_red_and_green_merge_with_deuteranopia():
    """The instrument works: the classic red/green pair collapses under deuteranopia."""
    (typical, _), (deutan, _) = differences({"red": "#FF0000", "green": "#00A000"})[:2]
    assert typical > 40 and deutan < typical / 2


def test_the_old_zone_colours_would_fail():
    """The threshold means something: the Okabe-Ito four drawn before (green, sky blue,
    orange, vermillion at 0.55) come within delta E 9 of each other under tritanopia."""
    old = {"monotone": "#009E73", "edge of stability": "#56B4E9", "catapult": "#E69F00",
           "divergence": "#D55E00"}
    assert min(differences(old, 0.55))[0] < MIN_ZONE_DIFFERENCE / 2


def test_every_zone_has_a_colour_and_a_hatching_in_the_course_order():
    assert tuple(ZONE_COLOURS) == tuple(ZONE_HATCHES) == ZONES


@pytest.mark.parametrize(("where", "opacity", "minimum"), [
    ("the explorer's strip", ZONE_FILL_OPACITY, MIN_ZONE_DIFFERENCE),
    ("the sweep's points", 1.0, MIN_ZONE_DIFFERENCE),
    ("the sweep's backgrounds", ZONE_BACKGROUND_ALPHA, MIN_BACKGROUND_DIFFERENCE)])
def test_the_four_learning_rate_zones_stay_apart_in_every_vision(where, opacity, minimum):
    smallest = min(differences(ZONE_COLOURS, opacity))
    assert smallest[0] >= minimum, f"{where}: {smallest[1]}: delta E {smallest[0]:.1f}"


def test_every_pair_of_curve_colours_stays_apart_in_every_vision():
    smallest = min(differences({colour: colour for colour in SERIES_COLOURS}))
    assert smallest[0] >= MIN_SERIES_DIFFERENCE, f"{smallest[1]}: delta E {smallest[0]:.1f}"


def test_curves_and_text_are_visible():
    for colour in SERIES_COLOURS:
        assert contrast(colour) >= 3.0, colour                     # WCAG 1.4.11, graphics
    for zone, text in ZONE_TEXT_ON.items():
        assert contrast(text, ZONE_COLOURS[zone]) >= 4.5, zone     # WCAG 1.4.3, text


def test_colour_is_never_the_only_signal():
    assert len(set(SERIES_LINESTYLES)) == len(SERIES_LINESTYLES) == len(SERIES_COLOURS)
    assert len(set(SERIES_MARKERS)) == len(SERIES_MARKERS) == len(SERIES_COLOURS)
    assert len(set(ZONE_HATCHES.values())) == len(ZONE_HATCHES)
    styles = [series_style(k, 500) for k in range(len(SERIES_COLOURS))]
    assert len({(s["linestyle"], s["marker"]) for s in styles}) == len(styles)
    assert series_style(0, 1)["markevery"] == (0, 1)


def test_the_explorer_strip_draws_the_tested_colours():
    svg = figure_svg([Curve(np.array([3.0, 2.0, 1.0]), "a curve")], 3, "title",
                     ZONES_HERE.edges(), ZONES_HERE.two_over_lambda, 1e-3, (1e-4, 1e-2), "sum")
    fills = re.findall(r'fill="(#[0-9A-Fa-f]{6})" fill-opacity="([0-9.]+)"', svg)
    assert [(c.upper(), float(o)) for c, o in fills] == [
        (c.upper(), ZONE_FILL_OPACITY) for c in ZONE_COLOURS.values()]


def test_the_sweep_figure_draws_the_tested_colours_and_hatches():
    ax = Figure().subplots()
    ax.set(xscale="log", xlim=(1e-4, 1e-2))
    spans = draw_zones(ax, ZONES_HERE)[:4]
    assert [to_hex(span.get_facecolor(), keep_alpha=False).upper() for span in spans] == [
        c.upper() for c in ZONE_COLOURS.values()]
    assert [span.get_alpha() for span in spans] == [ZONE_BACKGROUND_ALPHA] * 4
    assert [span.get_hatch() or "" for span in spans] == list(ZONE_HATCHES.values())


def test_the_diverged_banner_is_readable():
    run = History(learning_rate=0.01, reduction="sum", steps=500,
                  losses=np.array([1.0, 1e3, np.inf]), diverged_at=2, rose_at=1)
    html = readout_html(run, ZONES_HERE, pinned=0)
    banner = re.search(r'background:(#[0-9A-Fa-f]{6});color:(#[0-9A-Fa-f]{6})', html)
    assert banner, html
    assert contrast(banner.group(2), banner.group(1)) >= 4.5, banner.groups()
