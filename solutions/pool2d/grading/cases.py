"""The hidden cases of pool2d, with their expected results from PyTorch's own pooling.

`make references` calls build_cases() and writes references.json beside this
file. Inputs come from fixed seeds, so a rerun changes nothing. None of these
cases repeats a public example, so hard-coding those earns no hidden case.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from course_checks.encoding import encode


def random_input(seed, shape, dtype=torch.float32, offset=0.0):
    """Standard-normal values from a fixed seed (negatives included), plus offset."""
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=dtype) + offset


def case(function, args, kwargs, expect):
    return {"function": function, "args": [encode(a) for a in args],
            "kwargs": {k: encode(v) for k, v in kwargs.items()}, "expect": expect}


def raises(*words):
    """A ValueError from an argument check: its message must name one of these words."""
    return {"raises": "ValueError", "mentioning": list(words)}


OUTPUT_IS_EMPTY = ("pool_size", "window", "empty", "output")


def pooled(X, kernel_size, stride, padding, mode):
    """PyTorch's pooling of a (..., H, W) tensor (count_include_pad=True, ceil_mode=False)."""
    if mode == "max":
        return F.max_pool2d(X, kernel_size, stride, padding)
    return F.avg_pool2d(X, kernel_size, stride, padding, count_include_pad=True)


def pool2d_cases():
    """pool2d: stride 1, no padding, on 2-D input."""
    cases = []
    for seed, shape, window, dtype in [
        (1, (4, 5), (2, 3), torch.float32), (2, (6, 4), (3, 2), torch.float64),
        (3, (5, 5), (1, 3), torch.float32), (4, (3, 4), (3, 4), torch.float64),
    ]:
        X = random_input(seed, shape, dtype)
        for mode in ("max", "avg"):
            Y = pooled(X[None, None], window, 1, 0, mode)[0, 0]
            cases.append(case("pool2d", (X, window), {"mode": mode}, encode(Y)))
    X = random_input(5, (4, 4), offset=-10.0)  # all negative: a max that starts from 0 fails
    cases.append(case("pool2d", (X, (2, 2)), {}, encode(pooled(X[None, None], 2, 1, 0, "max")[0, 0])))
    cases.append(case("pool2d", (X, (2, 2)), {"mode": "sum"}, raises("mode", "sum")))
    return cases


def pool2d_strided_cases():
    """pool2d_strided: default stride = window, stride != window, padding, both modes."""
    cases = []
    strided = [
        (6, (6, 6), 2, None, 0, torch.float32),
        (7, (7, 5), (3, 2), (2, 1), (1, 0), torch.float64),
        (8, (5, 6), 3, 2, 1, torch.float32),
        (9, (7, 7), 2, 3, 0, torch.float64),
        (10, (5, 5), 2, 2, 0, torch.float32),
        (11, (4, 4), 2, 2, 1, torch.float32),
    ]
    for seed, shape, window, stride, padding, dtype in strided:
        X = random_input(seed, shape, dtype, offset=-10.0 if seed == 11 else 0.0)
        for mode in ("max", "avg"):
            Y = pooled(X[None, None], window, stride if stride is not None else window, padding, mode)[0, 0]
            kwargs = {"padding": padding, "mode": mode} if stride is None else {
                "stride": stride, "padding": padding, "mode": mode}
            cases.append(case("pool2d_strided", (X, window), kwargs, encode(Y)))
    X = random_input(12, (5, 5))
    cases.append(case("pool2d_strided", (X, 3), {"padding": 2}, raises("padding")))
    cases.append(case("pool2d_strided", (X, (6, 2)), {}, raises(*OUTPUT_IS_EMPTY)))
    return cases


def pool2d_multichannel_cases():
    """pool2d_multichannel: batched and unbatched, channels that differ."""
    cases = []
    multichannel = [
        (13, (2, 3, 5, 5), 2, None, 0, torch.float32),
        (14, (3, 4, 6), (2, 3), (1, 2), (1, 1), torch.float64),
        (15, (1, 2, 4, 4), 2, 2, 1, torch.float32),
    ]
    for seed, shape, window, stride, padding, dtype in multichannel:
        X = random_input(seed, shape, dtype)
        X = X + 5.0 * torch.arange(shape[-3], dtype=dtype).reshape(-1, 1, 1)  # channels far apart
        for mode in ("max", "avg"):
            layer = (nn.MaxPool2d if mode == "max" else nn.AvgPool2d)(window, stride, padding)
            kwargs = {"padding": padding, "mode": mode} if stride is None else {
                "stride": stride, "padding": padding, "mode": mode}
            cases.append(case("pool2d_multichannel", (X, window), kwargs, encode(layer(X))))
    return cases


def pool_output_shape_cases():
    """pool_output_shape: read off nn.MaxPool2d, or the fact that it raises."""
    cases = []
    shapes = [
        ((31, 33), 2, {}), ((7, 9), 3, {"stride": 2, "padding": 1}),
        ((8, 6), 3, {"stride": 2, "ceil_mode": True}),
        ((5, 5), 2, {"stride": 2, "padding": 1, "ceil_mode": True}),
        ((7, 8), (2, 3), {"stride": (2, 2), "padding": (1, 1), "ceil_mode": True}),
        ((10, 12), 3, {"dilation": 2}), ((9, 11), (3, 2), {"stride": (1, 3), "dilation": (2, 1)}),
        ((6, 7), 4, {"stride": 3, "ceil_mode": True}), ((3, 3), 3, {"padding": 2}),
        ((3, 3), 5, {}), ((4, 4), 2, {"stride": 0}), ((9, 9), 3, {"padding": 2, "dilation": 2}),
    ]
    for size, kernel, kwargs in shapes:
        try:
            out = nn.MaxPool2d(kernel, **kwargs)(torch.zeros(1, 1, *size))
            expect = {"shape": list(out.shape[-2:])}
        except RuntimeError as error:
            expect = raises(*the_offending_argument(str(error)))
        cases.append(case("pool_output_shape", (size, kernel), kwargs, expect))
    return cases


def the_offending_argument(pytorch_message):
    """What the message of a ValueError must name, from PyTorch's own error for the same arguments."""
    if "stride" in pytorch_message:
        return ("stride",)
    if "pad" in pytorch_message:
        return ("padding",)
    return ("empty", "output", "kernel")


def build_cases():
    return pool2d_cases() + pool2d_strided_cases() + pool2d_multichannel_cases() + pool_output_shape_cases()
