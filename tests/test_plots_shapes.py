"""Matrix products as rectangles (notebook 01): the shapes a reader reads off the picture."""

from matplotlib.patches import Rectangle

from course_utils.plots import draw_matmuls, figure_png, matmul_text


def test_matmul_text_gives_the_result_or_the_mismatch():
    assert matmul_text((64, 1000), (1000, 100)) == "(64, 1000) @ (1000, 100) -> (64, 100)"
    assert matmul_text((64, 1000), (100, 1000)) == (
        "(64, 1000) @ (100, 1000) -> error: inner sizes 1000 and 100 differ")


def test_one_row_per_product_with_shape_title_and_labels():
    fig = draw_matmuls([("x", (64, 1000), "w1", (1000, 100), "h"),
                        ("h_relu", (64, 100), "w2", (100, 10), "y_pred")], title="Forward")
    assert fig.get_suptitle() == "Forward"
    first, second = fig.axes
    assert first.get_title() == "x @ w1:  (64, 1000) @ (1000, 100) -> (64, 100)"
    assert second.get_title() == "h_relu @ w2:  (64, 100) @ (100, 10) -> (64, 10)"
    assert "inner sizes must match (1000" in first.get_xlabel()
    assert "outer sizes (64, 100)" in first.get_xlabel()
    assert figure_png(fig).startswith(b"\x89PNG")


def test_each_matrix_is_a_rectangle_labelled_with_its_sizes():
    fig = draw_matmuls([("x", (64, 1000), "w1", (1000, 100), "h")])
    (ax,) = fig.axes
    rectangles = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(rectangles) == 3  # x, w1 and the result h
    texts = [t.get_text() for t in ax.texts]
    for label in ("x", "w1", "h", "1000 columns", "100 columns", "64\nrows", "1000\nrows"):
        assert label in texts
    x_box, w1_box, h_box = rectangles
    # rows are heights, columns are widths, and bigger sizes are drawn bigger
    assert x_box.get_width() > x_box.get_height()
    assert w1_box.get_height() > w1_box.get_width()
    assert h_box.get_height() == x_box.get_height() and h_box.get_width() == w1_box.get_width()


def test_a_mismatched_product_is_drawn_as_an_error_without_a_result():
    fig = draw_matmuls([("x", (64, 1000), "w1.T", (100, 1000), "h")])
    (ax,) = fig.axes
    assert "error" in ax.get_title() and "differ" in ax.get_xlabel()
    assert len([p for p in ax.patches if isinstance(p, Rectangle)]) == 2
    assert any("1000 ≠ 100" in t.get_text() for t in ax.texts)
