"""The learning-rate explorer of notebook 07: sliders over `course_utils.training`.

    explorer = LearningRateExplorer()
    explorer                      # as the last expression of a cell: shows the widgets
    explorer.show()               # the same, anywhere (or: display(explorer.widget))

Setting a widget's value from code runs exactly the update the UI runs, so the explorer
works headless (the test suite and the benchmark drive it that way):

    explorer.learning_rate.value = 2e-3     # retrains (or takes the cached run) and redraws

The contract the browser tests rely on (keep it):
- `learning_rate`: FloatLogSlider, 1e-7..10, continuous_update=False, description
  "learning rate", CSS class `explorer-lr`. `zoom`: Checkbox, class `explorer-zoom`: the
  slider and the strip then cover 1e-4..1e-2 (times 640 for `mean`) in finer steps.
- `reduction`: ToggleButtons, options "sum" and "mean", class `explorer-reduction`.
- `steps`: IntSlider, class `explorer-steps`.
- `pin_button` "pin this curve", class `explorer-pin`; `clear_button` "clear pins", class
  `explorer-clear`.
- `readout`: HTML, class `explorer-readout`, a `role="status"` region (screen readers read
  it when it changes). Its text contains the final loss; "diverged at step k" (as a banner)
  when the run diverged; for a run that rose, its kind ("late spike" or "early rise") and
  where it landed ("recovered to a low loss", "stuck on a plateau", "not settled yet");
  and "pinned: k". It never says "diverged" otherwise.
- `plot`: HTML, class `explorer-plot`, holding ONE <img> (an SVG picture, see
  `explorer_figure`) whose `src` changes when the picture changes and whose `alt` says
  what it shows.

Speed (benchmarks/explorer.py): a setting seen before is redrawn in a few milliseconds
(each run is cached by (learning rate, reduction, steps)); a new one shows its first
steps after about 40 ms and grows as it trains; pin and clear only redraw.
The zones come from `sweep.find_zones`, computed once per process and shared with the
notebook's sweep figure.
"""

from __future__ import annotations

import html
import math
import re
import time

import ipywidgets as widgets
import numpy as np
from IPython.display import display

from . import problem
from .explorer_figure import PIN_STYLES, Curve, figure_svg, image_html
from .explorer_words import curve_label, describe, readout_html, status_html
from .sweep import MEAN_SCALE, as_mean, as_sum, find_zones
from .training import History, recall_or_train

MAX_PINS = len(PIN_STYLES)
FULL_RANGE = (-7.0, 1.0)  # the slider's exponents
ZOOM_RANGE = (-4.0, -2.0)  # for `sum`; `mean` adds log10(640)
FIRST_FEEDBACK_S = 0.04  # a new run shows its first steps after this long...
PROGRESS_EVERY_S = 0.15  # ...and is redrawn at most this often (and sparser later) as it trains


class LearningRateExplorer:
    """Sliders for the learning rate, the reduction and the steps; the loss curve; a readout.

    learning_rate, reduction, steps: where the widgets start.
    The picture has the loss at every step (log scale) over a strip of learning rates with
    the four zones (colour, hatching and names), 2 / lambda_0 dashed and the current rate.
    The first explorer of a process measures the zones (the sweep and its bisections, a
    few seconds); later ones, and a notebook that already ran `find_zones`, reuse them.
    """

    def __init__(self, learning_rate: float = problem.LEARNING_RATE, reduction: str = "sum",
                 steps: int = problem.STEPS, seed: int = problem.SEED) -> None:
        self.seed = seed
        self.runs: dict[tuple[float, str, int], History] = {}
        self.pins: list[History] = []
        self.zones = {name: find_zones(name) for name in ("sum", "mean")}
        self.learning_rate = widgets.FloatLogSlider(
            value=learning_rate, base=10, min=FULL_RANGE[0], max=FULL_RANGE[1], step=0.05,
            continuous_update=False, description="learning rate", readout_format=".3g",
            style={"description_width": "initial"}, layout={"width": "520px"})
        self.zoom = widgets.Checkbox(value=False, description="zoom in: 1e-4 to 1e-2 (sum)",
                                     indent=False)
        self.reduction = widgets.ToggleButtons(options=["sum", "mean"], value=reduction,
                                               description="reduction")
        self.steps = widgets.IntSlider(value=steps, min=10, max=1000, step=10,
                                       continuous_update=False, description="steps")
        self.pin_button = widgets.Button(description="pin this curve")
        self.clear_button = widgets.Button(description="clear pins")
        self.readout = widgets.HTML()
        self.plot = widgets.HTML()
        for widget, name in ((self.learning_rate, "lr"), (self.zoom, "zoom"),
                             (self.reduction, "reduction"), (self.steps, "steps"),
                             (self.pin_button, "pin"), (self.clear_button, "clear"),
                             (self.readout, "readout"), (self.plot, "plot")):
            widget.add_class(f"explorer-{name}")
        self.widget = widgets.VBox([
            widgets.HBox([self.learning_rate, self.zoom]),
            widgets.HBox([self.reduction, self.steps]),
            widgets.HBox([self.pin_button, self.clear_button]),
            self.readout, self.plot])
        self._setting = self._valid_setting() or (problem.LEARNING_RATE, "sum", problem.STEPS)
        self._busy = False
        for control in (self.learning_rate, self.reduction, self.steps, self.zoom):
            control.observe(self.update, names="value")
        self.pin_button.on_click(self.pin)
        self.clear_button.on_click(self.clear_pins)
        self.update()

    # -- what the controls do ---------------------------------------------------------

    def _valid_setting(self) -> tuple[float, str, int] | None:
        learning_rate, reduction, steps = (self.learning_rate.value, self.reduction.value,
                                           self.steps.value)
        if not (isinstance(learning_rate, (int, float)) and math.isfinite(learning_rate)
                and learning_rate > 0 and reduction in ("sum", "mean")
                and isinstance(steps, int) and steps >= 1):
            return None
        return float(learning_rate), reduction, int(steps)

    def current_run(self, progress: object = None) -> History:
        """The run for the current setting: from the cache, or trained now (and cached).

        `mean` at 640 x lr takes the same steps as `sum` at lr, so a cached run of the other
        reduction at the matching rate is told as this one instead of training again; a run
        this process already trained with `train` comes back at once (`recall_or_train`).
        """
        key = self._setting
        if key not in self.runs:
            learning_rate, reduction, steps = key
            twin = self._twin(learning_rate, reduction, steps)
            self.runs[key] = twin if twin is not None else recall_or_train(
                learning_rate, steps, reduction, seed=self.seed, progress=progress)
        return self.runs[key]

    def _twin(self, learning_rate: float, reduction: str, steps: int) -> History | None:
        other = "mean" if reduction == "sum" else "sum"
        scale = MEAN_SCALE if reduction == "sum" else 1 / MEAN_SCALE
        for (rate, kind, length), run in self.runs.items():
            if kind == other and length == steps and math.isclose(rate, learning_rate * scale,
                                                                  rel_tol=1e-12):
                return as_mean(run) if reduction == "mean" else as_sum(run)
        return None

    def set(self, **values: object) -> None:
        """Set several controls at once (learning_rate=, reduction=, steps=, zoom=), then
        update once: no run is trained for the settings in between."""
        self._busy = True
        try:
            for name in ("reduction", "zoom", "steps", "learning_rate"):
                if name in values:
                    getattr(self, name).value = values[name]
            self._apply_zoom()
            if "learning_rate" in values:
                self.learning_rate.value = values["learning_rate"]
        finally:
            self._busy = False
        self.update()

    def update(self, change: object = None) -> None:
        """Train (or recall) the current setting, redraw the picture, rewrite the readout.

        An invalid value (NaN, a learning rate <= 0, no reduction) is refused: the widgets
        go back to the last valid setting and the readout says what was ignored.
        """
        if self._busy:
            return
        setting = self._valid_setting()
        if setting is None:
            self._restore(f"ignored an invalid value: learning rate {self.learning_rate.value!r}"
                          f", reduction {self.reduction.value!r}, steps {self.steps.value!r}")
            return
        if change is not None and change["owner"] in (self.zoom, self.reduction):
            self._apply_zoom()
            setting = self._valid_setting() or setting
        self._setting = setting
        if setting not in self.runs and self._twin(*setting) is None:
            self._train_with_progress()
        self.redraw()

    def _restore(self, note: str) -> None:
        learning_rate, reduction, steps = self._setting
        self._busy = True
        try:
            self.learning_rate.value, self.reduction.value = learning_rate, reduction
            self.steps.value = steps
        finally:
            self._busy = False
        self.redraw(note)

    def _apply_zoom(self) -> None:
        shift = math.log10(MEAN_SCALE) if self.reduction.value == "mean" else 0.0
        low, high = (ZOOM_RANGE[0] + shift, ZOOM_RANGE[1] + shift) if self.zoom.value \
            else FULL_RANGE
        self._busy = True
        try:
            with self.learning_rate.hold_trait_notifications():
                self.learning_rate.min, self.learning_rate.max = -20.0, 20.0
                self.learning_rate.min, self.learning_rate.max = low, high
                self.learning_rate.step = 0.01 if self.zoom.value else 0.05
                self.learning_rate.value = min(max(self.learning_rate.value, 10 ** low),
                                               10 ** high)
        finally:
            self._busy = False

    def _train_with_progress(self) -> None:
        started = time.perf_counter()
        shown = [started - PROGRESS_EVERY_S + FIRST_FEEDBACK_S]

        def progress(losses: list[float]) -> None:
            now = time.perf_counter()  # redraws grow sparser: a long run draws ~log(time) times
            if now - shown[0] >= max(PROGRESS_EVERY_S, 0.5 * (now - started)):
                shown[0] = now
                self._draw_partial(np.array(losses))

        self.current_run(progress)

    def _draw_partial(self, losses: np.ndarray) -> None:
        learning_rate, reduction, steps = self._setting
        self.readout.value = status_html(f"training: step {len(losses)} of {steps}, loss "
                                     f"{losses[-1]:.3g} …", "#777")
        title = f"lr = {learning_rate:.3g}, reduction='{reduction}': training…"
        self._show([Curve(losses, f"lr={learning_rate:.3g} (training)")], title,
                   f"Still training: the loss so far, {len(losses)} of {steps} steps, log scale.")

    def pin(self, button: object = None) -> None:
        """Keep the current curve on the plot (up to MAX_PINS; the oldest goes first)."""
        run = self.current_run()
        if not any(pinned is run for pinned in self.pins):
            self.pins = (self.pins + [run])[-MAX_PINS:]
        self.redraw()

    def clear_pins(self, button: object = None) -> None:
        self.pins = []
        self.redraw()

    def redraw(self, note: str = "") -> None:
        """Draw the current run and the pins, and write the readout (no training)."""
        run = self.current_run()
        zones = self.zones[run.reduction]
        curves = [Curve(p.losses, curve_label(p), *PIN_STYLES[k]) for k, p in enumerate(self.pins)]
        curves.append(Curve(run.losses, curve_label(run) + " (now)", diverged=run.diverged))
        verdict = f"diverged at step {run.diverged_at}" if run.diverged else run.outcome
        title = f"lr = {run.learning_rate:.3g}, reduction='{run.reduction}': {verdict}"
        self._show(curves, title, describe(run, zones, len(self.pins)))
        self.readout.value = readout_html(run, zones, len(self.pins), note)

    def _show(self, curves: list[Curve], title: str, alt: str) -> None:
        learning_rate, reduction, steps = self._setting
        strip = (10.0 ** self.learning_rate.min, 10.0 ** self.learning_rate.max)
        zones = self.zones[reduction]
        longest = max([steps] + [len(c.losses) for c in curves])
        self.plot.value = image_html(figure_svg(curves, longest, title, zones.edges(),
                                                zones.two_over_lambda, learning_rate, strip,
                                                reduction), alt)

    def readout_text(self) -> str:
        """The readout as plain text: its HTML tags removed, one line per line shown."""
        text = re.sub(r"<br>|</div>", "\n", self.readout.value)
        lines = (" ".join(line.split()) for line in re.sub("<[^>]+>", " ", text).splitlines())
        return html.unescape("\n".join(line for line in lines if line))

    def show(self) -> None:
        display(self.widget)

    def _repr_mimebundle_(self, **kwargs: object) -> dict:
        return self.widget._repr_mimebundle_(**kwargs)
