"""Showing a figure in a notebook, whatever the matplotlib backend, with a text alternative.

A reader who cannot see a figure hears its `alt` text instead, so every figure the course
shows carries one. Two renderers read it from two places, so the output holds both:

- JupyterLab (4.6) draws `image/png` as an `<img>` with no alt at all; it prefers
  `text/html`, so the output also holds `<img alt="..." src="data:image/png;base64,...">`
  (its sanitizer keeps `alt` and data-URI `src`, so this works in untrusted notebooks too);
- the website (myst-nb) writes `image/png` to an image file and takes its alt from the
  output's metadata `{"image/png": {"alt": ...}}` (site/conf.py adds that reading).

`text/plain` holds the alt text too: what a text-only front end shows.
"""

from __future__ import annotations

import base64
import html
import io
import re
import warnings

from matplotlib.figure import Figure

MIN_ALT_CHARS = 30
_FILE_LIKE = re.compile(r"^[\w./\\-]*\.(png|jpe?g|gif|svg|webp)$|^[0-9a-f]{16,}", re.IGNORECASE)


def figure_png(fig: Figure, dpi: int = 100) -> bytes:
    """The figure rendered as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


def alt_problem(alt: object) -> str | None:
    """Why `alt` is not a usable description of a figure, or None if it is.

    A description says what the figure shows and the point it makes in at least a few
    words: not missing, not a file name or a hash (what the website showed before), not
    "figure" or "plot".
    """
    if not isinstance(alt, str) or not alt.strip():
        return "no alt text"
    text = alt.strip()
    if _FILE_LIKE.search(text):
        return f"the alt text looks like a file name or a hash: {text!r}"
    if len(text) < MIN_ALT_CHARS or len(text.split()) < 4:
        return (f"the alt text {text!r} is too short to say what the figure shows "
                f"(at least {MIN_ALT_CHARS} characters and four words)")
    return None


def image_output(png: bytes, alt: str) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """(data, metadata) of a display_data output showing `png` with `alt` (see the module)."""
    encoded = base64.b64encode(png).decode("ascii")
    tag = (f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(alt, quote=True)}"'
           ' style="max-width: 100%; height: auto;">')
    data = {"image/png": encoded, "text/html": tag, "text/plain": alt}
    return data, {"image/png": {"alt": alt}}


def show_png(png: bytes, alt: str | None) -> None:
    """Display PNG bytes with `alt` as their text alternative (warns if it is not one)."""
    from IPython.display import display

    problem = alt_problem(alt)
    if problem is not None:
        warnings.warn(f"show_figure: {problem}. Pass alt='what the figure shows and the "
                      "point it makes'.", stacklevel=3)
    data, metadata = image_output(png, alt if isinstance(alt, str) else "")
    display(data, raw=True, metadata=metadata)


def show_figure(fig: Figure, dpi: int = 100, alt: str | None = None) -> None:
    """Display `fig` in the notebook as an image, with `alt` as its text alternative.

    `alt` says what the figure shows and the point it makes, for a reader who cannot see
    it ("Loss against step on a log scale: the two curves lie on top of each other").
    Without one (or with a file name, or a word or two) it warns, and the notebook tests
    fail (tests/test_figure_alt.py). `plt.show()` draws nothing when MPLBACKEND=Agg
    (common on CI machines and some servers); an explicit PNG always shows.
    """
    show_png(figure_png(fig, dpi), alt)
