"""Does the loop pool_windows of the course library (pooling_course.from_scratch) agree with PyTorch?"""
import pytest
import torch
import torch.nn.functional as F

from pooling_course.from_scratch import pool_windows


@pytest.mark.parametrize("window", [(1, 1), (2, 2), (2, 3), (3, 1)])
@pytest.mark.parametrize("reduce, torch_pool", [
    (torch.max, lambda X, size: F.max_pool2d(X, size, stride=1)),
    (torch.mean, lambda X, size: F.avg_pool2d(X, size, stride=1)),
    (torch.sum, lambda X, size: F.avg_pool2d(X, size, stride=1) * size[0] * size[1]),
])
def test_each_reduction_matches_pytorch_at_stride_one(window, reduce, torch_pool):
    """With max, mean or sum, is it PyTorch's pooling with stride 1 and no padding, in shape and value?"""
    X = torch.randn(5, 6, generator=torch.Generator().manual_seed(0))
    expected = torch_pool(X[None, None], window)[0, 0]
    Y = pool_windows(X, window, reduce)
    assert Y.shape == (5 - window[0] + 1, 6 - window[1] + 1)
    assert torch.allclose(Y, expected, atol=1e-6)


def test_output_keeps_the_input_dtype():
    """Does a float64 input give a float64 output?"""
    assert pool_windows(torch.ones(3, 3, dtype=torch.float64), (2, 2), torch.mean).dtype == torch.float64


def test_any_reduction_is_applied_to_each_window():
    """Is `reduce` called on each window as it is, e.g. a window's range (max - min)?"""
    X = torch.tensor([[0.0, 5.0, 1.0], [2.0, 2.0, 9.0]])
    assert pool_windows(X, (2, 2), lambda window: window.max() - window.min()).tolist() == [[5.0, 8.0]]


@pytest.mark.parametrize("window", [(4, 2), (2, 4)])
def test_a_window_larger_than_the_input_is_refused(window):
    """Does a window larger than X raise a ValueError that says so?"""
    with pytest.raises(ValueError, match="does not fit"):
        pool_windows(torch.zeros(3, 3), window, torch.max)
