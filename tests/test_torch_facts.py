"""The PyTorch facts the course teaches, asserted against the installed torch.

If a torch release changes one of them, this file fails with the fact's name and the
notebooks that teach it: update those notebooks, then this file.

The curvature facts of notebook 07 (lambda_max at the initial weights, 2/lambda_max, the
catapult zone and the divergence point, and their 640x scaling under `mean`) are measured by
course_utils.training and asserted in tests/test_training.py and tests/test_sweep.py.
"""

from __future__ import annotations

import inspect
import math
import subprocess
import sys
import warnings
from collections import OrderedDict

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course_utils import problem


def fact(text: str, *notebooks: str) -> str:
    return f"FACT CHANGED: {text}. Taught in notebook(s) {', '.join(notebooks)}: update them."


@pytest.fixture
def model():
    return nn.Sequential(nn.Linear(1000, 100), nn.ReLU(), nn.Linear(100, 10))


def test_linear_weight_is_out_by_in_and_forward_is_x_WT_plus_b():
    layer = nn.Linear(20, 30)
    x = torch.randn(128, 20)
    assert layer.weight.shape == (30, 20), fact("nn.Linear(in, out).weight is (out, in)", "04")
    assert layer.bias.shape == (30,), fact("nn.Linear bias is (out,)", "04")
    expected = x @ layer.weight.T + layer.bias
    assert torch.allclose(layer(x), expected, atol=1e-6), fact("Linear computes x @ W.T + b", "04")
    assert torch.equal(layer(x), F.linear(x, layer.weight, layer.bias)), \
        fact("Linear.forward is F.linear", "04")
    assert "F.linear" in inspect.getsource(nn.Linear.forward), fact("forward calls F.linear", "04")


def test_default_init_is_uniform_with_bound_one_over_sqrt_in():
    torch.manual_seed(0)
    layer = nn.Linear(1000, 2000)
    bound = 1 / math.sqrt(1000)
    for name, tensor in (("weight", layer.weight), ("bias", layer.bias)):
        values = tensor.detach()
        assert values.abs().max() <= bound, fact(f"{name} init within 1/sqrt(in)", "04")
        assert values.abs().max() > 0.99 * bound, fact(f"{name} init fills +-1/sqrt(in)", "04")
    # uniform(-b, b) has std b / sqrt(3)
    assert abs(layer.weight.std().item() - bound / math.sqrt(3)) < 1e-4, fact("uniform init", "04")
    source = inspect.getsource(nn.Linear.reset_parameters)
    assert "kaiming_uniform_" in source and "math.sqrt(5)" in source, \
        fact("reset_parameters uses kaiming_uniform_ with a=sqrt(5)", "04")


def test_requires_grad_from_birth_everywhere():
    standalone = nn.Linear(20, 30)
    inside = nn.Sequential(nn.Linear(20, 30))[0]
    with torch.no_grad():
        under_no_grad = nn.Linear(20, 30)
    for where, layer in (("standalone", standalone), ("in a Sequential", inside),
                         ("built under no_grad", under_no_grad)):
        assert layer.weight.requires_grad and layer.bias.requires_grad, \
            fact(f"a fresh nn.Linear ({where}) has requires_grad=True", "04")
        assert isinstance(layer.weight, nn.Parameter)
    assert nn.Parameter(torch.zeros(1)).requires_grad, fact("Parameter defaults to grad", "04")


def test_sequential_registers_children_by_index_or_by_name(model):
    assert list(model._modules) == ["0", "1", "2"], fact("Sequential keys are '0','1','2'", "05")
    named = nn.Sequential(OrderedDict(hidden=nn.Linear(2, 3), act=nn.ReLU(), out=nn.Linear(3, 1)))
    assert list(named._modules) == ["hidden", "act", "out"], fact("OrderedDict keys kept", "05")
    source = inspect.getsource(nn.Sequential.__init__)
    assert "add_module(str(idx), module)" in source and "add_module(key, module)" in source, \
        fact("Sequential.__init__ calls add_module", "05")


def test_sequential_forward_runs_children_in_order(model):
    order = []
    for name, child in model.named_children():
        child.register_forward_hook(lambda m, i, o, name=name: order.append(name))
    model(torch.randn(2, 1000))
    assert order == ["0", "1", "2"], fact("Sequential.forward calls children in order", "05")
    assert "for module in self" in inspect.getsource(nn.Sequential.forward), \
        fact("Sequential.forward is `for module in self`", "05")


def test_calling_the_model_goes_through_call_and_hooks(model):
    calls = []
    model.register_forward_hook(lambda m, i, o: calls.append("hook"))
    x = torch.randn(2, 1000)
    model(x)
    model.forward(x)
    assert calls == ["hook"], fact("model(x) runs hooks; model.forward(x) skips them", "05")


def test_parameters_is_a_generator_used_up_after_one_pass(model):
    params = model.parameters()
    assert inspect.isgenerator(params), fact("parameters() returns a generator", "05")
    assert len(list(params)) == 4 and list(params) == [], fact("parameters() is used up", "05")
    names = [name for name, _ in model.named_parameters()]
    assert names == ["0.weight", "0.bias", "2.weight", "2.bias"], fact("parameter order", "05")
    assert list(model[1].parameters()) == [], fact("ReLU has no parameters", "05")
    assert sum(p.numel() for p in model.parameters()) == 101_110, fact("101,110 parameters", "05")


def test_sequential_does_not_initialise_anything():
    torch.manual_seed(0)
    layer = nn.Linear(10, 5)
    before = layer.weight.detach().clone()
    nn.Sequential(layer, nn.ReLU())
    assert torch.equal(layer.weight, before), fact("Sequential leaves weights alone", "04", "05")
    assert "reset_parameters()" in inspect.getsource(nn.Linear.__init__), \
        fact("nn.Linear.__init__ calls reset_parameters()", "04")
    assert "reset_parameters" not in inspect.getsource(nn.Sequential.__init__)


def test_zero_grad_sets_none_by_default(model):
    model(torch.randn(2, 1000)).sum().backward()
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters()), fact("zero_grad() sets None", "06")
    model(torch.randn(2, 1000)).sum().backward()
    model.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.any() for p in model.parameters()), \
        fact("zero_grad(set_to_none=False) fills zeros", "06")
    default = inspect.signature(nn.Module.zero_grad).parameters["set_to_none"].default
    assert default is True, fact("set_to_none defaults to True", "06")


def test_mse_loss_default_is_mean_over_all_elements():
    prediction, target = torch.randn(64, 10), torch.randn(64, 10)
    squared = (prediction - target) ** 2
    loss = nn.MSELoss()
    assert loss.reduction == "mean", fact("MSELoss reduction defaults to 'mean'", "06")
    assert torch.allclose(loss(prediction, target), squared.sum() / 640), \
        fact("mean divides by N * D_out, not by N", "06")
    assert not torch.allclose(loss(prediction, target), squared.sum() / 64)


def test_in_place_update_of_a_leaf_outside_no_grad_raises():
    w = torch.randn(3, requires_grad=True)
    (w * 2).sum().backward()
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w -= 0.1 * w.grad
    with torch.no_grad():
        w -= 0.1 * w.grad  # the same update inside no_grad is fine
    assert w.is_leaf, fact("an update inside no_grad keeps the leaf", "03", "06")


def test_data_bypasses_autograds_checks():
    w = torch.ones(3, requires_grad=True)
    y = (w * w).sum()  # saves w for the backward pass
    w.data.mul_(10)  # autograd does not notice
    y.backward()
    assert torch.equal(w.grad, torch.full((3,), 20.0)), \
        fact(".data changes go unnoticed: the gradient is silently computed with the new w", "03")
    w2 = torch.ones(3, requires_grad=True)
    y2 = (w2 * w2).sum()
    with torch.no_grad():
        w2.mul_(10)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y2.backward()


def test_data_bypasses_the_version_counter_that_no_grad_updates_bump():
    w = torch.ones(3, requires_grad=True)
    before = w._version
    w.data -= 1
    assert w._version == before, fact("an update through .data leaves the version counter", "03",
                                      "04")
    with torch.no_grad():
        w -= 1
    assert w._version == before + 1, fact("an in-place update under no_grad bumps it", "03", "04")


def test_saved_tensors_are_freed_by_backward_and_the_grad_fn_chain_stays():
    w = torch.randn(3, 2, requires_grad=True)
    loss = (torch.randn(5, 3) @ w).pow(2).sum()
    pow_node = loss.grad_fn.next_functions[0][0]
    assert type(pow_node).__name__ == "PowBackward0" and pow_node._saved_self.shape == (5, 2)
    loss.backward()
    assert loss.grad_fn is not None, fact("the grad_fn chain survives backward()", "03")
    with pytest.raises(RuntimeError, match="Specify retain_graph=True"):
        pow_node._saved_self  # noqa: B018 - the access itself is the fact
    with pytest.raises(RuntimeError, match="Specify retain_graph=True"):
        loss.backward()


def test_a_loss_computed_under_no_grad_has_no_grad_fn_and_backward_says_so():
    x = torch.randn(5, 3)
    w1 = torch.randn(3, 2, requires_grad=True)
    with torch.no_grad():
        loss = (x @ w1).pow(2).sum()
    assert loss.grad_fn is None and not loss.requires_grad, fact(
        "a loss computed under no_grad is not recorded", "03")
    with pytest.raises(RuntimeError, match="does not have a grad_fn"):  # check_autograd_gradients
        loss.backward()
    loss.requires_grad_(True)  # the wrong fix: backward runs, from a loss with no graph behind it
    loss.backward()
    assert w1.grad is None, fact("backward from a detached loss leaves the weights' .grad None",
                                 "03")


def test_backward_on_two_halves_of_a_summed_loss_adds_up_to_the_whole_batch(model):
    x, y = torch.randn(64, 1000), torch.randn(64, 10)
    loss_fn = nn.MSELoss(reduction="sum")
    loss_fn(model(x), y).backward()
    whole = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    loss_fn(model(x[:32]), y[:32]).backward()
    loss_fn(model(x[32:]), y[32:]).backward()
    assert all(torch.allclose(p.grad, w, rtol=1e-4, atol=1e-4)
               for p, w in zip(model.parameters(), whole, strict=True)), fact(
        "the two halves' summed-loss gradients add up to the whole batch's", "06")


def test_w_equals_w_minus_lr_grad_crashes_at_the_next_step():
    x = torch.randn(5, 3)
    w1 = torch.randn(3, 2, requires_grad=True)
    with pytest.raises(TypeError, match="'float' and 'NoneType'"):
        for _step in range(2):
            (x @ w1).pow(2).sum().backward()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # torch warns about .grad of a non-leaf
                w1 = w1 - 0.1 * w1.grad  # step 0 works; w1 is now a non-leaf, grad None


def test_only_elementwise_operations_promote_dtypes():
    a32, a64 = torch.ones(4, 3), torch.ones(3, 2, dtype=torch.float64)
    assert (a32[:, :2] + a64[:1]).dtype == torch.float64, fact("float32 + float64 is float64",
                                                                "02")
    with pytest.raises(RuntimeError, match="expected m1 and m2 to have the same dtype"):
        a32 @ a64
    with pytest.raises(RuntimeError, match="mat1 and mat2 must have the same dtype"):
        nn.Linear(3, 2)(torch.ones(4, 3, dtype=torch.float64))


TORCH_RELEASE = tuple(int(part) for part in torch.__version__.split("+")[0].split(".")[:2])


def test_relu_gradient_at_zero_relu_and_the_mask_pass_none_clamp_depends_on_the_version():
    h = torch.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    h.clamp(min=0).sum().backward()
    # measured: torch 2.13 passes the gradient at the boundary, torch 2.14 (tests/compat) does not
    passes = [0.0, 1.0, 1.0] if TORCH_RELEASE < (2, 14) else [0.0, 0.0, 1.0]
    assert h.grad.tolist() == passes, fact(
        "clamp(min=0) passes the gradient at 0 in torch 2.13 and not from 2.14", "02", "03")
    h.grad = None
    F.relu(h).sum().backward()
    assert h.grad.tolist() == [0.0, 0.0, 1.0], fact("relu passes no gradient at 0", "02", "03")
    assert (h > 0).tolist() == [False, False, True], fact("the mask (h > 0) is 0 at 0", "01")


def test_transpose_is_a_view_not_a_copy():
    weight = nn.Linear(20, 30).weight
    assert weight.T.data_ptr() == weight.data_ptr() and not weight.T.is_contiguous(), \
        fact("W.T is a view of the same memory", "04")


def test_relu_module_wraps_functional_relu():
    x = torch.randn(5, 7)
    assert torch.equal(nn.ReLU()(x), F.relu(x)), fact("nn.ReLU() == F.relu", "04")
    assert "F.relu" in inspect.getsource(nn.ReLU.forward), fact("ReLU.forward calls F.relu", "04")


def running_example_gradients(reduction: str) -> list[torch.Tensor]:
    x, y = (torch.tensor(a) for a in problem.make_data())
    model = problem.build_model(dtype=torch.float64)
    nn.MSELoss(reduction=reduction)(model(x), y).backward()
    return [p.grad for p in model.parameters()]


def test_sum_gradients_are_640_times_mean_gradients():
    for g_sum, g_mean in zip(running_example_gradients("sum"),
                             running_example_gradients("mean"), strict=True):
        relative = (g_sum - 640 * g_mean).abs().max() / g_sum.abs().max()  # float64 rounding
        assert relative < 1e-13, \
            fact("gradients under 'sum' are N * D_out = 640 x those under 'mean'", "06", "07")


def test_lr_1e4_with_sum_follows_lr_0064_with_mean():
    x, y = (torch.tensor(a) for a in problem.make_data())
    losses = {}
    for reduction, lr in (("sum", 1e-4), ("mean", 0.064)):
        model = problem.build_model(dtype=torch.float64)
        loss_fn = nn.MSELoss(reduction="sum")
        optimiser = torch.optim.SGD(model.parameters(), lr=lr)
        trace = []
        for _ in range(20):
            trace.append(loss_fn(model(x), y).item())
            optimiser.zero_grad()
            nn.MSELoss(reduction=reduction)(model(x), y).backward()
            optimiser.step()
        losses[reduction] = np.array(trace)
    assert np.allclose(losses["sum"], losses["mean"], rtol=1e-10), \
        fact("lr=1e-4 (sum) and lr=0.064 (mean) give the same trajectory", "06", "07")


def test_optim_sgd_is_the_manual_update():
    x, y = (torch.tensor(a, dtype=torch.float32) for a in problem.make_data())
    manual, with_sgd = problem.build_model(), problem.build_model()
    optimiser = torch.optim.SGD(with_sgd.parameters(), lr=1e-4)
    loss_fn = nn.MSELoss(reduction="sum")
    for _ in range(5):
        manual.zero_grad()
        loss_fn(manual(x), y).backward()
        with torch.no_grad():
            for parameter in manual.parameters():
                parameter.add_(parameter.grad, alpha=-1e-4)
        optimiser.zero_grad()
        loss_fn(with_sgd(x), y).backward()
        optimiser.step()
    for a, b in zip(manual.parameters(), with_sgd.parameters(), strict=True):
        assert torch.equal(a, b), fact("optim.SGD(lr) is p.add_(p.grad, alpha=-lr)", "06")


# Issue 18: a module used twice (05, 08), buffers and state_dict (08), which SGD runs (06).

def test_children_skips_a_shared_module_and_sequential_runs_it_twice():
    lin, relu = nn.Linear(4, 4), nn.ReLU()
    shared = nn.Sequential(lin, relu, lin)
    assert list(shared._modules.values()) == [lin, relu, lin], fact("_modules keeps both", "05")
    assert list(shared.children()) == [lin, relu], \
        fact("children() yields a shared module once", "05")
    assert "iter(self._modules.values())" in inspect.getsource(nn.Sequential.__iter__), \
        fact("Sequential iterates self._modules.values()", "05")
    x = torch.randn(3, 4)
    assert torch.equal(shared(x), lin(relu(lin(x)))), fact("Sequential applies lin twice", "05")
    assert "_copy_to_script_wrapper" in inspect.getsource(nn.Sequential.__iter__), \
        fact("__iter__ is decorated with @_copy_to_script_wrapper", "05")
    from torch._jit_internal import _copy_to_script_wrapper

    def function():
        return 1

    assert _copy_to_script_wrapper(function) is function, \
        fact("_copy_to_script_wrapper returns the function unchanged", "05")


def test_parameters_counts_a_shared_module_once():
    lin = nn.Linear(100, 100)
    shared = nn.Sequential(lin, nn.ReLU(), lin)
    assert [name for name, _ in shared.named_parameters()] == ["0.weight", "0.bias"], \
        fact("named_parameters() names a shared parameter once", "05", "08")
    assert sum(p.numel() for p in shared.parameters()) == 10_100, \
        fact("parameters() counts a shared module once", "05", "08")
    first, second = nn.Linear(100, 100), nn.Linear(100, 100)
    first.load_state_dict(lin.state_dict())
    second.load_state_dict(lin.state_dict())
    x = torch.randn(8, 100)
    shared(x).sum().backward()
    nn.Sequential(first, nn.ReLU(), second)(x).sum().backward()
    assert torch.allclose(lin.weight.grad, first.weight.grad + second.weight.grad), \
        fact("a shared weight's .grad is the sum of its uses' gradients", "08")


def test_register_buffer_is_saved_and_moved_but_not_trained():
    module = nn.Module()
    module.register_buffer("offset", torch.tensor(1.0))
    module.plain = torch.tensor(1.0)
    assert list(module.parameters()) == [], fact("a buffer is not a parameter", "08")
    assert list(module.state_dict()) == ["offset"], \
        fact("state_dict holds buffers, not plain tensor attributes", "08")
    module.to(torch.float64)
    assert module.offset.dtype == torch.float64, fact(".to() converts buffers", "08")
    assert module.plain.dtype == torch.float32, fact(".to() leaves plain attributes alone", "08")
    with pytest.raises(KeyError, match="already exists"):
        module.register_buffer("plain", torch.tensor(2.0))


def test_state_dict_round_trip(tmp_path):
    torch.manual_seed(0)
    net, fresh = nn.Linear(5, 3), nn.Linear(5, 3)
    torch.save(net.state_dict(), tmp_path / "net.pt")
    fresh.load_state_dict(torch.load(tmp_path / "net.pt"))
    x = torch.randn(4, 5)
    assert torch.equal(fresh(x), net(x)), fact("save and load of a state_dict", "08")


def test_an_optimizer_on_no_parameters_raises():
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        torch.optim.SGD(nn.Module().parameters(), lr=1e-4)


def test_building_the_first_optimizer_imports_torch_dynamo():
    """Why notebook 09 imports torch._dynamo with its other imports (a second, once per kernel).

    Optimizer.__init__ calls add_param_group, wrapped in torch._disable_dynamo, which imports
    torch._dynamo on its first call; importing torch.optim alone does not. A fresh process,
    because any earlier test may have imported it already.
    """
    script = ("import sys, torch, torch.optim\n"
              "before = 'torch._dynamo' in sys.modules\n"
              "torch.optim.SGD(torch.nn.Linear(2, 1).parameters(), lr=0.1)\n"
              "print(before, 'torch._dynamo' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True)
    assert result.stdout.split() == ["False", "True"], \
        fact("importing torch.optim does not import torch._dynamo; building an optimizer does",
             "09")


def test_sgd_runs_the_single_tensor_loop_on_cpu_and_foreach_on_cuda():
    from torch.optim.optimizer import _default_to_fused_or_foreach
    from torch.utils._foreach_utils import _get_foreach_kernels_supported_devices

    params = list(nn.Linear(3, 2).parameters())
    assert _default_to_fused_or_foreach(params, differentiable=False) == (False, False), \
        fact("on the CPU, SGD's default is neither fused nor foreach", "06")
    assert "cuda" in _get_foreach_kernels_supported_devices(), \
        fact("CUDA has foreach kernels, so SGD defaults to foreach there", "06")
    source = inspect.getsource(inspect.getmodule(torch.optim.SGD).sgd)
    assert "use_fused=False" in source, fact("sgd() never defaults to fused", "06")


def test_sum_and_mean_gradients_agree_to_about_eleven_digits():
    x, y = (torch.tensor(a, dtype=torch.float64) for a in problem.make_data())
    grads = {}
    for reduction in ("sum", "mean"):
        model = problem.build_model(dtype=torch.float64)
        nn.MSELoss(reduction=reduction)(model(x), y).backward()
        grads[reduction] = [p.grad for p in model.parameters()]
    worst = max((s / m / 640 - 1).abs().max().item()
                for s, m in zip(grads["sum"], grads["mean"], strict=True))
    assert 10 <= -math.log10(worst) <= 12, fact("the 640 ratio holds to about eleven digits", "06")
# ---- notebook 09: classification ------------------------------------------------------------

def test_cross_entropy_takes_logits_and_class_indices():
    generator = torch.Generator().manual_seed(0)
    logits = torch.randn(6, 10, generator=generator) * 3  # raw scores, any real numbers
    labels = torch.tensor([0, 3, 9, 3, 5, 1])  # int64 class indices, shape (N,)
    by_hand = -logits.log_softmax(dim=1)[torch.arange(6), labels].mean()
    assert torch.allclose(nn.CrossEntropyLoss()(logits, labels), by_hand), \
        fact("CrossEntropyLoss(logits, indices) = mean of -log_softmax(logits)[label]", "09")
    softmax_first = nn.CrossEntropyLoss()(logits.softmax(dim=1), labels)
    assert not torch.allclose(softmax_first, by_hand), \
        fact("a softmax before CrossEntropyLoss changes the loss (it applies log-softmax)", "09")
    for wrong_dtype in (torch.float32, torch.int32):
        with pytest.raises(RuntimeError, match="expected target dtype to be Long"):
            nn.CrossEntropyLoss()(logits, labels.to(wrong_dtype))


def test_cross_entropy_after_a_softmax_cannot_go_below_ln_e_plus_9_minus_1():
    best = torch.zeros(1, 10)
    best[0, 3] = 1.0  # the most confident, right output a softmax can give
    floor = nn.CrossEntropyLoss()(best, torch.tensor([3])).item()
    assert math.isclose(floor, math.log(math.e + 9) - 1, rel_tol=1e-6), \
        fact("with softmax in front, the smallest possible cross-entropy is ln(e+9)-1 = 1.46", "09")


def test_untrained_network_loss_is_about_ln_10():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 100), nn.ReLU(), nn.Linear(100, 10))
    x, labels = torch.rand(500, 64), torch.randint(0, 10, (500,))
    loss = nn.CrossEntropyLoss()(model(x), labels).item()
    assert abs(loss - math.log(10)) < 0.1, \
        fact("an untrained 10-class network's loss is about ln 10", "09")


def test_dataloader_with_shuffle_reshuffles_every_epoch():
    from torch.utils.data import DataLoader, TensorDataset

    dataset = TensorDataset(torch.arange(100))
    loader = DataLoader(dataset, batch_size=32, shuffle=True,
                        generator=torch.Generator().manual_seed(0))
    epochs = [torch.cat([batch for (batch,) in loader]) for _ in range(3)]
    assert [len(list(loader))] == [4] and len(next(iter(loader))[0]) == 32  # 32, 32, 32, 4
    for order in epochs:
        assert sorted(order.tolist()) == list(range(100)), fact("an epoch visits each once", "09")
    assert not torch.equal(epochs[0], epochs[1]) and not torch.equal(epochs[1], epochs[2]), \
        fact("DataLoader(shuffle=True) draws a new order every epoch", "09")
    again = DataLoader(dataset, batch_size=32, shuffle=True,
                       generator=torch.Generator().manual_seed(0))
    assert torch.equal(torch.cat([batch for (batch,) in again]), epochs[0]), \
        fact("a seeded generator makes the shuffled order reproducible", "09")
    in_order = DataLoader(dataset, batch_size=32)
    assert torch.equal(torch.cat([batch for (batch,) in in_order]), torch.arange(100))
