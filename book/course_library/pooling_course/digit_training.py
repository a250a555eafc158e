"""Train and evaluate small classifiers on scikit-learn's bundled 8×8 digits.

The digits ship inside scikit-learn (``sklearn.datasets.load_digits``), so
nothing is downloaded. Part III's chapters use this module so that every
network there is trained by the same loop, on the same split.
"""
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

# load_digits stores pixel intensities as integers 0..16.
MAX_INTENSITY = 16.0


@dataclass(frozen=True)
class DigitSplit:
    """A train/held-out split of the digits.

    X_train, X_test: float32 images of shape (N, 1, 8, 8), values in [0, 1].
    y_train, y_test: int64 class labels 0..9 of shape (N,).
    """

    X_train: torch.Tensor
    y_train: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor


def load_digit_split(test_fraction=0.25, seed=0):
    """The 1,797 digits split into train and held-out sets, stratified by class.

    The same seed always gives the same split. Raises ValueError if
    test_fraction is not strictly between 0 and 1.
    """
    if not 0 < test_fraction < 1:
        raise ValueError(f"load_digit_split: test_fraction must be in (0, 1), got {test_fraction}")
    digits = load_digits()
    images = digits.images / MAX_INTENSITY
    train_images, test_images, train_labels, test_labels = train_test_split(
        images, digits.target, test_size=test_fraction, random_state=seed, stratify=digits.target
    )

    def as_batch(array):
        return torch.tensor(array, dtype=torch.float32).unsqueeze(1)

    return DigitSplit(
        X_train=as_batch(train_images),
        y_train=torch.tensor(train_labels, dtype=torch.int64),
        X_test=as_batch(test_images),
        y_test=torch.tensor(test_labels, dtype=torch.int64),
    )


def accuracy(model, X, y):
    """Fraction of images in X (N, 1, 8, 8) whose predicted class equals y (N,).

    Evaluates in eval() mode, so dropout is off and batch norm uses its
    running statistics, then puts the model back in the mode it was in.
    """
    was_training = model.training
    model.eval()
    with torch.no_grad():
        predicted = model(X).argmax(dim=1)
    model.train(was_training)
    return (predicted == y).float().mean().item()


def train_classifier(model, split, epochs, batch_size=32, lr=3e-3, seed=0):
    """Train model on split.X_train with Adam and cross-entropy, one pass per epoch.

    model: maps (B, 1, 8, 8) images to (B, 10) logits.
    The mini-batch order comes from its own generator seeded with seed, so
    two calls with equal arguments (and equal global torch seed, for any
    randomness inside the model) train identically.
    Returns a dict of per-epoch lists: "train_accuracy" and "test_accuracy",
    both measured in eval() mode after the epoch.
    Raises ValueError if epochs or batch_size is less than 1.
    """
    if epochs < 1:
        raise ValueError(f"train_classifier: epochs must be at least 1, got {epochs}")
    if batch_size < 1:
        raise ValueError(f"train_classifier: batch_size must be at least 1, got {batch_size}")
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    order_generator = torch.Generator().manual_seed(seed)
    history = {"train_accuracy": [], "test_accuracy": []}
    n_train = len(split.y_train)
    for _ in range(epochs):
        model.train()
        order = torch.randperm(n_train, generator=order_generator)
        for start in range(0, n_train, batch_size):
            batch = order[start:start + batch_size]
            loss = F.cross_entropy(model(split.X_train[batch]), split.y_train[batch])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        history["train_accuracy"].append(accuracy(model, split.X_train, split.y_train))
        history["test_accuracy"].append(accuracy(model, split.X_test, split.y_test))
    return history
