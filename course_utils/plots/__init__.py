"""Pictures for the course (matplotlib). Imported by notebooks and tests only.

Every function draws on a new `matplotlib.figure.Figure` (not pyplot, so nothing is
shown twice and no global state is touched) and returns it; `show_figure(fig, alt="...")` displays
it as a PNG, which works whatever the matplotlib backend (MPLBACKEND=Agg included), with a
text alternative that JupyterLab and the website both use (display.py).
The pictures of notebook 09 (digits.py) return `(fig, alt)`: the figure and its text
alternative built from the data, for `show_figure(fig, alt=alt)`.
"""

from ..palette import SERIES_COLOURS, ZONE_COLOURS, ZONE_HATCHES, series_style
from .curves import (  # notebook 07
    describe_sweep,
    draw_zones,
    plot_quadratic_steps,
    plot_sharpness_runs,
    plot_sweep,
)
from .digits import (  # notebook 09
    draw_confusion_matrix,
    draw_digit_grid,
    plot_accuracy_by_learning_rate,
    plot_class_counts,
    plot_fit_curves,
)
from .display import alt_problem, figure_png, image_output, show_figure, show_png
from .flow import draw_forward_flow, forward_flow_text  # notebook 05
from .linear import draw_init_histogram, draw_weight_rows  # notebook 04
from .losses import plot_loss_difference, plot_losses  # notebooks 01-03
from .modules import draw_module_tree, module_tree_text  # notebook 08
from .network import draw_network  # notebooks 01, 04
from .shapes import draw_matmuls, matmul_text  # notebook 01
from .training import plot_loss_and_gradient_norm, plot_loss_comparison

__all__ = ["alt_problem", "figure_png", "image_output", "show_figure", "show_png"]
__all__ += ["draw_matmuls", "draw_network", "matmul_text", "plot_loss_difference", "plot_losses"]
__all__ += ["plot_loss_comparison", "plot_loss_and_gradient_norm"]  # 06 (training.py)
__all__ += ["draw_init_histogram", "draw_weight_rows"]  # 04 (linear.py)
__all__ += ["describe_sweep", "draw_zones", "plot_quadratic_steps", "plot_sharpness_runs",
            "plot_sweep"]  # 07 (curves.py)
__all__ += ["draw_forward_flow", "forward_flow_text"]  # 05 (flow.py)
__all__ += ["draw_module_tree", "module_tree_text"]  # 08 (modules.py)
__all__ += ["draw_confusion_matrix", "draw_digit_grid", "plot_accuracy_by_learning_rate",
            "plot_class_counts", "plot_fit_curves"]  # 09 (digits.py)
__all__ += ["SERIES_COLOURS", "ZONE_COLOURS", "ZONE_HATCHES", "series_style"]
