"""Generate the reference cases the hidden tests grade against: `make references`.

For each assignment this writes autograder/references/<assignment>.json: a
list of cases, each naming the student function, its arguments (input
tensors included, from fixed seeds) and the expected result computed by
PyTorch's own operators (`F.max_pool2d`, `F.avg_pool2d`, `nn.MaxPool2d`,
`nn.AvgPool2d`), or the fact that the call must raise ValueError. A
manifest.json holds the SHA-256 of every file; the hidden tests refuse a
file that does not match it. Output is deterministic (fixed seeds, sorted
keys, exact float reprs), so a rerun on an unchanged tree changes nothing.

Tensors are stored as {"tensor": {"dtype", "shape", "values"}} with values
flattened in row-major order; tuples as {"tuple": [...]}, since JSON has none.

    python -m autograder.references           # rewrite the files
    python -m autograder.references --check   # exit 1 if the files drift
"""
import argparse
import hashlib
import json
import sys
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

from . import REPO_ROOT

REFERENCES_DIR = REPO_ROOT / "autograder" / "references"
DTYPE_NAMES = {torch.float32: "float32", torch.float64: "float64"}


def encode(value):
    """A case argument or result as JSON: tensors and tuples tagged, the rest as is."""
    if isinstance(value, torch.Tensor):
        return {"tensor": {
            "dtype": DTYPE_NAMES[value.dtype],
            "shape": list(value.shape),
            "values": [float(v) for v in value.reshape(-1).tolist()],
        }}
    if isinstance(value, tuple):
        return {"tuple": [encode(v) for v in value]}
    return value


def random_input(seed, shape, dtype=torch.float32, offset=0.0):
    """Standard-normal values from a fixed seed (negatives included), plus offset."""
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=generator, dtype=dtype) + offset


def case(function, args, kwargs, expect):
    return {"function": function, "args": [encode(a) for a in args],
            "kwargs": {k: encode(v) for k, v in kwargs.items()}, "expect": expect}


def pooled(X, kernel_size, stride, padding, mode):
    """PyTorch's pooling of a (..., H, W) tensor (count_include_pad=True, ceil_mode=False)."""
    if mode == "max":
        return F.max_pool2d(X, kernel_size, stride, padding)
    return F.avg_pool2d(X, kernel_size, stride, padding, count_include_pad=True)


def pool2d_cases():
    cases = []
    # pool2d: stride 1, no padding, on 2-D input.
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
    cases.append(case("pool2d", (X, (2, 2)), {"mode": "sum"}, {"raises": "ValueError"}))

    # pool2d_strided: default stride = window, stride != window, padding, both modes.
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
    cases.append(case("pool2d_strided", (X, 3), {"padding": 2}, {"raises": "ValueError"}))
    cases.append(case("pool2d_strided", (X, (6, 2)), {}, {"raises": "ValueError"}))

    # pool2d_multichannel: batched and unbatched, channels that differ.
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

    # pool_output_shape: read off nn.MaxPool2d, or the fact that it raises.
    # None repeats a public example, so hard-coding those earns no hidden case.
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
        except RuntimeError:
            expect = {"raises": "ValueError"}
        cases.append(case("pool_output_shape", (size, kernel), kwargs, expect))
    return cases


def avgpool_as_conv_cases():
    cases = []
    for seed, shape, window, dtype in [
        (21, (5, 6), (2, 3), torch.float32), (22, (4, 4), (4, 4), torch.float64),
        (23, (6, 3), (1, 3), torch.float32), (24, (5, 5), (3, 3), torch.float64),
    ]:
        X = random_input(seed, shape, dtype)
        cases.append(case("avg_pool_as_conv2d", (X, window), {}, encode(pooled(X[None, None], window, 1, 0, "avg")[0, 0])))
    for seed, (N, C, H, W), kernel, kwargs in [
        (25, (2, 3, 6, 6), 3, {"stride": 1, "padding": 1}),
        (26, (1, 4, 6, 7), (2, 3), {"stride": (2, 1)}),
        (27, (2, 1, 5, 5), 2, {}),
        (28, (1, 2, 7, 5), 3, {"stride": 2, "padding": 1}),
    ]:
        X = random_input(seed, (N, C, H, W))
        X = X + 5.0 * torch.arange(C, dtype=X.dtype).reshape(-1, 1, 1)
        Y = nn.AvgPool2d(kernel, **kwargs)(X)
        cases.append(case("avg_pool_conv_layer", (C, kernel), kwargs,
                          {"layer_input": encode(X), "layer_output": encode(Y)}))
    return cases


CASE_BUILDERS = {"pool2d": pool2d_cases, "avgpool_as_conv": avgpool_as_conv_cases}


def reference_files():
    """{file name: bytes} for every reference file and the manifest."""
    files = {}
    for assignment, build in CASE_BUILDERS.items():
        document = {"assignment": assignment, "cases": build()}
        files[f"{assignment}.json"] = (json.dumps(document, sort_keys=True, indent=1) + "\n").encode()
    manifest = {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())}
    files["manifest.json"] = (json.dumps(manifest, sort_keys=True, indent=2) + "\n").encode()
    return files


def drifted_files(folder=REFERENCES_DIR):
    """Names of reference files in folder that differ from a fresh generation (or are missing)."""
    return sorted(
        name for name, data in reference_files().items()
        if not (folder / name).is_file() or (folder / name).read_bytes() != data
    )


def write_references(folder=REFERENCES_DIR):
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in reference_files().items():
        (folder / name).write_bytes(data)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograder.references", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report files that drift; exit 1 if any")
    args = parser.parse_args(argv)
    if args.check:
        drifted = drifted_files()
        for name in drifted:
            print(f"drifted: autograder/references/{name} (run `make references`)", file=sys.stderr)
        return 1 if drifted else 0
    write_references()
    print(f"wrote {REFERENCES_DIR.relative_to(REPO_ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
