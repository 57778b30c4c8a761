"""A stratified, seeded split of labelled examples: scikit-learn's, without importing it.

Notebook 09 splits the digits with `sklearn.model_selection.train_test_split(...,
stratify=labels, random_state=seed)`: every class keeps its share in both parts, and the
same seed gives the same split everywhere. Importing scikit-learn for that one call costs
about 2 s of CPU (it pulls in scipy), more than the whole split. This module does the same
steps with numpy's `RandomState`, in the same order, so it draws the same random numbers
and returns exactly the same indices (tests/test_stratified.py compares them with
scikit-learn's own for many seeds and sizes):

    >>> labels = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1, 1])
    >>> train, test = stratified_split(labels, n_train=5, n_test=5, seed=0)
    >>> sorted(labels[test].tolist())      # two 0s and three 1s: the same shares as in labels
    [0, 0, 1, 1, 1]

The steps (scikit-learn's `StratifiedShuffleSplit`, BSD licence):
1. how many of each class go to each part: each class's share of the part, rounded down,
   then the remaining places to the classes with the largest remainders (ties at random);
2. each class's examples are shuffled; the first ones go to training, the next to the test;
3. both parts are shuffled, so the classes are mixed.
"""

from __future__ import annotations

import numpy as np


def stratified_split(labels: np.ndarray, n_train: int, n_test: int,
                     seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of a training part and a test part that keep every class's share.

    labels: (N,) the class of every example. n_train, n_test: the sizes of the parts
    (n_train + n_test <= N). Returns (n_train,) and (n_test,) int arrays of indices into
    `labels`, disjoint. Same as `train_test_split(..., train_size=n_train,
    test_size=n_test, stratify=labels, random_state=seed)`.
    """
    rng = np.random.RandomState(seed)
    _, classes, class_counts = np.unique(labels, return_inverse=True, return_counts=True)
    by_class = np.split(np.argsort(classes, kind="stable"), np.cumsum(class_counts)[:-1])
    train_counts = _counts_per_class(class_counts, n_train, rng)
    test_counts = _counts_per_class(class_counts - train_counts, n_test, rng)
    train: list[int] = []
    test: list[int] = []
    for members, n_tr, n_te in zip(by_class, train_counts, test_counts, strict=True):
        shuffled = members.take(rng.permutation(len(members)), mode="clip")
        train.extend(shuffled[:n_tr])
        test.extend(shuffled[n_tr:n_tr + n_te])
    return rng.permutation(train), rng.permutation(test)


def split_sizes(n_examples: int, test_fraction: float | None = None,
                train_examples: int | None = None) -> tuple[int, int]:
    """(n_train, n_test) as train_test_split counts them from one of the two sizes.

    A test fraction is rounded up (0.2 of 1,797 is 360 test examples); a number of
    training examples leaves all the others to the test part.
    """
    if test_fraction is not None:
        n_test = int(np.ceil(test_fraction * n_examples))
        return n_examples - n_test, n_test
    if train_examples is None:
        raise ValueError("give test_fraction or train_examples")
    return train_examples, n_examples - train_examples


def _counts_per_class(class_counts: np.ndarray, n_draws: int,
                      rng: np.random.RandomState) -> np.ndarray:
    """How many of each class to draw so that the `n_draws` keep the classes' shares.

    Every class gets its share rounded down; the places left go to the classes with the
    largest remainders, ties broken at random with `rng` (scikit-learn's
    `_approximate_mode`, which draws from `rng` in this same order).
    """
    exact = class_counts / class_counts.sum() * n_draws
    counts = np.floor(exact)
    left = int(n_draws - counts.sum())
    remainder = exact - counts
    for value in np.sort(np.unique(remainder))[::-1]:
        if left <= 0:
            break
        (tied,) = np.where(remainder == value)
        chosen = rng.choice(tied, size=min(len(tied), left), replace=False)
        counts[chosen] += 1
        left -= len(chosen)
    return counts.astype(int)
