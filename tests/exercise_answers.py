"""What a learner has seen before each exercise, and the fragments that would give its answer.

The rule (DESIGN.md "Exercises"): the answer to an exercise never appears in the cells before
it, and "before" includes the earlier notebooks of the course. A learner sees more than cell
sources: the text alternative of every figure and the text drawn inside it. So for each cell
`shown_text` returns its source, the `alt=` text of every figure it shows (read from the code,
string literals and the literal parts of f-strings), and for a `course_utils.plots.draw_*` call
whose arguments are all literals (the network drawing), the text of the figure itself.

`FORBIDDEN` lists, per exercise, fragments that would give its answer away: a string, or a
tuple of strings that together in one cell give it (the hidden layer written in torch is
`x @ w1 + b1` AND `.clamp(min=0)`; either alone is notebook 01's numpy or the translation
table). Fragments and texts are compared after `normalise`: no whitespace, no backticks, one
kind of quote, and `a.mm(b)` spelled `a@b`.
"""

from __future__ import annotations

import ast
import re

import course_utils.plots

FORBIDDEN: dict[str, tuple[str | tuple[str, ...], ...]] = {
    # 00
    "count_inputs": ("n_examples*n_features", "64*1000=", "64000numbers"),
    # 01
    "output_layer_grads": ("h_relu.T@grad_y_pred", "grad_y_pred.sum(axis=0)", "H^\\topG",
                           "R^\\topG"),
    "relu_backward": ("(h>0)", "grad_h_relu*", "h>0]"),
    "first_layer_grad_shapes": ("grad_w1(1000,100)", "grad_w1:(1000,100)", "grad_w1is(1000,100)",
                                "x.T@grad_h", "X^\\top\\frac"),
    "train_step": ("beforew2moves", "beforeupdatingw2", "beforethew2update"),
    # 02
    "predicted_loss_shape": ("0-dimensional", "zerodimensions", "withshape()", "hasshape()",
                             "shapeis()", "torch.Size([])"),
    "hidden_layer": (("x@w1+b1", "clamp(min=0)"),),
    "weights_as_tensors": (".to(device,dtype)", "from_numpy(value).to(device"),
    "uniform_std": ("/3**0.5", "/sqrt(3)", "\\sqrt3", "\\sqrt{3}", "bound**2/3", "a^2/3"),
    # 03
    "autograd_gradients": ("doesnothaveagrad_fn", "doesnotrequiregradanddoesnothave"),
    "predicted_is_leaf": ("h.is_leaf", "is_leaf=", "isnotaleaf", "arenotleaves"),
    "sgd_update": ("tensor-=lr*tensor.grad",),
    "first_order_loss_change": ("grad**2).sum()", "-lr*sum", "\\mathrm{lr}\\sumg^2",
                                "-\\,\\mathrm{lr}"),
    # 04
    "linear_parameter_shapes": ("(out_features,in_features)", "(outputs,inputs)", "(out,in)",
                                "nn.Linearweight(100,1000)", "nn.Linearweight:(100,1000)",
                                "weight:(100,1000)", "weight(10,100)", "weight:(10,100)",
                                "\\text{out}\\times\\text{in}", "onerowperoutput"),
    "my_linear": ("@W.T", "@W1.T", "@W2.T", "XW^\\top", "weight.T"),
    "linear_from_numpy": ("from_numpy(w.T)", "transposeofeachweight", "copy_(w.T)",
                          "isatranspose,w.T"),
    # 05
    "my_sequential": ("add_module(str(",),
    "predicted_output_shapes": ("[(8,64,100),(8,64,100),(8,64,10)]", "(8,64,100)",
                                "(8,64,10)"),
    "parameters_by_formula": ("n_in*n_out+n_out", "in*out+out"),
    "stack_of_layers": ("[nn.Linear(width,width),nn.ReLU()]",
                        "anewLinearforeverylayer"),
    # 06
    "mean_learning_rate": ("sum_lr*n_examples*n_outputs", "learningrate640timeslarger",
                           "640timeslargerlearningrate",
                           "lr_mean=640*lr_sum"),
    "predicted_gradient_ratio": ("addupthewholebatch", "halves'gradientsadduptothewhole",
                                 "halves/wholebatch:tensor([1."),
    "training_step": ("zero_grad()beforetheloop", "model.zero_grad()\ntotal"),
    # 07
    "hessian_2x2": ("2*a*b-1", "[[b*b", "[[b**2", "b^2&2ab-1"),
    "power_iteration": ("vector@product", "Rayleighquotient"),
    "predicted_zones": ('("monotone","catapult","edgeofstability","divergence")',),
    # 08
    "predicted_list_parameters": ("listoflayersisnotregistered", "parameters()findsnothing",
                                  "invisibletoparameters()", "hideslayers",
                                  "parameters()finds0"),
    "standardize": ('register_buffer("mean"',),
    "mlp": ("nn.ModuleList([nn.Linear(n_in,n_out)",),
    # 09
    "predicted_initial_loss": ("ln(10)", "log(10)", "\\ln10", "2.303"),
    "accuracy": ("argmax(dim=1)", "==labels).float().mean()"),
    "evaluate": (("model.eval()", "no_grad()", "CrossEntropyLoss()("),),
    "train_one_epoch": ("loss_fn(model(x_batch),y_batch)",),
}

# Fragments that give an exercise away when the learner must write it (derive, predict,
# apply), but that a debug exercise hands out with its planted bug, since there the answer is
# the fix: notebook 03 on main asked to write forward, loss, backward() and .grad right
# under the cells that wrote them; as a debug exercise they are the code to repair.
WRITE_FROM_SCRATCH: dict[str, tuple[str | tuple[str, ...], ...]] = {
    "autograd_gradients": (("loss.backward()", "tensor.grad"),
                           ('@w["w2"]+w["b2"]', "(y_pred-y).pow(2).sum()")),
}

# Answers known to appear before their exercise, left for a follow-up: a learner who read the
# earlier notebook recalls the answer instead of working it out. The test asserts that each
# still fails, so an entry is removed when its exercise is fixed.
KNOWN_GAPS: dict[str, str] = {}  # {exercise: where and why}; none left today


def normalise(text: str) -> str:
    """`text` without whitespace or backticks, with one quote kind and `a.mm(b)` as `a@b`."""
    text = re.sub(r"\.mm\(([^()]*)\)", r" @ \1", text)
    text = re.sub(r"torch\.matmul\(([^(),]*),([^()]*)\)", r"\1 @ \2", text)
    return re.sub(r"\s+", "", text).replace("`", "").replace("'", '"')


def string_value(node: ast.AST) -> str:
    """The text of a string expression: literals, implicit and `+` concatenation, f-strings
    (each `{...}` as `{}`); anything else is ''."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(string_value(part) if isinstance(part, ast.Constant) else "{}"
                       for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return string_value(node.left) + string_value(node.right)
    return ""


def _literal(node: ast.AST) -> tuple[bool, object]:
    try:
        return True, ast.literal_eval(node)
    except ValueError:
        return False, None


def figure_text(fig) -> str:
    """Every piece of text drawn in a matplotlib figure: titles, labels, texts, legends."""
    parts = [text.get_text() for text in fig.texts]
    for ax in fig.axes:
        parts += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        parts += [text.get_text() for text in ax.texts]
        legend = ax.get_legend()
        if legend is not None:
            parts += [text.get_text() for text in legend.get_texts()]
    return "\n".join(parts)


def _drawn_text(call: ast.Call) -> str:
    """The text inside the figure a literal-argument `course_utils.plots.draw_*` call draws."""
    name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
    draw = getattr(course_utils.plots, name, None)
    if not name.startswith("draw_") or draw is None:
        return ""
    args = [_literal(arg) for arg in call.args]
    kwargs = {kw.arg: _literal(kw.value) for kw in call.keywords}
    if not all(ok for ok, _ in args) or not all(ok for ok, _ in kwargs.values()) or None in kwargs:
        return ""
    return figure_text(draw(*(value for _, value in args),
                            **{key: value for key, (_, value) in kwargs.items()}))


def shown_text(cell) -> str:
    """What a learner sees of a cell: its source, its figures' alt texts and (for literal
    draw_* calls) the text drawn inside its figures."""
    texts = [cell.source]
    if cell.cell_type != "code":
        return cell.source
    try:
        tree = ast.parse(cell.source)
    except SyntaxError:  # a cell with IPython magics: its source is all we read
        return cell.source
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            texts += [string_value(kw.value) for kw in node.keywords if kw.arg == "alt"]
            texts.append(_drawn_text(node))
    return "\n".join(text for text in texts if text)


def giveaways(fragments: tuple[str | tuple[str, ...], ...], text: str) -> list[str]:
    """The fragments (or groups of fragments, all present) found in `text`, both normalised."""
    seen = normalise(text)
    found = []
    for fragment in fragments:
        group = (fragment,) if isinstance(fragment, str) else fragment
        if all(normalise(part) in seen for part in group):
            found.append(" + ".join(group))
    return found
