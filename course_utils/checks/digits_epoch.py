"""The check of notebook 09's debug exercise: one epoch of mini-batches, then a whole run.

`check_train_one_epoch` runs the learner's `train_one_epoch(model, loader, loss_fn, optimizer)`
for one epoch on four fixed batches and compares the parameters with a correct epoch; when
they differ, with epochs that plant one mistake each (a softmax before the loss, a forgotten
`zero_grad()`, `zero_grad()` between `backward()` and `step()`). Once the epoch is right, it
trains the network for 10 epochs of Adam with it, seed 0, and asks for 95% validation accuracy:
the number notebook 09's final loop reaches with the same settings. (With seed 0 the run is
above 96% from epoch 8 on; 10 epochs keep the check, and the notebook, quick.)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from .. import digit_training as reference
from ..digits import SEED
from .core import Wrong, checker, describe, number_answer
from .digits import call_checked, digits, not_the_reference, record_modes, refusing_reference

__all__ = ["check_train_one_epoch"]

FINAL_LEARNING_RATE = 1e-2  # Adam; the final loop of notebook 09 uses the same numbers
FINAL_EPOCHS = 10
TARGET_ACCURACY = 0.95

EpochFunction = Callable[[nn.Module, DataLoader, nn.Module, torch.optim.Optimizer], Any]


def planted_epoch(model: nn.Module, loader: DataLoader, loss_fn: nn.Module,
                  optimizer: torch.optim.Optimizer, mistake: str = "") -> float:
    """One epoch written like the reference, with one `mistake` planted (or none).

    mistake: "softmax" (softmax before the loss), "no zero_grad", "zero_grad after backward"
    (the gradients are cleared before step uses them, so nothing moves).
    """
    model.train()
    losses = []
    for x_batch, y_batch in loader:
        logits = model(x_batch)
        loss = loss_fn(logits.softmax(dim=1) if mistake == "softmax" else logits, y_batch)
        if mistake not in ("no zero_grad", "zero_grad after backward"):
            optimizer.zero_grad()
        loss.backward()
        if mistake == "zero_grad after backward":
            optimizer.zero_grad()
        optimizer.step()
        losses.append(loss.item())
    return sum(losses) / len(losses)


MISTAKES = {
    "softmax": "Its steps match an epoch that applies softmax before the loss. "
               "nn.CrossEntropyLoss applies log-softmax itself: hand it the logits.",
    "no zero_grad": "Its steps match an epoch without optimizer.zero_grad(): every step used the "
                    "sum of all gradients so far. Clear them before loss.backward().",
    "zero_grad after backward": "The parameters did not move: zero_grad() ran between backward() "
                                "and step(), so step() found no gradients. Clear them BEFORE "
                                "backward().",
}


def _small_loader() -> DataLoader:
    """Four fixed batches of 64 training digits, in order: every run sees the same."""
    split = digits()
    return DataLoader(TensorDataset(split.x_train[:256], split.y_train[:256]), batch_size=64)


def _run_epoch(epoch: EpochFunction | None = None,
               mistake: str = "") -> tuple[nn.Module, Any, list]:
    """Run the learner's `epoch` (or, with None, the planted `mistake`) on a fresh model.

    The model starts in eval mode, as evaluate leaves it. Returns the model, the result and
    the (training, grad enabled) modes of each forward.
    """
    model = reference.digits_network(seed=SEED)
    model.eval()  # as evaluate leaves it
    seen = record_modes(model)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    if epoch is not None:
        result = call_checked(epoch, model, _small_loader(), nn.CrossEntropyLoss(), optimizer,
                       name="train_one_epoch")
    else:
        result = planted_epoch(model, _small_loader(), nn.CrossEntropyLoss(), optimizer, mistake)
    return model, result, seen


def _same(a: nn.Module, b: nn.Module) -> bool:
    return all(torch.allclose(p, q, rtol=1e-5, atol=1e-7)
               for p, q in zip(a.parameters(), b.parameters(), strict=True))


@checker
def check_train_one_epoch(train_one_epoch: EpochFunction) -> str:
    """One epoch, like the reference; then 10 epochs with Adam must reach 95% on validation."""
    not_the_reference(train_one_epoch, "train_one_epoch")
    model, result, seen = _run_epoch(train_one_epoch)
    right, expected, _ = _run_epoch(mistake="")
    if not _same(model, right):
        for mistake, reason in MISTAKES.items():
            if _same(model, _run_epoch(mistake=mistake)[0]):
                raise Wrong(f"train_one_epoch does not train like the loop above. {reason}")
        if _same(model, reference.digits_network(seed=SEED)):
            raise Wrong("After train_one_epoch the parameters did not move. Per batch: "
                        "zero_grad(), then loss.backward(), then optimizer.step().")
        raise Wrong("After one epoch the parameters differ from a correct epoch. Per batch: "
                    "forward, loss on the logits, zero_grad(), backward(), step().")
    if any(not training for training, _ in seen):
        raise Wrong("train_one_epoch ran the model in eval mode (evaluate leaves it there). "
                    "Call model.train() at the start of the epoch.")
    if isinstance(result, torch.Tensor):  # the epoch teaches loss.item(): no tensor here
        raise Wrong(f"train_one_epoch returned {describe(result)}; return the mean of the batch "
                    "losses as a number (loss.item() for each batch).")
    result = number_answer(result, "train_one_epoch", "return the mean of the batch losses as "
                           "a number (loss.item() for each batch)")
    if not math.isclose(result, expected, rel_tol=1e-5):
        raise Wrong(f"train_one_epoch returned {result:.4f}; the mean of the 4 batch losses is "
                    f"{expected:.4f}. Keep each batch's loss.item() and return their mean.")
    return _full_run(train_one_epoch)


def _full_run(train_one_epoch: EpochFunction) -> str:
    """10 epochs of Adam (lr 1e-2, batches of 64, seed 0) with the learner's epoch function."""
    model = reference.digits_network(seed=SEED)
    optimizer = torch.optim.Adam(model.parameters(), lr=FINAL_LEARNING_RATE)
    with refusing_reference("train_one_epoch"):
        history = reference.fit(model, digits(), optimizer, FINAL_EPOCHS, seed=SEED,
                                epoch_function=train_one_epoch)
    accuracy = history.val_accuracy[-1]
    if accuracy < TARGET_ACCURACY:
        raise Wrong(f"train_one_epoch steps like a correct epoch, but {FINAL_EPOCHS} epochs of "
                    f"Adam reached only {accuracy:.1%} validation accuracy (the goal is "
                    f"{TARGET_ACCURACY:.0%}). Does it change between calls?")
    return (f"train_one_epoch is right: with it, {FINAL_EPOCHS} epochs of Adam (lr=1e-2, batches "
            f"of 64, seed {SEED}) reach {accuracy:.1%} validation accuracy (the goal: "
            f"{TARGET_ACCURACY:.0%}).")
