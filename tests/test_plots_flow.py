"""The forward-flow figure of notebook 05 and its text alternative, from a real shape trace."""

import torch
from matplotlib.patches import Rectangle

from course_utils import build_model, trace_shapes
from course_utils.plots import draw_forward_flow, figure_png, forward_flow_text


def rows():
    return trace_shapes(build_model(), torch.randn(64, 1000))


def test_one_bar_per_tensor_labelled_with_its_shape_and_one_box_per_module():
    fig = draw_forward_flow(rows())
    (ax,) = fig.axes
    texts = [t.get_text() for t in ax.texts]
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(bars) == 4  # x and the output of each of the three modules
    assert [t for t in texts if t.startswith("(")] == ["(64, 1000)", "(64, 100)", "(64, 100)",
                                                       "(64, 10)"]
    assert "0: Linear\n(1000, 100)" in texts and "1: ReLU()" in texts
    assert "100,100 parameters" in texts and "0 parameters" in texts
    heights = [bar.get_height() for bar in bars]
    assert heights[0] > heights[1] == heights[2] > heights[3]  # wider tensors, taller bars
    assert ax.get_title() and figure_png(fig).startswith(b"\x89PNG")


def test_text_alternative_names_every_module_and_shape():
    text = forward_flow_text(rows())
    for part in ("x (64, 1000)", "Linear(1000, 100), gives (64, 100)", "ReLU(), gives (64, 100)",
                 "Linear(100, 10), gives (64, 10)"):
        assert part in text
    assert forward_flow_text([]) == "forward ran no module."
