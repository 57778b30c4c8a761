"""Exercise checks: one module per notebook, all following the pattern in `core`.

Each notebook's module lists its checks in `__all__`; they are re-exported here and from
`course_utils`, so a notebook writes `from course_utils import check_count_inputs`.
"""

from . import (
    autograd,
    autograd_gradients,
    custom_module,
    digits,
    digits_epoch,
    learning_rate,
    linear,
    loss_reduction,
    numpy_network,
    predictions,
    registration,
    sequential,
    start,
    tensors,
    training_loop,
)
from .autograd import *
from .core import (
    NOT_DONE,
    PASSED,
    WRONG,
    CheckResult,
    NotDone,
    StrictModeError,
    Wrong,
    call_learner,
    checker,
    describe,
    expect_array,
)
from .custom_module import *
from .digits import *
from .digits_epoch import *
from .learning_rate import *
from .linear import *
from .loss_reduction import *
from .numpy_network import *
from .predictions import *
from .registration import *
from .sequential import *
from .start import *
from .tensors import *
from .training_loop import *

__all__ = [
    "NOT_DONE", "PASSED", "WRONG", "CheckResult", "NotDone", "StrictModeError", "Wrong",
    "call_learner", "checker", "describe", "expect_array",
]
# One line per notebook's check module, in course order.
__all__ += start.__all__  # 00
__all__ += numpy_network.__all__ + tensors.__all__ + autograd.__all__  # 01, 02, 03
__all__ += linear.__all__  # 04
__all__ += sequential.__all__  # 05
__all__ += loss_reduction.__all__ + training_loop.__all__  # 06
__all__ += learning_rate.__all__  # 07
__all__ += custom_module.__all__  # 08
# Exercises of 05, 06 and 08 checked by their kind: predictions (05, 06, 08) and what a
# module registers (05 stack_of_layers, 08 Standardize).
__all__ += predictions.__all__ + registration.__all__
__all__ += digits.__all__ + digits_epoch.__all__  # 09
