"""course_utils.stratified gives exactly scikit-learn's stratified split, without importing it."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from course_utils.digits import load_digits_arrays, load_digits_split
from course_utils.stratified import split_sizes, stratified_split


def sklearn_indices(labels, seed, **sizes):
    """train_test_split's own (train, test) indices, for comparison."""
    everything = np.arange(len(labels))
    train, test = train_test_split(everything, stratify=labels, random_state=seed, **sizes)
    return train, test


@pytest.mark.parametrize("seed", [0, 1, 7, 42, 2026])
@pytest.mark.parametrize("test_size", [0.2, 0.1, 0.5, 0.33])
def test_a_test_fraction_splits_the_digits_exactly_as_scikit_learn(seed, test_size):
    _, labels = load_digits_arrays()
    ours = stratified_split(labels, *split_sizes(len(labels), test_size), seed)
    theirs = sklearn_indices(labels, seed, test_size=test_size)
    assert np.array_equal(ours[0], theirs[0]) and np.array_equal(ours[1], theirs[1])


@pytest.mark.parametrize("seed", [0, 3, 11])
@pytest.mark.parametrize("train_examples", [10, 13, 50, 97, 500, 1400])
def test_a_number_of_training_examples_splits_exactly_as_scikit_learn(seed, train_examples):
    _, labels = load_digits_arrays()
    labels = labels[:1437]
    ours = stratified_split(labels, *split_sizes(len(labels), train_examples=train_examples),
                            seed)
    theirs = sklearn_indices(labels, seed, train_size=train_examples)
    assert np.array_equal(ours[0], theirs[0]) and np.array_equal(ours[1], theirs[1])


@pytest.mark.parametrize("seed", range(12))
def test_ties_between_classes_are_broken_with_the_same_draws(seed):
    # Equal class sizes make every remainder tie: the random tie-breaks must match too.
    labels = np.repeat(np.arange(7), 5)
    ours = stratified_split(labels, *split_sizes(len(labels), 0.3), seed)
    theirs = sklearn_indices(labels, seed, test_size=0.3)
    assert np.array_equal(ours[0], theirs[0]) and np.array_equal(ours[1], theirs[1])


def test_parts_are_disjoint_and_keep_each_class_share():
    labels = np.array([0] * 40 + [1] * 20 + [2] * 10)
    train, test = stratified_split(labels, 35, 35, seed=0)
    assert set(train).isdisjoint(test) and len(train) == len(test) == 35
    assert np.bincount(labels[test]).tolist() == [20, 10, 5]


def test_the_digits_are_scikit_learns_arrays():
    pixels, labels = load_digits_arrays()
    bunch = load_digits()
    assert np.array_equal(pixels, bunch.data) and pixels.dtype == bunch.data.dtype
    assert np.array_equal(labels, bunch.target)


def test_the_split_is_train_test_splits_split_of_the_digits():
    bunch = load_digits()
    x_train, x_val, y_train, y_val = train_test_split(
        bunch.data, bunch.target, test_size=0.2, stratify=bunch.target, random_state=0)
    x_small, _, y_small, _ = train_test_split(
        x_train, y_train, train_size=50, stratify=y_train, random_state=0)
    split = load_digits_split(seed=0)
    small = load_digits_split(seed=0, train_examples=50)
    assert np.array_equal(split.x_train.numpy(), (x_train / 16).astype(np.float32))
    assert np.array_equal(split.y_val.numpy(), y_val)
    assert np.array_equal(small.x_train.numpy(), (x_small / 16).astype(np.float32))
    assert np.array_equal(small.y_train.numpy(), y_small)
    assert np.array_equal(small.x_val.numpy(), (x_val / 16).astype(np.float32))


def test_loading_the_split_never_imports_scikit_learn_or_scipy():
    code = ("import sys; from course_utils import load_digits_split; load_digits_split(seed=0);"
            "load_digits_split(seed=0, train_examples=50);"
            "print(sorted(m for m in ('sklearn', 'scipy') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=120)
    assert result.stdout.strip() == "[]"


def test_split_sizes_rounds_the_test_part_up_like_scikit_learn():
    assert split_sizes(1797, 0.2) == (1437, 360)
    assert split_sizes(1437, train_examples=50) == (50, 1387)
    with pytest.raises(ValueError):
        split_sizes(10)


def test_a_scikit_learn_without_the_digits_file_is_named_clearly(monkeypatch, tmp_path):
    import importlib.machinery
    import importlib.util

    from course_utils import digits

    fake = importlib.machinery.ModuleSpec("sklearn", None, is_package=True)
    fake.submodule_search_locations = [str(tmp_path)]
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: fake)
    with pytest.raises(FileNotFoundError, match="keeps no digits"):
        digits.digits_file()
