"""Values as plain data, and short descriptions of them for reports.

The format is the reference files': a tensor is {"tensor": {"dtype", "shape",
"values"}} with its values flat in row-major order, a tuple is {"tuple": [...]},
anything else JSON has is itself. A student's result is described by
`describe_result`, which never calls the object's own methods: it reads
tensors through torch's C base class and otherwise reports only the type.
"""
import torch

DTYPES = {"float32": torch.float32, "float64": torch.float64}
_TensorBase = torch._C.TensorBase  # a C type: a subclass cannot change what its methods return


def dtype_name(dtype):
    return str(dtype).replace("torch.", "")


def flatten(nested):
    """A nested list as a flat list, row-major."""
    if type(nested) is not list:
        return [nested]
    return [value for item in nested for value in flatten(item)]


def shape_of_nested(nested):
    shape = []
    while type(nested) is list:
        shape.append(len(nested))
        nested = nested[0] if nested else None
    return tuple(shape)


def tensor_record(value):
    """{"dtype", "shape", "values"} of a tensor, read through its C base class."""
    flat = _TensorBase.reshape(_TensorBase.detach(value), (-1,))
    return {"dtype": dtype_name(_TensorBase.dtype.__get__(value)), "shape": list(_TensorBase.size(value)),
            "values": _TensorBase.tolist(flat)}


def encode(value):
    """An argument or an expected value (plain tensors, tuples, JSON values) as plain data."""
    if type(value) is torch.Tensor:
        return {"tensor": tensor_record(value)}
    if type(value) is tuple:
        return {"tuple": [encode(item) for item in value]}
    return value


def decode(data):
    """Plain data -> a fresh value: every call makes new tensors, so no case sees another's input."""
    if type(data) is dict and "tensor" in data:
        record = data["tensor"]
        return torch.tensor(record["values"], dtype=DTYPES[record["dtype"]]).reshape(tuple(record["shape"]))
    if type(data) is dict and "tuple" in data:
        return tuple(decode(item) for item in data["tuple"])
    return data


def describe_result(value):
    """What a student's function returned, as plain data for the comparison (see compare.py)."""
    kind = type(value)
    if kind is torch.Tensor:
        return {"tensor": tensor_record(value)}
    if isinstance(value, _TensorBase):
        return {"other": type_name(kind), "tensor_subclass": True}
    if kind in (tuple, torch.Size):
        return {"tuple": [describe_result(item) for item in value], "size": kind is torch.Size}
    if value is None or kind in (bool, int, float, str):
        return {"plain": value if kind is not str else value[:200]}
    return {"other": type_name(kind)}


def type_name(kind):
    """The type's qualified name (`numpy.ndarray`), read from the type itself, never from the student's methods."""
    module = type.__dict__["__module__"].__get__(kind, type)
    name = type.__dict__["__qualname__"].__get__(kind, type)
    if type(module) is not str or module == "builtins":
        return str(name)[:200]
    return f"{module}.{name}"[:200]


def describe(value):
    """A short description of a plain value or of a described result, for a report line."""
    if type(value) is torch.Tensor:
        value = {"tensor": tensor_record(value)}
    if type(value) is dict and "tensor" in value:
        record = value["tensor"]
        if not record["shape"] and len(record["values"]) == 1:  # a 0-d tensor: its value says more than its shape
            return f"tensor({record['values'][0]!r}, dtype={record['dtype']})"
        dims = "×".join(str(n) for n in record["shape"])
        return f"<{dims} {record['dtype']} tensor>"
    if type(value) is dict and "tuple" in value:
        inner = ", ".join(describe(item) for item in value["tuple"])
        return f"({inner},)" if len(value["tuple"]) == 1 else f"({inner})"
    if type(value) is tuple:
        return describe({"tuple": list(value)})
    if type(value) is dict and "plain" in value:
        return repr(value["plain"])
    if type(value) is dict and "other" in value:
        return f"<{value['other']} object>"
    if value is None or type(value) in (bool, int, float, str):
        return repr(value)
    return f"<{type(value).__name__} object>"


def describe_call(name, args, kwargs):
    parts = [describe(a) for a in args] + [f"{k}={describe(v)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"
