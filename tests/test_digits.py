"""The capstone's data (course_utils.digits) and its loop (course_utils.digit_training)."""

from __future__ import annotations

import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

from course_utils import digit_training
from course_utils.digits import CLASSES, PIXELS, load_digits_split


@pytest.fixture(scope="module")
def split():
    return load_digits_split(seed=0)


def test_shapes_dtypes_and_scale(split):
    assert split.x_train.shape == (1437, PIXELS) and split.x_val.shape == (360, PIXELS)
    assert split.y_train.shape == (1437,) and split.y_val.shape == (360,)
    assert split.x_train.dtype == torch.float32 and split.y_train.dtype == torch.int64
    assert split.x_train.min() == 0 and split.x_train.max() == 1  # ink 0..16 scaled by 1/16
    assert split.images("val").shape == (360, 8, 8)
    assert torch.equal(split.images("train")[5].flatten(), split.x_train[5])


def test_the_split_is_stratified(split):
    train_counts = torch.bincount(split.y_train, minlength=CLASSES)
    val_counts = torch.bincount(split.y_val, minlength=CLASSES)
    assert len(train_counts) == len(val_counts) == CLASSES
    total = train_counts + val_counts
    assert total.sum() == 1797
    # every digit keeps its share in the validation part (20%, to within one image)
    assert ((val_counts - 0.2 * total).abs() <= 1).all(), val_counts


def test_train_and_validation_do_not_overlap(split):
    train_rows = {tuple(row.tolist()) for row in split.x_train}
    val_rows = {tuple(row.tolist()) for row in split.x_val}
    # load_digits holds a handful of identical images; none may sit in both parts unless
    # it appears more than once in the data set itself
    shared = train_rows & val_rows
    assert len(shared) <= 2, f"{len(shared)} images are in both parts"
    assert len(split.x_train) + len(split.x_val) == 1797


def test_the_same_seed_gives_the_same_split_and_another_seed_another(split):
    again = load_digits_split(seed=0)
    assert torch.equal(again.x_train, split.x_train) and torch.equal(again.y_val, split.y_val)
    other = load_digits_split(seed=1)
    assert not torch.equal(other.y_train, split.y_train)


def test_a_smaller_training_set_is_stratified_and_keeps_the_validation_part(split):
    small = load_digits_split(seed=0, train_examples=100)
    assert small.x_train.shape == (100, PIXELS)
    assert (torch.bincount(small.y_train, minlength=CLASSES) == 10).all()
    assert torch.equal(small.x_val, split.x_val)


@pytest.mark.parametrize("kwargs", [{"validation_fraction": 0}, {"validation_fraction": 1.5},
                                    {"train_examples": 5}, {"train_examples": 5000}])
def test_bad_arguments_are_refused(kwargs):
    with pytest.raises(ValueError):
        load_digits_split(**kwargs)


def test_the_network_is_64_100_10_returns_logits_and_is_seeded():
    model = digit_training.digits_network(seed=0)
    assert sum(p.numel() for p in model.parameters()) == 64 * 100 + 100 + 100 * 10 + 10
    state = torch.random.get_rng_state()
    again = digit_training.digits_network(seed=0)
    assert torch.equal(torch.random.get_rng_state(), state), "the global random state changed"
    pairs = zip(model.parameters(), again.parameters(), strict=True)
    assert all(torch.equal(a, b) for a, b in pairs)
    logits = model(torch.rand(5, PIXELS))
    assert logits.shape == (5, CLASSES) and (logits < 0).any()  # raw scores, not probabilities


def test_accuracy_and_evaluate():
    logits = torch.tensor([[0.0, 2.0], [3.0, 1.0], [0.0, 1.0]])
    assert digit_training.accuracy(logits, torch.tensor([1, 0, 0])) == pytest.approx(2 / 3)
    model = digit_training.digits_network()
    x, labels = torch.rand(20, PIXELS), torch.randint(0, CLASSES, (20,))
    loss, acc = digit_training.evaluate(model, x, labels)
    assert not model.training and isinstance(loss, float) and 0 <= acc <= 1


@pytest.mark.parametrize(("batch_size", "seed"), [(64, 0), (100, 3)])
def test_training_batches_are_those_of_the_notebooks_plain_data_loader(split, batch_size, seed):
    """fit's faster loader gives the batches notebook 09's DataLoader gives, epoch after epoch."""
    plain = DataLoader(TensorDataset(split.x_train, split.y_train), batch_size=batch_size,
                       shuffle=True, generator=torch.Generator().manual_seed(seed))
    fast = digit_training.training_batches(split, batch_size=batch_size, seed=seed)
    first_batches = []
    for _epoch in range(3):
        pairs = list(zip(plain, fast, strict=True))
        assert len(pairs) == -(-len(split.y_train) // batch_size)  # the last batch is kept
        for (x_plain, y_plain), (x_fast, y_fast) in pairs:
            assert torch.equal(x_plain, x_fast) and torch.equal(y_plain, y_fast)
        first_batches.append(pairs[0][1][1])
    assert not torch.equal(first_batches[0], first_batches[1])  # a new order every epoch


def test_fit_reaches_95_percent_and_is_reproducible(split):
    runs = []
    for _ in range(2):
        model = digit_training.digits_network(seed=0)
        runs.append(digit_training.fit(model, split, torch.optim.Adam(model.parameters(), lr=1e-2),
                                       epochs=10))  # notebook 09's final loop
    history = runs[0]
    assert history.epochs == 10 and len(history.train_loss) == 11
    assert history.val_loss[0] == pytest.approx(2.30, abs=0.05)  # about ln(10) before training
    assert history.val_accuracy[-1] >= 0.95
    assert runs[0].val_accuracy == runs[1].val_accuracy


def test_the_learning_rate_sweep_goes_from_slow_to_good_to_blown_up(split):
    accuracies = digit_training.accuracy_by_learning_rate(split, [1e-3, 0.3, 10.0], epochs=3)
    assert accuracies[0] < 0.5 < 0.85 < accuracies[1]
    assert accuracies[2] < 0.2  # the loss blew up: chance level
