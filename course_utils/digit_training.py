"""Training the course's network on the digits: notebook 09's loop, as reference functions.

The same network as the running example, 64 -> 100 -> 10 with ReLU, now classifying
8x8 images. What changes from notebook 06's loop, and why:

- the loss is `nn.CrossEntropyLoss` on the raw scores (logits) and class indices: it applies
  log-softmax itself, so the model ends with a Linear layer and no softmax;
- the data comes in shuffled mini-batches (`DataLoader`), one pass over all of it is an epoch;
- evaluation runs in eval mode (`model.eval()`) and without a graph (`torch.no_grad()`).

Notebook 09 asks the learner to write `accuracy`, `evaluate` and `train_one_epoch`; the
functions here are the reference versions the notebook and the checks use:

    >>> split = load_digits_split(seed=0)
    >>> model = digits_network(seed=0)
    >>> history = fit(model, split, torch.optim.Adam(model.parameters(), lr=1e-2), epochs=10)
    >>> history.val_accuracy[-1] > 0.95
    True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch
from torch import nn
from torch.utils.data import BatchSampler, DataLoader, RandomSampler, TensorDataset

from .digits import CLASSES, PIXELS, SEED, DigitsSplit

HIDDEN = 100  # hidden units, as in the running example
BATCH_SIZE = 64

EpochFunction = Callable[[nn.Module, DataLoader, nn.Module, torch.optim.Optimizer], float]


def digits_network(seed: int = SEED) -> nn.Sequential:
    """The course's two-layer network for the digits: Linear(64, 100), ReLU, Linear(100, 10).

    It returns logits (N, 10): one raw score per class, no softmax. The initial weights come
    from `seed` (nn.Linear's default initialisation), without touching the global random state.
    """
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        return nn.Sequential(nn.Linear(PIXELS, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, CLASSES))


def training_batches(split: DigitsSplit, batch_size: int = BATCH_SIZE,
                     seed: int = SEED) -> DataLoader:
    """Shuffled mini-batches of the training part: a new order every epoch, the same for a seed.

    The batches are exactly those of notebook 09's
    `DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True, generator=...)` with the
    same seed, fetched faster. That loader looks up its 64 examples one at a time and
    stacks them; here a `BatchSampler` hands the dataset the 64 shuffled indices at once,
    and a `TensorDataset` answers with one indexing operation per tensor (`batch_size=None`
    tells the DataLoader the batches come ready-made). Same shuffling, same generator,
    same batches (tests/test_digits.py compares them); about a quarter less time per epoch.
    """
    dataset = TensorDataset(split.x_train, split.y_train)
    generator = torch.Generator().manual_seed(seed)
    batches = BatchSampler(RandomSampler(dataset, generator=generator), batch_size,
                           drop_last=False)
    return DataLoader(dataset, sampler=batches, batch_size=None, generator=generator)


def accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """The fraction of rows whose largest score is at the label's index.

    logits (N, 10), labels (N,) class indices; returns a Python float in [0, 1].
    """
    return (logits.argmax(dim=1) == labels).float().mean().item()


def evaluate(model: nn.Module, x: torch.Tensor, labels: torch.Tensor) -> tuple[float, float]:
    """(mean cross-entropy, accuracy) of `model` on x (N, 64), in eval mode, without a graph.

    The model is left in eval mode: `train_one_epoch` switches it back with model.train().
    """
    model.eval()
    with torch.no_grad():
        logits = model(x)
        return nn.functional.cross_entropy(logits, labels).item(), accuracy(logits, labels)


def train_one_epoch(model: nn.Module, loader: DataLoader, loss_fn: nn.Module,
                    optimizer: torch.optim.Optimizer) -> float:
    """One pass over the mini-batches of `loader`; returns the mean of the batch losses."""
    model.train()
    losses = []
    for x_batch, y_batch in loader:
        loss = loss_fn(model(x_batch), y_batch)  # logits and class indices
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return sum(losses) / len(losses)


@dataclass
class FitHistory:
    """Loss and accuracy on both parts after every epoch; index 0 is before any training."""

    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)

    def record(self, model: nn.Module, split: DigitsSplit) -> None:
        """Evaluate `model` on both parts and append the four numbers."""
        for part, (x, y) in {"train": (split.x_train, split.y_train),
                             "val": (split.x_val, split.y_val)}.items():
            loss, acc = evaluate(model, x, y)
            getattr(self, f"{part}_loss").append(loss)
            getattr(self, f"{part}_accuracy").append(acc)

    @property
    def epochs(self) -> int:
        return len(self.val_accuracy) - 1


def fit(model: nn.Module, split: DigitsSplit, optimizer: torch.optim.Optimizer, epochs: int,
        batch_size: int = BATCH_SIZE, seed: int = SEED,
        epoch_function: EpochFunction = train_one_epoch) -> FitHistory:
    """Train `model` for `epochs` epochs of shuffled mini-batches; evaluate after each.

    The batches are shuffled from `seed`, so the same seed, model and optimizer give the
    same run. `epoch_function` is `train_one_epoch` unless a check passes the learner's own.
    """
    loader = training_batches(split, batch_size, seed)
    loss_fn = nn.CrossEntropyLoss()
    history = FitHistory()
    history.record(model, split)
    for _ in range(epochs):
        epoch_function(model, loader, loss_fn, optimizer)
        history.record(model, split)
    return history


def accuracy_by_learning_rate(split: DigitsSplit, learning_rates: Sequence[float], epochs: int = 5,
                              seed: int = SEED) -> list[float]:
    """Validation accuracy after `epochs` epochs of plain SGD, one fresh run per learning rate.

    Every run starts from the same initial weights and sees the batches in the same order,
    so only the learning rate differs. A run whose loss blew up ends near 10% (chance).
    """
    accuracies = []
    for lr in learning_rates:
        model = digits_network(seed)
        history = fit(model, split, torch.optim.SGD(model.parameters(), lr=lr), epochs, seed=seed)
        accuracies.append(history.val_accuracy[-1])
    return accuracies
