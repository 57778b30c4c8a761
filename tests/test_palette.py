"""The course palette survives colour blindness (course_utils/plots/palette.py).

Each colour pair the course contrasts is simulated as seen with deuteranopia, protanopia
and tritanopia (colorspacious, severity 100) and must stay apart by a minimum colour
difference (delta E in CAM02-UCS, where about 1 is just noticeable). The three
learning-rate zones must be far apart (they are big areas a learner compares); curves get
a line style and marker as a second signal, so their colours may be closer.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

colorspacious = pytest.importorskip("colorspacious")

from course_utils.plots.palette import (  # noqa: E402
    SERIES_COLOURS,
    SERIES_LINESTYLES,
    SERIES_MARKERS,
    ZONE_COLOURS,
    ZONE_HATCHES,
    ZONE_TEXT_COLOURS,
    series_style,
)

VISIONS = {"typical": None, "deuteranopia": "deuteranomaly", "protanopia": "protanomaly",
           "tritanopia": "tritanomaly"}
MIN_ZONE_DIFFERENCE = 25.0
MIN_SERIES_DIFFERENCE = 10.0


def rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255


def seen(colour: str, cvd: str | None) -> np.ndarray:
    if cvd is None:
        return rgb(colour)
    space = {"name": "sRGB1+CVD", "cvd_type": cvd, "severity": 100}
    return np.clip(colorspacious.cspace_convert(rgb(colour), space, "sRGB1"), 0, 1)


def differences(colours: dict[str, str]) -> list[tuple[float, str]]:
    return [(float(colorspacious.deltaE(seen(a, cvd), seen(b, cvd), input_space="sRGB1")),
             f"{name_a} vs {name_b} with {vision}")
            for (name_a, a), (name_b, b) in itertools.combinations(colours.items(), 2)
            for vision, cvd in VISIONS.items()]


def contrast_on_white(colour: str) -> float:
    linear = np.where(rgb(colour) <= 0.03928, rgb(colour) / 12.92,
                      ((rgb(colour) + 0.055) / 1.055) ** 2.4)
    return 1.05 / (float(linear @ [0.2126, 0.7152, 0.0722]) + 0.05)


def test_the_simulation_sees_red_and_green_merge_with_deuteranopia():
    """The instrument works: the classic red/green pair collapses under deuteranopia."""
    (typical, _), (deutan, _) = differences({"red": "#FF0000", "green": "#00A000"})[:2]
    assert typical > 40 and deutan < typical / 2


def test_the_three_learning_rate_zones_stay_apart_in_every_vision():
    smallest = min(differences(ZONE_COLOURS))
    assert smallest[0] >= MIN_ZONE_DIFFERENCE, f"{smallest[1]}: delta E {smallest[0]:.1f}"


def test_every_pair_of_curve_colours_stays_apart_in_every_vision():
    smallest = min(differences({colour: colour for colour in SERIES_COLOURS}))
    assert smallest[0] >= MIN_SERIES_DIFFERENCE, f"{smallest[1]}: delta E {smallest[0]:.1f}"


def test_curves_and_text_are_visible_on_white():
    for colour in SERIES_COLOURS:
        assert contrast_on_white(colour) >= 3.0, colour      # WCAG 1.4.11, graphics
    for zone, colour in ZONE_TEXT_COLOURS.items():
        assert contrast_on_white(colour) >= 4.5, zone        # WCAG 1.4.3, text


def test_colour_is_never_the_only_signal():
    assert len(set(SERIES_LINESTYLES)) == len(SERIES_LINESTYLES) == len(SERIES_COLOURS)
    assert len(set(SERIES_MARKERS)) == len(SERIES_MARKERS) == len(SERIES_COLOURS)
    assert len(set(ZONE_HATCHES.values())) == len(ZONE_HATCHES) == len(ZONE_COLOURS)
    styles = [series_style(k, 500) for k in range(len(SERIES_COLOURS))]
    assert len({(s["linestyle"], s["marker"]) for s in styles}) == len(styles)
    assert series_style(0, 1)["markevery"] == (0, 1)
