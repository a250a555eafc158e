"""Do values cross the sandbox's boundary as plain data, and only as plain data?"""
import pytest
import torch

from autograder.inside import values


def test_plain_values_and_tensors_round_trip():
    """Does every kind of plain value, and a tensor of each float dtype, come back equal?"""
    value = [None, True, 3, 2.5, "x", (1, (2, 3)), {"k": [1, 2]}]
    assert values.decode(values.encode(value)) == value
    for dtype in (torch.float32, torch.float64, torch.int64, torch.bool):
        tensor = torch.arange(6).reshape(2, 3).to(dtype)
        back = values.decode(values.encode(tensor))
        assert back.dtype == dtype and torch.equal(back, tensor)


def test_what_cannot_be_plain_data_is_named_not_sent():
    """Do a function, a module and a tensor subclass become a named placeholder, without calling them?"""
    class Sneaky(torch.Tensor):
        def tolist(self):
            raise AssertionError("the encoder must not call a subclass's methods")

    encoded = values.encode([len, torch, torch.zeros(2).as_subclass(Sneaky)])
    assert encoded == [{"unsupported": "builtin_function_or_method"}, {"unsupported": "module"},
                       {"unsupported": "Sneaky (a subclass of torch.Tensor)"}]
    assert all(isinstance(v, values.Unsupported) for v in values.decode(encoded))


def test_values_too_large_or_too_deep_are_refused():
    """Is a value over the element budget or the nesting limit refused rather than sent?"""
    with pytest.raises(values.Unencodable):
        values.encode(torch.zeros(values.MAX_ELEMENTS + 1))
    nested = []
    for _ in range(values.MAX_DEPTH + 2):
        nested = [nested]
    with pytest.raises(values.Unencodable):
        values.encode(nested)


@pytest.mark.parametrize("data", [
    {"tensor": {"dtype": "float32", "shape": [2, 2], "values": [1.0, 2.0, 3.0]}},
    {"tensor": {"dtype": "complex64", "shape": [1], "values": [1.0]}},
    {"tensor": {"dtype": "float32", "shape": [1], "values": ["1"]}},
    {"tuple": [1], "extra": 2},
    {"pickle": "gASV"},
])
def test_malformed_data_is_refused(data):
    """Is data that breaks the format (wrong counts, dtypes, types, tags) refused by the decoder?"""
    with pytest.raises(ValueError):
        values.decode(data)
