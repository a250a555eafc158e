"""Does the loop pool2d of the course library (pooling_course.from_scratch) agree with PyTorch?"""
import pytest
import torch
import torch.nn.functional as F

from pooling_course.from_scratch import pool2d


@pytest.mark.parametrize("pool_size", [(1, 1), (2, 2), (2, 3), (3, 1)])
@pytest.mark.parametrize("mode, torch_pool", [
    ("max", lambda X, size: F.max_pool2d(X, size, stride=1)),
    ("avg", lambda X, size: F.avg_pool2d(X, size, stride=1)),
    ("sum", lambda X, size: F.avg_pool2d(X, size, stride=1) * size[0] * size[1]),
])
def test_each_mode_matches_pytorch_at_stride_one(pool_size, mode, torch_pool):
    """Is every mode PyTorch's pooling with stride 1 and no padding, in shape and value?"""
    X = torch.randn(5, 6, generator=torch.Generator().manual_seed(0))
    expected = torch_pool(X[None, None], pool_size)[0, 0]
    Y = pool2d(X, pool_size, mode)
    assert Y.shape == (5 - pool_size[0] + 1, 6 - pool_size[1] + 1)
    assert torch.allclose(Y, expected, atol=1e-6)


def test_output_keeps_the_input_dtype():
    """Does a float64 input give a float64 output?"""
    assert pool2d(torch.ones(3, 3, dtype=torch.float64), (2, 2)).dtype == torch.float64


@pytest.mark.parametrize("pool_size, mode, message", [
    ((2, 2), "median", "mode must be"),
    ((4, 2), "max", "does not fit"),
    ((2, 4), "avg", "does not fit"),
])
def test_bad_arguments_are_named(pool_size, mode, message):
    """Does an unknown mode, or a window larger than X, raise a ValueError that says so?"""
    with pytest.raises(ValueError, match=message):
        pool2d(torch.zeros(3, 3), pool_size, mode)
