"""Whether a case passed: the runner's report (runner.py) against the expected result.

At grading time this runs in the grader's process, never in the student's.
`judge` returns None for a pass, otherwise one line saying what differed:
for a tensor, where, and the expected against the obtained value at the
first difference, hidden cases included (the reference files themselves
never reach the student's process; the feedback after grading may show
their values), followed by the likely mistake when diagnosis.py sees one.

Expected results, as the reference files store them:

    {"tensor": {"dtype", "shape", "values"}}     the returned tensor
    {"shape": [H_out, W_out]}                     the returned tuple of ints
    {"raises": "ValueError", "mentioning": [...]} the call must raise ValueError from an argument
                                                  check: its message names one of these words
    {"layer_output": {"tensor": ...}}             the returned nn.Conv2d's output on the probe input
"""
import math

from .diagnosis import MAX_PRINTED_CHARS, one_line, shape_hint, value_hint

# Loops and vectorised code sum in different orders.
TOLERANCE = {"float32": (1e-5, 1e-6), "float64": (1e-10, 1e-12)}


def position(index, shape):
    place = []
    for extent in reversed(shape):
        place.append(index % extent)
        index //= extent
    return list(reversed(place))


def _valid_tensor(record):
    return (type(record) is dict and type(record.get("shape")) is list and type(record.get("values")) is list
            and all(type(n) is int and n >= 0 for n in record["shape"])
            and math.prod(record["shape"]) == len(record["values"])
            and all(type(v) in (int, float, bool) for v in record["values"]))


def _with_hint(problem, hint):
    return problem if hint is None else f"{problem}; {hint}"


def compare_tensor(got, expected, case=None):
    """got: describe_result(...) of what was returned; expected: a tensor record; case: the plain-data call."""
    if "tensor" not in got:
        kind = "a subclass of torch.Tensor" if got.get("tensor_subclass") else "not a torch.Tensor"
        return f"returned {_type_name(got)}, {kind}; return a plain torch.Tensor"
    record = got["tensor"]
    if not _valid_tensor(record):
        return "returned a tensor whose data could not be read"
    shape, dtype, values = tuple(expected["shape"]), expected["dtype"], expected["values"]
    if tuple(record["shape"]) != shape:
        return _with_hint(f"should have shape {shape} but has shape {tuple(record['shape'])}",
                          shape_hint(case, shape, record["shape"]))
    if record["dtype"] != dtype:
        return (f"has dtype {record['dtype']} but the input is {dtype}: "
                f"make the result with the input's dtype (dtype=X.dtype)")
    rtol, atol = TOLERANCE[dtype]
    wrong = [i for i, (g, e) in enumerate(zip(record["values"], values)) if not abs(float(g) - e) <= atol + rtol * abs(e)]
    if not wrong:
        return None
    first = wrong[0]
    where = f"{len(wrong)} of {len(values)} positions, first at {position(first, shape)}"
    problem = f"differs at {where}: expected {values[first]!r}, got {record['values'][first]!r}"
    return _with_hint(problem, value_hint(case, values, record["values"], wrong))


def _type_name(got):
    if "tuple" in got:
        return "torch.Size" if got.get("size") else "tuple"
    if "plain" in got:
        return type(got["plain"]).__name__
    if "tensor" in got:
        return "Tensor"
    return str(got.get("other", "object"))


def compare_shape(got, expected):
    from .encoding import describe

    items = got.get("tuple")
    if items is None or any(not ("plain" in item and type(item["plain"]) is int) for item in items):
        return f"returned {describe(got)} of type {_type_name(got)}; return a tuple of ints"
    values = tuple(item["plain"] for item in items)
    if values != tuple(expected):
        return f"returned {values} but nn.MaxPool2d gives {tuple(expected)}"
    return None


def compare_layer(layer, expected, probe_description):
    if not layer.get("exact"):
        return f"returned {layer.get('type', 'object')}; return an nn.Conv2d (not a subclass)"
    parameters = layer.get("parameters", [])
    if any(name == "bias" for name, _ in parameters):
        return "the convolution has a bias; pass bias=False"
    trainable = [name for name, requires_grad in parameters if requires_grad]
    if trainable:
        return f"has trainable parameters ({', '.join(trainable)}); set requires_grad to False"
    if "raised" in layer:
        return f"applying the layer to {probe_description} raised {one_line(layer['raised'])}"
    if layer.get("pooling_ops"):
        return f"the layer calls a built-in pooling operator ({one_line(layer['pooling_ops'][0])})"
    problem = compare_tensor(layer.get("output", {}), expected["tensor"])
    return None if problem is None else f"its output on {probe_description} {problem}"


def compare_raised(raised, expected):
    """None if the error is the expected one, raised by an argument check; else why not."""
    message = one_line(raised.get("message") or "")
    said = f"raised {one_line(raised.get('type'), 200)}" + (f": {message}" if message else "")
    if "raises" not in expected or expected["raises"] not in raised["kinds"]:
        return said
    words = expected.get("mentioning") or []
    if words and not any(word.lower() in message.lower() for word in words):
        named = " or ".join(repr(word) for word in words)
        return f"{said}; the error should come from the argument check, with a message naming {named}"
    return None


def judge(expected, outcome, probe_description="", case=None):
    """None if the case passed, else one line saying why not.

    case: the call as plain data ({"args", "kwargs"}), for the likely mistake (diagnosis.py).
    """
    from .encoding import describe

    if "problem" in outcome:
        return one_line(outcome["problem"])
    if outcome.get("modified_input"):
        return "changed its input in place; leave the input unchanged (work on a copy or a new tensor)"
    if "raised" in outcome:
        return compare_raised(outcome["raised"], expected)
    if "raises" in expected:
        shown = describe(outcome.get("returned", {})) if "returned" in outcome else "a layer"
        return f"should raise {expected['raises']} but returned {shown}"
    if "layer_output" in expected:
        return compare_layer(outcome.get("layer", {}), expected["layer_output"], probe_description)
    if "shape" in expected:
        return compare_shape(outcome.get("returned", {}), expected["shape"])
    return compare_tensor(outcome.get("returned", {}), expected["tensor"], case)


def _object(required, properties):
    return {"type": "object", "required": required, "properties": properties, "additionalProperties": False}


_TEXT = {"type": "string", "maxLength": 2000}
_RESULT = {"anyOf": [
    _object(["tensor"], {"tensor": _object(["dtype", "shape", "values"], {
        "dtype": {"type": "string", "maxLength": 20},
        "shape": {"type": "array", "maxItems": 8, "items": {"type": "integer", "minimum": 0}},
        "values": {"type": "array", "maxItems": 1_000_000, "items": {"type": ["number", "boolean"]}}})}),
    _object(["tuple"], {"tuple": {"type": "array", "maxItems": 64, "items": {"$ref": "#/$defs/result"}},
                        "size": {"type": "boolean"}}),
    _object(["plain"], {"plain": {"type": ["null", "boolean", "number", "string"], "maxLength": 200}}),
    _object(["other"], {"other": {"type": "string", "maxLength": 200}, "tensor_subclass": {"type": "boolean"}}),
]}
# What a runner's report may look like; anything else from the student's process is refused.
_PRINTED = {"type": "string", "maxLength": MAX_PRINTED_CHARS + 100}  # runner.py's cap, plus its note
_LINE = _object(["number", "source", "function"], {
    "number": {"type": "integer", "minimum": 0}, "source": {"type": "string", "maxLength": 200},
    "function": {"type": "string", "maxLength": 100}})
OUTCOME_SCHEMA = {"$defs": {"result": _RESULT}, "anyOf": [
    _object(["returned"], {"returned": {"$ref": "#/$defs/result"}, "modified_input": {"type": "boolean"},
                           "printed": _PRINTED}),
    _object(["raised"], {"raised": _object(["type", "message", "kinds"], {
        "type": {"type": "string", "maxLength": 200}, "message": _TEXT,
        "kinds": {"type": "array", "maxItems": 32, "items": {"type": "string", "maxLength": 200}},
        "line": _LINE}),
        "modified_input": {"type": "boolean"}, "printed": _PRINTED}),
    _object(["layer"], {"layer": _object(["type", "exact"], {
        "type": {"type": "string", "maxLength": 200}, "exact": {"type": "boolean"},
        "parameters": {"type": "array", "maxItems": 64, "items": {
            "type": "array", "prefixItems": [{"type": "string", "maxLength": 200}, {"type": "boolean"}],
            "minItems": 2, "maxItems": 2}},
        "raised": _TEXT, "output": {"$ref": "#/$defs/result"},
        "pooling_ops": {"type": "array", "maxItems": 1, "items": _TEXT}}),
        "modified_input": {"type": "boolean"}, "printed": _PRINTED}),
    _object(["problem"], {"problem": _TEXT, "timed_out": {"type": "boolean"}, "printed": _PRINTED}),
]}


def invalid_outcome(outcome):
    """None if a report from the student's process has the runner's form, else why not (jsonschema)."""
    import jsonschema

    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(OUTCOME_SCHEMA).iter_errors(outcome))
    return None if error is None else f"sent a malformed report ({error.message[:120]})"
