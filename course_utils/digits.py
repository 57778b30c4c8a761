"""The capstone's data: scikit-learn's bundled handwritten digits, split and scaled.

`sklearn.datasets.load_digits` ships inside the scikit-learn package (1,797 images of
8x8 pixels, each pixel an ink level from 0 to 16, ten classes 0-9), so nothing is
downloaded when a notebook runs. `load_digits_split` turns it into what notebook 09 trains on:

    >>> split = load_digits_split(seed=0)
    >>> split.x_train.shape, split.y_train.shape      # (N, 64) pixels, (N,) class indices
    (torch.Size([1437, 64]), torch.Size([1437]))
    >>> split.x_val.shape                             # 20% held out, the same share per class
    torch.Size([360, 64])

- inputs are float32, scaled from 0..16 to 0..1 (pixel / 16): the network's first layer sees
  numbers of the size its default initial weights expect;
- labels are int64 class indices, the form `nn.CrossEntropyLoss` takes;
- the split is stratified (each digit keeps its share in both parts) and seeded, so the
  same seed gives exactly the same split on every machine.

The data is read from the file scikit-learn ships (`sklearn/datasets/data/digits.csv.gz`,
what `load_digits` reads) and split the way `train_test_split(..., stratify=...)` splits it
(course_utils.stratified): the same arrays, without importing scikit-learn, which pulls in
scipy and took longer (about 2 s) than everything else notebook 09 does before it trains.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from .stratified import split_sizes, stratified_split

PIXELS = 64  # an 8x8 image, flattened into one row
IMAGE_SHAPE = (8, 8)
CLASSES = 10  # the digits 0-9
PIXEL_MAX = 16.0  # ink levels in load_digits go from 0 to 16
VALIDATION_FRACTION = 0.2
SEED = 0


@dataclass(frozen=True)
class DigitsSplit:
    """Training and validation parts of the digits, as tensors.

    x_train (N_train, 64) float32 in [0, 1]; y_train (N_train,) int64 in 0..9;
    x_val (N_val, 64) and y_val (N_val,) likewise. `seed` is the seed that made the split.
    """

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    seed: int

    def images(self, part: str = "train") -> torch.Tensor:
        """The inputs of `part` ("train" or "val") as images: (N, 8, 8)."""
        x = self.x_train if part == "train" else self.x_val
        return x.reshape(-1, *IMAGE_SHAPE)


def digits_file() -> Path:
    """Where scikit-learn keeps the digits: one CSV row per image, 64 pixels then the label."""
    spec = importlib.util.find_spec("sklearn")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("notebook 09 reads the digits that ship with scikit-learn: "
                                  "`make lab` installs it into .venv (or pip install "
                                  "scikit-learn)")
    path = Path(spec.submodule_search_locations[0]) / "datasets" / "data" / "digits.csv.gz"
    if not path.is_file():
        raise FileNotFoundError(f"this scikit-learn keeps no digits at {path}: the course reads "
                                "the file of scikit-learn 1.9 (`make lab` installs it)")
    return path


def load_digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    """All 1,797 digits as numpy arrays: pixels (1797, 64) float64 in 0..16, labels (1797,).

    The same arrays as `sklearn.datasets.load_digits()`'s `data` and `target`.
    """
    table = np.loadtxt(digits_file(), delimiter=",")
    return table[:, :-1], table[:, -1].astype(int)


def load_digits_split(
    seed: int = SEED,
    validation_fraction: float = VALIDATION_FRACTION,
    train_examples: int | None = None,
) -> DigitsSplit:
    """The digits split into training and validation parts, scaled to [0, 1], as tensors.

    seed: makes the split (and the optional smaller training set) reproducible.
    validation_fraction: the share of every class held out for validation (0.2: 360 images).
    train_examples: keep only this many training examples (again stratified), to make
        overfitting visible; the validation part stays the same.
    """
    if not 0 < validation_fraction < 1:
        raise ValueError(f"validation_fraction must be between 0 and 1, got {validation_fraction}")
    pixels, labels = load_digits_arrays()
    train, val = stratified_split(labels, *split_sizes(len(labels), validation_fraction), seed)
    x_train, x_val, y_train, y_val = pixels[train], pixels[val], labels[train], labels[val]
    if train_examples is not None:
        if not CLASSES <= train_examples <= len(y_train):
            raise ValueError(f"train_examples must be between {CLASSES} and {len(y_train)}, "
                             f"got {train_examples}")
        if train_examples < len(y_train):
            keep, _ = stratified_split(
                y_train, *split_sizes(len(y_train), train_examples=train_examples), seed)
            x_train, y_train = x_train[keep], y_train[keep]
    return DigitsSplit(_scaled(x_train), _indices(y_train), _scaled(x_val), _indices(y_val), seed)


def _scaled(pixels: np.ndarray) -> torch.Tensor:
    """Ink levels 0..16 as float32 numbers in [0, 1]."""
    return torch.from_numpy((pixels / PIXEL_MAX).astype(np.float32))


def _indices(labels: np.ndarray) -> torch.Tensor:
    """Labels as int64 class indices (what nn.CrossEntropyLoss expects)."""
    return torch.from_numpy(labels.astype(np.int64))
