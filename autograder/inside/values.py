"""Plain data for the values that cross the sandbox's boundary, both ways.

JSON carries None, booleans, numbers, strings and lists as they are; every
other value is an object with one tag:

    {"tuple": [...]}                       a tuple
    {"dict": [[key, value], ...]}          a dict (keys are encoded too)
    {"tensor": {"dtype": "float32", "shape": [2, 3], "values": [...]}}
                                           a torch tensor, values flat in row-major order

`encode` runs in the student's process, so a value it cannot describe (a
function, a module, a tensor subclass that misbehaves) becomes
{"unsupported": "<type name>"} rather than an error. `decode` runs on the
trusted side too: it builds only plain Python values and fresh tensors.
"""
import math

MAX_ELEMENTS = 2_000_000
MAX_DEPTH = 32
TENSOR_DTYPES = ("float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool")


class Unencodable(ValueError):
    """A value too large or too deep to send."""


def _tensor_record(value, torch, budget):
    base = torch._C.TensorBase  # read through the C type: a subclass's overrides are not called
    dtype = str(base.dtype.__get__(value)).replace("torch.", "")
    if dtype not in TENSOR_DTYPES:
        return {"unsupported": f"tensor of dtype {dtype}"}
    shape = list(base.size(value))
    count = math.prod(shape)
    budget[0] -= count
    if budget[0] < 0:
        raise Unencodable(f"a tensor of {count} elements is too large to send")
    flat = base.reshape(base.detach(value), (-1,))
    return {"tensor": {"dtype": dtype, "shape": shape, "values": base.tolist(flat)}}


def encode(value, *, _depth=0, _budget=None):
    """value -> plain JSON data (see the module docstring). Raises Unencodable when over the limits."""
    budget = [MAX_ELEMENTS] if _budget is None else _budget
    if _depth > MAX_DEPTH:
        raise Unencodable("a value nested too deeply to send")
    kind = type(value)
    if value is None or kind in (bool, int, float, str):
        if kind is str:
            budget[0] -= len(value)
        if kind is int and abs(value) > 2 ** 63:
            return {"unsupported": "int larger than 64 bits"}
        return value
    budget[0] -= 1
    if budget[0] < 0:
        raise Unencodable("a value too large to send")
    if kind in (list, tuple):
        items = [encode(item, _depth=_depth + 1, _budget=budget) for item in value]
        return items if kind is list else {"tuple": items}
    if kind is dict:
        return {"dict": [[encode(k, _depth=_depth + 1, _budget=budget), encode(v, _depth=_depth + 1, _budget=budget)]
                         for k, v in value.items()]}
    torch = _torch_if_loaded()
    if torch is not None and isinstance(value, torch._C.TensorBase):
        if kind is not torch.Tensor:
            return {"unsupported": f"{kind.__name__} (a subclass of torch.Tensor)"}
        return _tensor_record(value, torch, budget)
    return {"unsupported": kind.__name__}


def _torch_if_loaded():
    import sys

    return sys.modules.get("torch")


def decode(data):
    """Plain JSON data -> the value it describes. Raises ValueError for data that breaks the format."""
    if data is None or type(data) in (bool, int, float, str):
        return data
    if type(data) is list:
        return [decode(item) for item in data]
    if type(data) is not dict or len(data) != 1:
        raise ValueError("an encoded value must be a JSON scalar, a list or an object with one tag")
    (tag, body), = data.items()
    if tag == "tuple" and type(body) is list:
        return tuple(decode(item) for item in body)
    if tag == "dict" and type(body) is list and all(type(p) is list and len(p) == 2 for p in body):
        return {decode(k): decode(v) for k, v in body}
    if tag == "tensor" and type(body) is dict:
        return _decode_tensor(body)
    if tag == "unsupported" and type(body) is str:
        return Unsupported(body)
    raise ValueError(f"unknown value tag {tag!r}")


def _decode_tensor(body):
    import torch

    dtype, shape, values = body.get("dtype"), body.get("shape"), body.get("values")
    if dtype not in TENSOR_DTYPES or type(shape) is not list or type(values) is not list:
        raise ValueError("a tensor needs a known dtype, a shape list and a values list")
    if not all(type(n) is int and n >= 0 for n in shape) or math.prod(shape) != len(values):
        raise ValueError("a tensor's shape does not match its number of values")
    if not all(type(v) in (int, float, bool) for v in values):
        raise ValueError("a tensor's values must be numbers")
    return torch.tensor(values, dtype=getattr(torch, dtype)).reshape(shape)


class Unsupported:
    """Stands for a value the student's process could not send (its type name is all we know)."""

    def __init__(self, type_name):
        self.type_name = type_name[:100]

    def __repr__(self):
        return f"<{self.type_name} object from the sandbox>"
