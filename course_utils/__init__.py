"""course_utils: the helpers of the course "From tensors to torch.nn".

Headless modules (no matplotlib, no ipywidgets) are re-exported here:
    problem      the running example: sizes, data, the shared initial weights
    ladder       the same training run four ways (numpy, tensors, autograd, nn)
    threads      how many CPU threads torch uses, and why (applied on import)
    environment  the environment report of notebook 00
    coursemap    the course map, read from the notebooks
    anatomy      parameter tables and counts, shapes traced through forward
    shape_errors shape mismatches explained in plain words
    training     train with a history (divergence, rises, plateaus)
    run_record   the runs of the running example already trained here, for recall_or_train
    curvature    lambda_max by Hessian-vector products, and how it moves during training
    sweep        one run per learning rate; the zones monotone / edge of stability /
                 catapult / divergence
    digits       notebook 09's data: scikit-learn's bundled 8x8 digits, split and scaled
    stratified   scikit-learn's stratified split of labelled examples, without scikit-learn
    digit_training  notebook 09's reference loop: network, accuracy, evaluate, epochs, fit
    checks       exercise checks that answer back
    workspace    your own copy of the notebooks (workspace/), kept across course updates
    hints        hint(name) and solution(name), read from the committed notebooks
    verdicts     progress(): the latest verdict of every exercise, kept in the workspace

Pictures and widgets are imported by name from their own modules, so that importing
course_utils never starts a GUI library:
    from course_utils.plots import draw_network
"""

from . import checks, digit_training, digits, ladder, problem
from .anatomy import (
    count_parameters,
    linear_parameter_count,
    markdown_table,
    parameter_table,
    trace_shapes,
)
from .checks import *  # noqa: F403  (the check functions; see checks.__all__)
from .coursemap import course_map_markdown, read_course_map
from .curvature import (
    initial_sharpness,
    sharpness,
    sharpness_along_run,
    top_hessian_eigenvalue,
)
from .digit_training import FitHistory, digits_network, fit
from .digits import DigitsSplit, load_digits_split
from .environment import environment_report, format_report
from .hints import hint, solution
from .ladder import LadderRun, run_autograd, run_nn, run_numpy, run_tensors
from .problem import (
    D_IN,
    D_OUT,
    LEARNING_RATE,
    STEPS,
    H,
    N,
    as_tensors,
    build_model,
    initial_weights,
    make_data,
)
from .run_record import forget_recorded_runs
from .shape_errors import explain_shape_mismatch, read_error_message
from .sweep import Sweep, Zones, find_divergence_point, find_edge, find_zones, sweep
from .threads import apply_thread_rule, chosen_thread_count
from .training import History, recall_or_train, train
from .verdicts import progress

apply_thread_rule()
