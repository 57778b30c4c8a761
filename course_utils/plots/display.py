"""Showing a figure in a notebook, whatever the matplotlib backend."""

from __future__ import annotations

import io

from matplotlib.figure import Figure


def figure_png(fig: Figure, dpi: int = 100) -> bytes:
    """The figure rendered as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


def show_figure(fig: Figure, dpi: int = 100, alt: str | None = None) -> None:
    """Display `fig` in the notebook as an image, with `alt` as its text alternative.

    `alt` says what the figure shows and the point it makes, for a reader who cannot see
    it ("Loss against step on a log scale: the two curves lie on top of each other").
    `plt.show()` draws nothing when MPLBACKEND=Agg (common on CI machines and some
    servers); an explicit PNG always shows.
    """
    from IPython.display import Image, display

    display(Image(figure_png(fig, dpi), alt=alt))
