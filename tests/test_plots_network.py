"""The network drawing (notebooks 01 and 04): what a reader relies on."""

import pytest
from matplotlib.patches import Circle, FancyBboxPatch

from course_utils.plots import draw_network, figure_png


def texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def all_text(fig):
    return "\n".join(texts(fig))


def test_network_has_title_label_and_the_three_sizes():
    fig = draw_network()
    (ax,) = fig.axes
    assert "1000 inputs" in ax.get_title() and "100 hidden (ReLU)" in ax.get_title()
    assert "10 outputs" in ax.get_title()
    assert "left to right" in ax.get_xlabel()
    text = all_text(fig)
    assert "1000 features" in text and "100 units, ReLU" in text and "10 numbers" in text
    assert figure_png(fig).startswith(b"\x89PNG")


def test_arrow_groups_name_weight_and_bias_shapes_in_both_layouts():
    text = all_text(draw_network())
    assert "numpy  w1: (1000, 100)" in text and "nn.Linear weight: (100, 1000)" in text
    assert "b1: (100,)" in text
    assert "numpy  w2: (100, 10)" in text and "nn.Linear weight: (10, 100)" in text
    assert "b2: (10,)" in text


def test_a_few_nodes_and_an_ellipsis_per_column():
    fig = draw_network()
    (ax,) = fig.axes
    nodes = [p for p in ax.patches if isinstance(p, Circle)]
    assert len(nodes) == 5 + 5 + 4  # 4 + last, 4 + last, 3 + last
    assert texts(fig).count("⋮") == 3
    labels = texts(fig)
    for symbol, last in (("x", "1000"), ("h", "100"), ("ŷ", "10")):
        assert symbol in labels and last in labels


def test_node_labels_are_plain_text_so_no_mathtext_is_laid_out():
    fig = draw_network(show_modules=True)
    assert not [text for text in texts(fig) if "$" in text]


def test_without_modules_there_are_no_module_boxes():
    fig = draw_network(show_modules=False)
    assert not any(isinstance(p, FancyBboxPatch) for p in fig.axes[0].patches)
    assert "Linear(1000, 100)" not in all_text(fig)


def test_modules_view_shows_three_steps_and_an_input_that_computes_nothing():
    fig = draw_network(show_modules=True)
    (ax,) = fig.axes
    assert "three modules" in ax.get_title()
    text = all_text(fig)
    for module in ("Linear(1000, 100)", "ReLU()", "Linear(100, 10)"):
        assert module in text
    for index in range(3):
        assert f"model[{index}]" in text
    assert "computes nothing" in text
    assert "no weights" in text  # ReLU holds no parameters
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    assert len(boxes) == 3
    # the modules sit in order, left to right, between the node columns
    lefts = [box.get_x() for box in boxes]
    assert lefts == sorted(lefts)
    # the hidden layer is split into h and h_relu: one more column of nodes
    assert len([p for p in ax.patches if isinstance(p, Circle)]) == 5 + 5 + 5 + 4


def test_numpy_layout_only_names_no_nn_linear_shape():
    # notebook 01 draws this before notebook 04 asks for nn.Linear's layout
    text = all_text(draw_network(layouts=("numpy",)))
    assert "numpy  w1: (1000, 100)" in text and "b1: (100,)" in text
    assert "nn.Linear" not in text and "(100, 1000)" not in text and "(10, 100)" not in text


def test_modules_without_layouts_give_neither_the_layout_nor_the_formula():
    # notebook 04's first figure, before its exercises on nn.Linear's shapes and formula
    text = all_text(draw_network(show_modules=True, layouts=()))
    assert "Linear(1000, 100)" in text and "Linear(100, 10)" in text
    assert "100,000 weights" in text and "1,000 weights" in text and "100 biases" in text
    for answer in ("(100, 1000)", "(10, 100)", "w1", ".T", "@", "nn.Linear weight"):
        assert answer not in text, answer
    assert "x → h" in text


def test_the_labelled_modules_view_shows_layout_and_formula():
    text = all_text(draw_network(show_modules=True))
    assert "nn.Linear weight: (100, 1000)" in text and "h = x @ W1.T + b1" in text


def test_an_unknown_layout_is_refused():
    with pytest.raises(ValueError, match="layouts"):
        draw_network(layouts=("ng",))
