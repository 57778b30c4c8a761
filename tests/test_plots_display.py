"""show_figure: every figure reaches both renderers with its text alternative.

JupyterLab draws the text/html <img alt=...>; the website (myst-nb) writes the image/png to
a file and reads `alt` from the output's metadata (site/conf.py). Both must hold the same
description, escaped so a quote or a `<` in it cannot break the tag.
"""

from __future__ import annotations

import base64
from html.parser import HTMLParser

import IPython.display
import pytest
from matplotlib.figure import Figure

from course_utils.plots import alt_problem, image_output, show_figure

ALT = 'Loss against step on a log scale: the "sum" and mean curves lie on top of each other <1%'


def img_attributes(html: str) -> dict[str, str]:
    found: list[dict[str, str]] = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "img":
                found.append(dict(attrs))

    Parser().feed(html)
    assert len(found) == 1, html[:200]
    return found[0]


def test_the_output_carries_the_alt_for_jupyterlab_and_for_the_website():
    png = b"\x89PNG\r\n\x1a\nnot really"
    data, metadata = image_output(png, ALT)
    assert base64.b64decode(data["image/png"]) == png
    assert metadata == {"image/png": {"alt": ALT}}
    img = img_attributes(data["text/html"])
    assert img["alt"] == ALT    # quotes and < survive escaping, and come back unescaped
    assert img["src"] == "data:image/png;base64," + data["image/png"]
    assert data["text/plain"] == ALT


@pytest.fixture
def shown(monkeypatch):
    calls: list[tuple[tuple, dict]] = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: calls.append((a, k)))
    return calls


def small_figure() -> Figure:
    fig = Figure(figsize=(2, 1))
    fig.add_subplot().plot([0, 1], [1, 0])
    return fig


def test_show_figure_displays_one_raw_bundle_with_metadata(shown):
    show_figure(small_figure(), alt=ALT)
    ((args, kwargs),) = shown
    data = args[0]
    assert kwargs["raw"] is True and kwargs["metadata"] == {"image/png": {"alt": ALT}}
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG")
    assert img_attributes(data["text/html"])["alt"] == ALT


@pytest.mark.parametrize("alt", [None, "", "a plot", "_images/5885e30d9f1c2b3a4d5e6f.png",
                                 "5885e30d9f1c2b3a4d5e6f708192a3b4c5d6e7f8"])
def test_a_figure_without_a_real_description_warns(shown, alt):
    with pytest.warns(UserWarning, match="show_figure"):
        show_figure(small_figure(), alt=alt)
    assert shown, "the figure is still shown"


@pytest.mark.parametrize("alt, ok", [
    (ALT, True),
    ("Two panels: loss and gradient norm, both falling", True),
    (None, False), ("   ", False), ("figure", False), ("Loss curve", False),
    ("build/jupyter_execute/5885e30d.png", False), ("deadbeefdeadbeefdeadbeef", False),
])
def test_alt_problem_names_what_is_wrong(alt, ok):
    assert (alt_problem(alt) is None) is ok, alt_problem(alt)
