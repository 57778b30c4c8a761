"""What the explorer says in words: its readout, and the text alternative of its picture.

Every sentence is true by the numbers `course_utils.training` defines: a rise is more than
10% above the lowest loss so far; a late spike comes after the loss fell 100x; a low loss is
below 0.1% of the start; a plateau is less than 10% of progress over the last fifth of a run.
"""

from __future__ import annotations

import html

import numpy as np

from .palette import ZONE_COLOURS, ZONE_TEXT_ON
from .sweep import Zones
from .training import DIVERGENCE_FACTOR, LATE_SPIKE_FALL, LOW_LOSS_FRACTION, History


def curve_label(run: History) -> str:
    return f"lr={run.learning_rate:.3g}, {run.reduction}, {run.steps} steps"


def story(run: History) -> str:
    """What the run did, in words that are true by the course's numbers (see training)."""
    if run.diverged:
        return (f"diverged at step {run.diverged_at}: the loss reached {run.final_loss:.3g} "
                f"(beyond {DIVERGENCE_FACTOR:,.0f} x its start of {run.losses[0]:.3g}); "
                "training stopped there")
    if run.rose_at is None:
        return (f"{run.outcome}: no rise above 10% of the lowest loss so far (smaller ones "
                "can occur near the edge)")
    peak = int(np.argmax(run.losses[run.rose_at:])) + run.rose_at
    peaked = "" if peak == run.rose_at else f", peaked at {run.losses[peak]:.3g} at step {peak}"
    fell = run.fall_before_rise
    kind = (f"late spike (edge of stability): the loss fell {fell:,.0f}x, then rose at step "
            f"{run.rose_at}" if run.rise_kind == "late spike" else
            f"early rise (catapult): the loss rose at step {run.rose_at}, before it had "
            f"fallen {LATE_SPIKE_FALL:.0f}x")
    landing = {"recovered to a low loss": f"then recovered to a low loss (below "
                                          f"{LOW_LOSS_FRACTION:.1%} of its start)",
               "stuck on a plateau": "then stuck on a plateau (the last fifth of the run "
                                     "brought it down by less than 10%)",
               "not settled yet": "not settled yet: try more steps"}[run.landing]
    return f"{kind} (to {run.losses[run.rose_at]:.3g}){peaked}, {landing}"


def describe(run: History, zones: Zones, pinned: int) -> str:
    """The picture's text alternative: what it shows and what the run did."""
    return (f"Loss against step on a log scale for learning rate {run.learning_rate:.3g} "
            f"with reduction {run.reduction}, {run.steps} steps: {story(run)}; final loss "
            f"{run.final_loss:.3g}. {pinned} pinned curve(s) dashed. Below, the zone strip: "
            f"this rate lies in the {zones.zone_of(run.learning_rate)} zone.")


def status_html(inner: str, colour: str) -> str:
    """A live region (role="status"): screen readers read its new text when it changes."""
    return (f'<div role="status" aria-live="polite" style="border-left:6px solid {colour};'
            f'padding:4px 10px">{inner}</div>')


def readout_html(run: History, zones: Zones, pinned: int, note: str = "") -> str:
    """The readout under the sliders: what the run did, in words, and the pin count.

    Example (as text): "final loss 9.62e-06 · early rise (catapult): the loss rose at step 3,
    ... then recovered to a low loss (below 0.1% of its start)" and, on a second line,
    "lr = 0.002, sum, 500 steps · sweep zone: catapult · pinned: 0".
    """
    setting = f"lr = {run.learning_rate:.3g}, {run.reduction}, {run.steps} steps"
    details = (f"{html.escape(setting)} · sweep zone: {zones.zone_of(run.learning_rate)} · "
               f"pinned: {pinned}" + (f"<br><i>{html.escape(note)}</i>" if note else ""))
    if run.diverged:
        banner = html.escape(f"✗ {story(run)}.")
        colour = ZONE_COLOURS["divergence"]
        return status_html(f'<div style="background:{colour};color:{ZONE_TEXT_ON["divergence"]};'
                           f'padding:6px 10px;font-weight:bold;font-size:1.1em">{banner}</div>'
                           f"<div>{details}</div>", colour)
    zone_colour = ZONE_COLOURS[zones.zone_of(run.learning_rate)]
    words = html.escape(f"final loss {run.final_loss:.3g} · {story(run)}")
    return status_html(f"<b>{words}</b><br>{details}", zone_colour)
