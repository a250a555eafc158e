"""Does the digits split and training loop of the course library (pooling_course.digit_training) hold its promises?"""
import dataclasses
import math

import pytest
import torch
from torch import nn

from pooling_course.digit_training import accuracy, load_digit_split, train_classifier


@pytest.fixture(scope="module")
def split():
    return load_digit_split()


def tiny_classifier():
    torch.manual_seed(0)
    return nn.Sequential(nn.Flatten(), nn.Dropout(0.2), nn.Linear(64, 10))


def test_split_shapes_ranges_and_sizes(split):
    """Are the 1,797 digits split 3:1 into (N, 1, 8, 8) float images in [0, 1] and int64 labels?"""
    assert split.X_train.shape[1:] == split.X_test.shape[1:] == (1, 8, 8)
    assert split.X_train.dtype == torch.float32 and split.y_train.dtype == torch.int64
    assert len(split.X_train) + len(split.X_test) == 1797
    assert len(split.X_test) == math.ceil(0.25 * 1797)  # scikit-learn rounds the held-out part up
    assert split.X_train.min() >= 0 and split.X_train.max() == 1


def test_split_is_stratified_and_repeatable(split):
    """Does every class keep its share in both halves, and does the same seed give the same split?"""
    train_share = torch.bincount(split.y_train) / len(split.y_train)
    test_share = torch.bincount(split.y_test) / len(split.y_test)
    assert (train_share - test_share).abs().max() < 0.01
    assert torch.equal(load_digit_split().X_test, split.X_test)
    assert not torch.equal(load_digit_split(seed=1).X_test, split.X_test)


def test_same_arguments_train_identically(split):
    """Do two calls with equal seeds give the same accuracy history, one entry per epoch?"""
    small = dataclasses.replace(split, X_train=split.X_train[:200], y_train=split.y_train[:200])
    histories = [train_classifier(tiny_classifier(), small, epochs=2) for _ in range(2)]
    assert histories[0] == histories[1]
    assert len(histories[0]["train_accuracy"]) == len(histories[0]["test_accuracy"]) == 2


def test_training_learns_the_digits(split):
    """Does a linear classifier trained for a few epochs beat chance by far on held-out digits?"""
    history = train_classifier(tiny_classifier(), split, epochs=5)
    assert history["test_accuracy"][-1] > 0.8


@pytest.mark.parametrize("was_training", [True, False])
def test_accuracy_evaluates_in_eval_mode_and_restores_the_mode(split, was_training):
    """Is accuracy measured without dropout, and is the model left in the mode it was in?"""
    model = tiny_classifier().train(was_training)
    first = accuracy(model, split.X_test, split.y_test)
    assert accuracy(model, split.X_test, split.y_test) == first  # no dropout noise
    assert model.training == was_training


@pytest.mark.parametrize("call, message", [
    (lambda split: load_digit_split(test_fraction=1.0), "test_fraction"),
    (lambda split: train_classifier(tiny_classifier(), split, epochs=0), "epochs"),
    (lambda split: train_classifier(tiny_classifier(), split, epochs=1, batch_size=0), "batch_size"),
])
def test_bad_arguments_are_named(split, call, message):
    """Does a bad argument raise a ValueError that names it?"""
    with pytest.raises(ValueError, match=message):
        call(split)
