"""The learning-rate explorer of notebook 07: sliders over `course_utils.training`.

    explorer = LearningRateExplorer()
    explorer                      # as the last expression of a cell: shows the widgets
    explorer.show()               # the same, anywhere (or: display(explorer.widget))

Setting a widget's value from code runs exactly the update the UI runs, so the explorer
works headless (the test suite and the benchmark drive it that way):

    explorer.learning_rate.value = 2e-3     # retrains (or takes the cached run) and redraws

The contract the browser tests rely on (keep it):
- `learning_rate`: FloatLogSlider, 1e-7..10, continuous_update=False, description
  "learning rate", CSS class `explorer-lr`.
- `reduction`: ToggleButtons, options "sum" and "mean", class `explorer-reduction`.
- `steps`: IntSlider, class `explorer-steps`.
- `pin_button` "pin this curve", class `explorer-pin`; `clear_button` "clear pins", class
  `explorer-clear`.
- `readout`: HTML, class `explorer-readout`. Its text contains the final loss; "diverged at
  step k" (as a red banner) when the run diverged; "rose, then recovered" in the catapult
  zone; and "pinned: k", the number of pinned curves. It never says "diverged" otherwise.
- `plot`: Output, class `explorer-plot`, showing ONE PNG image that changes when the curve
  changes: in a kernel via clear_output(wait=True) + display of a PNG rendered from a
  reused Figure (no flicker, no plt.show()); without a kernel its `outputs` hold that one PNG.

Each run is cached by (learning rate, reduction, steps): going back to a setting only redraws.
The zones (monotone / catapult / divergence) come from `sweep.find_zones`, computed once per
process and shared with the notebook's static sweep figure.
"""

from __future__ import annotations

import html
import io
import re

import ipywidgets as widgets
import numpy as np
from IPython import get_ipython
from IPython.display import clear_output, display
from matplotlib.artist import Artist
from matplotlib.figure import Figure

from . import problem
from .plots.curves import ZONE_COLOURS, draw_zones, use_plain_log_labels
from .plots.display import image_output
from .sweep import Zones, find_zones
from .training import DIVERGENCE_FACTOR, History, train

PIN_COLOURS = ("#6d4c41", "#7b1fa2", "#00838f", "#9e9d24", "#5d4037", "#455a64")
MAX_PINS = len(PIN_COLOURS)
DPI = 80


class LearningRateExplorer:
    """Sliders for the learning rate, the reduction and the steps; the loss curve; a readout.

    learning_rate, reduction, steps: where the widgets start.
    The figure has two panels: the loss at every step (log scale), and a strip of learning
    rates with the three zones shaded, 2 / lambda_max dashed and a blue line at the current rate.
    The first explorer of a process measures the zones (the sweep and its bisections, about
    3 s); later ones, and a notebook that already ran `find_zones`, reuse them at once.
    """

    def __init__(self, learning_rate: float = problem.LEARNING_RATE, reduction: str = "sum",
                 steps: int = problem.STEPS, seed: int = problem.SEED) -> None:
        self.seed = seed
        self.runs: dict[tuple[float, str, int], History] = {}
        self.pins: list[History] = []
        self.zones = {name: find_zones(name) for name in ("sum", "mean")}
        self.learning_rate = widgets.FloatLogSlider(
            value=learning_rate, base=10, min=-7, max=1, step=0.05, continuous_update=False,
            description="learning rate", readout_format=".3g",
            style={"description_width": "initial"}, layout={"width": "520px"})
        self.reduction = widgets.ToggleButtons(options=["sum", "mean"], value=reduction,
                                               description="reduction")
        self.steps = widgets.IntSlider(value=steps, min=10, max=1000, step=10,
                                       continuous_update=False, description="steps")
        self.pin_button = widgets.Button(description="pin this curve")
        self.clear_button = widgets.Button(description="clear pins")
        self.readout = widgets.HTML()
        self.plot = widgets.Output()
        for widget, name in ((self.learning_rate, "lr"), (self.reduction, "reduction"),
                             (self.steps, "steps"), (self.pin_button, "pin"),
                             (self.clear_button, "clear"), (self.readout, "readout"),
                             (self.plot, "plot")):
            widget.add_class(f"explorer-{name}")
        self.widget = widgets.VBox([
            self.learning_rate,
            widgets.HBox([self.reduction, self.steps]),
            widgets.HBox([self.pin_button, self.clear_button]),
            self.readout, self.plot])
        self._build_figure()
        for control in (self.learning_rate, self.reduction, self.steps):
            control.observe(self.update, names="value")
        self.pin_button.on_click(self.pin)
        self.clear_button.on_click(self.clear_pins)
        self.update()

    # -- what the controls do ---------------------------------------------------------

    def current_run(self) -> History:
        """The run for the current setting: from the cache, or trained now (and cached)."""
        key = (float(self.learning_rate.value), self.reduction.value, int(self.steps.value))
        if key not in self.runs:
            learning_rate, reduction, steps = key
            self.runs[key] = train(learning_rate, steps, reduction, seed=self.seed)
        return self.runs[key]

    def update(self, change: object = None) -> None:
        """Train (or recall) the current setting, redraw the figure, rewrite the readout."""
        run = self.current_run()
        self._draw(run)
        self.readout.value = readout_html(run, self.zones[run.reduction], len(self.pins))

    def pin(self, button: object = None) -> None:
        """Keep the current curve on the plot (up to MAX_PINS; the oldest goes first)."""
        run = self.current_run()
        if not any(pinned is run for pinned in self.pins):
            self.pins = (self.pins + [run])[-MAX_PINS:]
        self.update()

    def clear_pins(self, button: object = None) -> None:
        self.pins = []
        self.update()

    def readout_text(self) -> str:
        """The readout as plain text: its HTML tags removed, one line per line shown."""
        text = re.sub(r"<br>|</div>", "\n", self.readout.value)
        lines = (" ".join(line.split()) for line in re.sub("<[^>]+>", " ", text).splitlines())
        return html.unescape("\n".join(line for line in lines if line))

    def show(self) -> None:
        display(self.widget)

    def _repr_mimebundle_(self, **kwargs: object) -> dict:
        return self.widget._repr_mimebundle_(**kwargs)

    # -- the figure: built once, its artists updated ----------------------------------

    def _build_figure(self) -> None:
        self.figure = Figure(figsize=(8, 4.6))
        self.figure.subplots_adjust(left=0.1, right=0.97, top=0.93, bottom=0.1, hspace=0.55)
        grid = self.figure.add_gridspec(2, 1, height_ratios=(4, 1))
        self.loss_ax = self.figure.add_subplot(grid[0])
        self.zone_ax = self.figure.add_subplot(grid[1])
        self.loss_ax.set(yscale="log", xlabel="step", ylabel="loss (log scale)")
        (self.curve,) = self.loss_ax.plot([], [], color="#1565c0", lw=2, label="current")
        (self.blowup,) = self.loss_ax.plot([], [], "X", color=ZONE_COLOURS["divergence"], ms=12)
        self.pin_lines: list[Artist] = []
        self.zone_ax.set(xscale="log", xlim=(1e-7, 10), ylim=(0, 1), yticks=[],
                         xlabel="learning rate (log scale)")
        use_plain_log_labels(self.loss_ax.yaxis)
        use_plain_log_labels(self.zone_ax.xaxis)
        self.marker = self.zone_ax.axvline(problem.LEARNING_RATE, color="#1565c0", lw=2.5)
        self.zone_artists: list[Artist] = []
        self.zones_shown: str | None = None

    def _draw(self, run: History) -> None:
        steps, losses = drawable(run)
        self.curve.set_data(steps, losses)
        self.curve.set_label(curve_label(run))
        if run.diverged and len(losses):
            self.blowup.set_data(steps[-1:], losses[-1:])  # the last finite loss
        else:
            self.blowup.set_data([], [])
        for line in self.pin_lines:
            line.remove()
        self.pin_lines = [self.loss_ax.plot(*drawable(p), lw=1.2, ls="--", color=PIN_COLOURS[k],
                                            label=curve_label(p))[0]
                          for k, p in enumerate(self.pins)]
        self.loss_ax.relim()
        self.loss_ax.autoscale_view()
        self.loss_ax.set_xlim(0, max([run.steps] + [p.steps for p in self.pins]))
        self.loss_ax.legend(loc="upper right", fontsize=8)
        verdict = f"diverged at step {run.diverged_at}" if run.diverged else run.outcome
        self.loss_ax.set_title(f"lr = {run.learning_rate:.3g}, reduction='{run.reduction}': "
                               f"{verdict}", color=_verdict_colour(run))
        if self.zones_shown != run.reduction:
            for artist in self.zone_artists:
                artist.remove()
            self.zone_artists = draw_zones(self.zone_ax, self.zones[run.reduction])
            self.zone_ax.set_title(f"zones for reduction='{run.reduction}' (from the sweep)",
                                   fontsize=9)
            self.zones_shown = run.reduction
        self.marker.set_xdata([run.learning_rate, run.learning_rate])
        self._show_png(render_png(self.figure), plot_alt(run, self.zones[run.reduction],
                                                         len(self.pins)))

    def _show_png(self, png: bytes, alt: str) -> None:
        self.png = png
        data, metadata = image_output(png, alt)  # the PNG with its text alternative
        shell = get_ipython()
        if shell is not None and getattr(shell, "kernel", None) is not None:
            with self.plot:
                clear_output(wait=True)
                display(data, raw=True, metadata=metadata)
        else:  # no kernel (tests, benchmark): the same single image, set directly
            self.plot.outputs = ({"output_type": "display_data", "metadata": metadata,
                                  "data": data},)


def plot_alt(run: History, zones: Zones, pinned: int) -> str:
    """The plot in words, for a screen reader: the run, what it did, and its zone."""
    verdict = f"diverged at step {run.diverged_at}" if run.diverged else run.outcome
    pins = f"; {pinned} pinned curves dashed for comparison" if pinned else ""
    return (f"Loss against step on a log scale for learning rate {run.learning_rate:.3g}, "
            f"reduction {run.reduction}, {run.steps} steps: {verdict}{pins}. Below it, a strip "
            f"of learning rates marks this one in the {zones.zone_of(run.learning_rate)} zone.")


def render_png(figure: Figure) -> bytes:
    """The figure as PNG bytes, at the explorer's resolution."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def drawable(run: History) -> tuple[np.ndarray, np.ndarray]:
    """(steps, losses) of the run without inf, NaN or zero, which a log scale cannot show."""
    steps = np.arange(len(run.losses))
    keep = np.isfinite(run.losses) & (run.losses > 0)
    return steps[keep], run.losses[keep]


def curve_label(run: History) -> str:
    return f"lr={run.learning_rate:.3g}, {run.reduction}, {run.steps} steps"


def _verdict_colour(run: History) -> str:
    if run.diverged:
        return ZONE_COLOURS["divergence"]
    return ZONE_COLOURS["catapult"] if run.rose_at is not None else ZONE_COLOURS["monotone"]


def readout_html(run: History, zones: Zones, pinned: int) -> str:
    """The readout under the sliders: what the run did, in words, and the pin count.

    Example (as text): "final loss 9.67e-06 · rose, then recovered: the loss jumped to 840 at
    step 3, then came back down" and, on a second line, "lr = 0.002, sum, 500 steps · sweep zone:
    catapult · pinned: 0".
    """
    setting = f"lr = {run.learning_rate:.3g}, {run.reduction}, {run.steps} steps"
    zone = f"sweep zone: {zones.zone_of(run.learning_rate)}"
    pins = f"pinned: {pinned}"
    if run.diverged:
        banner = (f"✗ diverged at step {run.diverged_at}: the loss reached "
                  f"{run.final_loss:.3g} (beyond {DIVERGENCE_FACTOR:,.0f} x its start of "
                  f"{run.losses[0]:.3g}); training stopped there.")
        return (f'<div style="background:{ZONE_COLOURS["divergence"]};color:white;'
                f'padding:6px 10px;font-weight:bold;font-size:1.1em">{html.escape(banner)}</div>'
                f"<div>{html.escape(setting)} · {zone} · {pins}</div>")
    words = f"final loss {run.final_loss:.3g}"
    if run.rose_at is not None:
        peak = int(np.argmax(run.losses[run.rose_at:])) + run.rose_at
        story = (f"the loss jumped to {run.losses[peak]:.3g} at step {peak}" if peak == run.rose_at
                 else f"the loss went up at step {run.rose_at}, peaking at "
                      f"{run.losses[peak]:.3g} at step {peak}")
        words += (f" · rose, then recovered: {story}, then came back down" if run.recovered
                  else f" · rose, not recovered yet: {story}; try more steps")
    else:
        words += " · descended at every step"
    colour = _verdict_colour(run)
    return (f'<div style="border-left:6px solid {colour};padding:4px 10px">'
            f"<b>{html.escape(words)}</b><br>{html.escape(setting)} · {zone} · {pins}</div>")
