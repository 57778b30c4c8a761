"""Every diagnosis of notebook 03's checks, each planted on purpose."""

import pytest
import torch

from course_utils.checks import NOT_DONE, PASSED, WRONG, check_autograd_gradients, check_sgd_update


def unfinished(*args):
    raise NotImplementedError()


def forward(x, w, relu=True, bias=True):
    h = x @ w["w1"] + (w["b1"] if bias else 0)
    h = h.clamp(min=0) if relu else h
    return h @ w["w2"] + w["b2"]


def grads(w):
    return {name: tensor.grad for name, tensor in w.items()}


def right(x, y, w):
    (forward(x, w) - y).pow(2).sum().backward()
    return grads(w)


def backward_twice(x, y, w):
    loss = (forward(x, w) - y).pow(2).sum()
    loss.backward(retain_graph=True)
    loss.backward()
    return grads(w)


def mean_loss(x, y, w):
    (forward(x, w) - y).pow(2).mean().backward()
    return grads(w)


def no_backward(x, y, w):
    (forward(x, w) - y).pow(2).sum()
    return grads(w)


def no_bias(x, y, w):
    (forward(x, w, bias=False) - y).pow(2).sum().backward()
    return grads(w)


def no_relu(x, y, w):
    (forward(x, w, relu=False) - y).pow(2).sum().backward()
    return grads(w)


def negated(x, y, w):
    return {name: -grad for name, grad in right(x, y, w).items()}


def forward_under_no_grad(x, y, w):
    """Notebook 03's planted bug: the forward pass is not recorded."""
    with torch.no_grad():
        loss = (forward(x, w) - y).pow(2).sum()
    loss.backward()
    return grads(w)


def loss_made_to_require_grad(x, y, w):
    """A wrong fix of that bug: backward() runs, but from a loss with no graph behind it."""
    with torch.no_grad():
        loss = (forward(x, w) - y).pow(2).sum()
    loss.requires_grad_(True)
    loss.backward()
    return grads(w)


def by_hand(x, y, w):
    """Notebook 03's hand_gradients: the right numbers, without backward()."""
    with torch.no_grad():
        h = x @ w["w1"] + w["b1"]
        h_relu = h.clamp(min=0)
        grad_y_pred = 2.0 * (h_relu @ w["w2"] + w["b2"] - y)
        grad_h = (grad_y_pred @ w["w2"].T) * (h > 0)
        return {"w1": x.T @ grad_h, "b1": grad_h.sum(dim=0),
                "w2": h_relu.T @ grad_y_pred, "b2": grad_y_pred.sum(dim=0)}


@pytest.mark.parametrize("autograd_gradients, status, words", [
    (right, PASSED, "autograd_gradients is right"),
    (unfinished, NOT_DONE, "not written yet"),
    (no_backward, WRONG, "every gradient is None"),
    (forward_under_no_grad, WRONG, "The loss has no grad_fn"),
    (loss_made_to_require_grad, WRONG, "not computed under torch.no_grad()"),
    (by_hand, WRONG, "did not come from loss.backward()"),
    (no_bias, WRONG, "b1's gradient is None"),
    (backward_twice, WRONG, "twice the right one"),
    (mean_loss, WRONG, "you took the mean"),
    (negated, WRONG, "wrong sign"),
    (no_relu, WRONG, "differs from the expected one"),
    (lambda x, y, w: w, WRONG, "returned the weight w1 itself"),
    (lambda x, y, w: {k: v.numpy() for k, v in right(x, y, w).items()}, WRONG,
     "expected a torch tensor"),
    (lambda x, y, w: {"w1": right(x, y, w)["w1"]}, WRONG, "missing b1"),
    (lambda x, y, w: list(right(x, y, w).values()), WRONG, "should return a dict"),
    (None, WRONG, "is None"),
])
def test_autograd_gradients_diagnoses(autograd_gradients, status, words):
    result = check_autograd_gradients(autograd_gradients)
    assert result.status == status, result.message
    assert words in result.message


def update(w, lr):
    with torch.no_grad():
        for tensor in w.values():
            tensor -= lr * tensor.grad
            tensor.grad = None


def update_zeroing(w, lr):
    with torch.no_grad():
        for tensor in w.values():
            tensor -= lr * tensor.grad
            tensor.grad.zero_()


def update_through_data(w, lr):
    for tensor in w.values():
        tensor.data -= lr * tensor.grad
        tensor.grad = None


def without_no_grad(w, lr):
    for tensor in w.values():
        tensor -= lr * tensor.grad
        tensor.grad = None


def replaced_outside_no_grad(w, lr):
    for name in list(w):
        w[name] = w[name] - lr * w[name].grad


def replaced_inside_no_grad(w, lr):
    with torch.no_grad():
        for name in list(w):
            w[name] = w[name] - lr * w[name].grad


def rebinds_loop_variable(w, lr):
    with torch.no_grad():
        for tensor in w.values():
            tensor = tensor - lr * tensor.grad  # noqa: PLW2901 (the mistake planted)


def grads_kept(w, lr):
    with torch.no_grad():
        for tensor in w.values():
            tensor -= lr * tensor.grad


def uphill(w, lr):
    with torch.no_grad():
        for tensor in w.values():
            tensor += lr * tensor.grad
            tensor.grad = None


def no_learning_rate(w, lr):
    with torch.no_grad():
        for tensor in w.values():
            tensor -= tensor.grad
            tensor.grad = None


def cleared_first(w, lr):
    with torch.no_grad():
        for tensor in w.values():
            tensor.grad = None
            tensor -= lr * tensor.grad


def forgets_biases(w, lr):
    with torch.no_grad():
        for name in ("w1", "w2"):
            w[name] -= lr * w[name].grad
        for tensor in w.values():
            tensor.grad = None


def detaches(w, lr):
    with torch.no_grad():
        for tensor in w.values():
            tensor -= lr * tensor.grad
            tensor.grad = None
            tensor.requires_grad_(False)


def half_step(w, lr):
    update(w, lr / 2)


@pytest.mark.parametrize("sgd_update, status, words", [
    (update, PASSED, "sgd_update is right"),
    (update_zeroing, PASSED, "sgd_update is right"),
    (update_through_data, WRONG, "updated through `.data`"),  # issue 17: .data is not no_grad
    (unfinished, NOT_DONE, "not written yet"),
    (without_no_grad, WRONG, "must run inside `with torch.no_grad():`"),
    (replaced_outside_no_grad, WRONG, "it is no longer a leaf"),
    (replaced_inside_no_grad, WRONG, "does not require grad"),
    (rebinds_loop_variable, WRONG, "did not change"),
    (grads_kept, WRONG, "grad was not cleared"),
    (uphill, WRONG, "moved UP the gradient"),
    (no_learning_rate, WRONG, "multiply by the learning rate"),
    (cleared_first, WRONG, "clear the gradients AFTER the update"),
    (forgets_biases, WRONG, "w['b1'] did not change"),
    (detaches, WRONG, "no longer requires grad"),
    (half_step, WRONG, "not by -lr * grad"),
    (None, WRONG, "is None"),
])
def test_sgd_update_diagnoses(sgd_update, status, words):
    result = check_sgd_update(sgd_update)
    assert result.status == status, result.message
    assert words in result.message
