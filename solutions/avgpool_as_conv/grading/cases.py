"""The hidden cases of avgpool_as_conv, with their expected results from PyTorch's average pooling.

`make references` calls build_cases() and writes references.json beside this
file. Inputs come from fixed seeds, so a rerun changes nothing.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from course_checks.encoding import encode


def random_input(seed, shape, dtype=torch.float32):
    """Standard-normal values from a fixed seed (negatives included)."""
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=dtype)


def build_cases():
    cases = []
    for seed, shape, window, dtype in [
        (21, (5, 6), (2, 3), torch.float32), (22, (4, 4), (4, 4), torch.float64),
        (23, (6, 3), (1, 3), torch.float32), (24, (5, 5), (3, 3), torch.float64),
    ]:
        X = random_input(seed, shape, dtype)
        Y = F.avg_pool2d(X[None, None], window, 1, 0)[0, 0]
        cases.append({"function": "avg_pool_as_conv2d", "args": [encode(X), encode(window)], "kwargs": {},
                      "expect": encode(Y)})
    for seed, (N, C, H, W), kernel, kwargs in [
        (25, (2, 3, 6, 6), 3, {"stride": 1, "padding": 1}),
        (26, (1, 4, 6, 7), (2, 3), {"stride": (2, 1)}),
        (27, (2, 1, 5, 5), 2, {}),
        (28, (1, 2, 7, 5), 3, {"stride": 2, "padding": 1}),
    ]:
        X = random_input(seed, (N, C, H, W))
        X = X + 5.0 * torch.arange(C, dtype=X.dtype).reshape(-1, 1, 1)  # channels far apart
        Y = nn.AvgPool2d(kernel, **kwargs)(X)
        cases.append({"function": "avg_pool_conv_layer", "args": [C, encode(kernel)],
                      "kwargs": {k: encode(v) for k, v in kwargs.items()},
                      "expect": {"layer_input": encode(X), "layer_output": encode(Y)}})
    return cases
