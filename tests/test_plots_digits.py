"""Pictures of notebook 09: titles, labels, one mark per run, a description from the data."""

from __future__ import annotations

import numpy as np
import torch

from course_utils.digit_training import FitHistory
from course_utils.plots import (
    draw_confusion_matrix,
    draw_digit_grid,
    figure_png,
    plot_accuracy_by_learning_rate,
    plot_class_counts,
    plot_fit_curves,
)


def test_digit_grid_titles_each_digit_and_describes_them():
    images = torch.rand(12, 8, 8) + 0.01  # ink everywhere, so a blank pixel is a gap
    labels = torch.arange(12) % 10
    fig, alt = draw_digit_grid(images, labels, columns=5)
    (ax,) = fig.axes  # one picture, not one axes per digit
    assert [text.get_text() for text in ax.texts] == [str(label) for label in labels.tolist()]
    canvas = ax.get_images()[0].get_array()
    assert (canvas > 0).sum() == 12 * 64  # every image pasted once; 3 empty cells stay blank
    xs = [text.get_position()[0] for text in ax.texts]
    assert xs[:5] == sorted(xs[:5]) and xs[5] == xs[0]  # 5 across, then the next row
    assert "12 handwritten digits" in alt and "0, 1, 2" in alt
    assert figure_png(fig).startswith(b"\x89PNG")


def test_digit_grid_pastes_each_image_under_its_own_label():
    images = torch.zeros(3, 8, 8)
    for index in range(3):
        images[index, index, :] = 1.0  # image i: ink in row i only
    fig, _ = draw_digit_grid(images, [0, 1, 2], columns=2)
    ax = fig.axes[0]
    canvas = ax.get_images()[0].get_array()
    for index, text in enumerate(ax.texts):
        x, y = text.get_position()
        top = round(y + 0.8)  # the image starts just below its label
        below = canvas[top:top + 8, round(x)]
        assert below.nonzero()[0].tolist() == [index], (index, below)


def test_misclassified_grid_names_the_true_label_and_the_guess():
    fig, alt = draw_digit_grid(torch.rand(2, 8, 8), [8, 3], guesses=[1, 5])
    assert [text.get_text() for text in fig.axes[0].texts] == ["8 → 1", "3 → 5"]
    assert "8 taken for 1, 3 taken for 5" in alt


def test_class_counts_has_two_bar_sets_and_says_the_range():
    y_train = torch.tensor([0, 0, 1, 2] * 5)
    y_val = torch.tensor([0, 1, 2])
    fig, alt = plot_class_counts(y_train, y_val)
    (ax,) = fig.axes
    assert ax.get_xlabel() == "digit" and ax.get_ylabel() == "images"
    heights = [patch.get_height() for patch in ax.patches]
    assert heights[:3] == [10, 5, 5] and heights[10:13] == [1, 1, 1]
    assert "0 to 10 in the training part" in alt


def history(val_loss):
    epochs = len(val_loss)
    return FitHistory(train_loss=list(np.geomspace(2.3, 0.01, epochs)),
                      train_accuracy=list(np.linspace(0.1, 1.0, epochs)),
                      val_loss=list(val_loss), val_accuracy=list(np.linspace(0.1, 0.9, epochs)))


def test_fit_curves_two_panels_solid_training_dashed_validation_and_overfitting_named():
    overfit = history([2.3, 1.0, 0.4, 0.3, 0.35, 0.5])
    fig, alt = plot_fit_curves({"Adam": overfit, "SGD": history([2.3, 2.0, 1.5, 1.2, 1.0, 0.9])},
                               title="runs")
    loss_ax, acc_ax = fig.axes
    assert loss_ax.get_xlabel() == acc_ax.get_xlabel() == "epoch"
    styles = [line.get_linestyle() for line in loss_ax.get_lines()]
    assert styles == ["-", "--", "-", "--"]
    assert loss_ax.get_lines()[0].get_marker() != loss_ax.get_lines()[2].get_marker()
    (legend,) = fig.legends
    assert len(legend.get_texts()) == 4
    renderer = fig._get_renderer()
    # under both panels and their axis labels, so that no curve runs beneath it
    assert legend.get_window_extent(renderer).y1 <= min(
        ax.get_tightbbox(renderer).y0 for ax in (loss_ax, acc_ax))
    assert "Adam: after 5 epochs" in alt and "lowest at epoch 3 (0.3)" in alt
    assert alt.count("lowest at epoch") == 1  # SGD's validation loss is still falling


def test_log_loss_axis_is_labelled_at_decades_in_plain_text():
    fig, _ = plot_fit_curves({"small": history([2.3, 0.5, 0.6, 0.8, 0.9, 1.0])}, title="over",
                             log_loss=True)
    loss_ax = fig.axes[0]
    assert loss_ax.get_yscale() == "log"
    figure_png(fig)  # draw, so the tick labels exist
    labels = [tick.get_text() for tick in loss_ax.get_yticklabels() if tick.get_text()]
    assert {"1e-2", "0.1", "1"} <= set(labels), labels
    assert not any("$" in label for label in labels)  # plain text, not mathtext
    assert loss_ax.yaxis.get_minorticklocs().size == 0


def test_confusion_matrix_counts_and_describes_the_worst_confusions():
    labels = torch.tensor([8, 8, 8, 1, 1, 3, 3, 3])
    guesses = torch.tensor([1, 1, 8, 1, 1, 3, 5, 3])
    fig, alt = draw_confusion_matrix(labels, guesses)
    ax = fig.axes[0]
    image = ax.get_images()[0].get_array()
    assert image[8, 1] == 2 and image[8, 8] == 1 and image.sum() == 8
    assert ax.get_xlabel() == "the network's guess" and ax.get_ylabel() == "true digit"
    assert "5 sit on the diagonal" in alt and "8 guessed as 1 (2 times)" in alt


def test_accuracy_by_learning_rate_is_log_x_with_chance_marked():
    rates, accuracies = [1e-3, 0.1, 10.0], [0.2, 0.95, 0.1]
    fig, alt = plot_accuracy_by_learning_rate(rates, accuracies, title="sweep")
    (ax,) = fig.axes
    assert ax.get_xscale() == "log" and ax.get_title() == "sweep"
    assert list(ax.get_lines()[0].get_ydata()) == accuracies
    figure_png(fig)
    labels = [tick.get_text() for tick in ax.get_xticklabels() if tick.get_text()]
    assert {"1e-3", "0.1", "10"} <= set(labels), labels  # as the course writes learning rates
    assert "the best is 95% at 0.1" in alt and "20% at 0.001" in alt
