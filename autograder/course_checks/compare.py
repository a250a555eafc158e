"""Whether a case passed: the runner's report (runner.py) against the expected result.

At grading time this runs in the grader's process, never in the student's.
`judge` returns None for a pass, otherwise one line saying what differed. A
hidden case's line names where the result differs, never the expected value.

Expected results, as the reference files store them:

    {"tensor": {"dtype", "shape", "values"}}     the returned tensor
    {"shape": [H_out, W_out]}                     the returned tuple of ints
    {"raises": "ValueError"}                      the call must raise ValueError
    {"layer_output": {"tensor": ...}}             the returned nn.Conv2d's output on the probe input
"""
import math

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


def compare_tensor(got, expected, public):
    """got: describe_result(...) of what was returned; expected: a tensor record."""
    if "tensor" not in got:
        kind = "a subclass of torch.Tensor" if got.get("tensor_subclass") else "not a torch.Tensor"
        return f"returned {_type_name(got)} ({kind}); return a plain torch.Tensor"
    record = got["tensor"]
    if not _valid_tensor(record):
        return "returned a tensor whose data could not be read"
    shape, dtype, values = tuple(expected["shape"]), expected["dtype"], expected["values"]
    if tuple(record["shape"]) != shape:
        return f"should have shape {shape} but has shape {tuple(record['shape'])}"
    if record["dtype"] != dtype:
        return f"should have dtype {dtype} (the input's) but has dtype {record['dtype']}"
    rtol, atol = TOLERANCE[dtype]
    wrong = [i for i, (g, e) in enumerate(zip(record["values"], values)) if not abs(float(g) - e) <= atol + rtol * abs(e)]
    if not wrong:
        return None
    first = wrong[0]
    where = f"{len(wrong)} of {len(values)} positions, first at {position(first, shape)}"
    if public:
        return f"differs at {where}: expected {values[first]!r}, got {record['values'][first]!r}"
    return f"differs from the reference at {where}"


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


def compare_layer(layer, expected, probe_description, public):
    if not layer.get("exact"):
        return f"returned {layer.get('type', 'object')}; return an nn.Conv2d (not a subclass)"
    parameters = layer.get("parameters", [])
    if any(name == "bias" for name, _ in parameters):
        return "the convolution has a bias; pass bias=False"
    trainable = [name for name, requires_grad in parameters if requires_grad]
    if trainable:
        return f"has trainable parameters ({', '.join(trainable)}); set requires_grad to False"
    if "raised" in layer:
        return f"applying the layer to {probe_description} raised {layer['raised']}"
    if layer.get("pooling_ops"):
        return f"the layer calls a built-in pooling operator ({layer['pooling_ops'][0]})"
    problem = compare_tensor(layer.get("output", {}), expected["tensor"], public)
    return None if problem is None else f"its output on {probe_description} {problem}"


def judge(expected, outcome, public, probe_description=""):
    """None if the case passed, else one line saying why not."""
    from .encoding import describe

    if "problem" in outcome:
        return str(outcome["problem"])
    if "raised" in outcome:
        raised = outcome["raised"]
        if "raises" not in expected or expected["raises"] not in raised["kinds"]:
            message = raised.get("message")
            return f"raised {raised.get('type')}: {message}" if message else f"raised {raised.get('type')}"
        problem = None
    elif "raises" in expected:
        shown = describe(outcome.get("returned", {})) if "returned" in outcome else "a layer"
        return f"should raise {expected['raises']} but returned {shown}"
    elif "layer_output" in expected:
        problem = compare_layer(outcome.get("layer", {}), expected["layer_output"], probe_description, public)
    elif "shape" in expected:
        problem = compare_shape(outcome.get("returned", {}), expected["shape"])
    else:
        problem = compare_tensor(outcome.get("returned", {}), expected["tensor"], public)
    if problem is None and outcome.get("modified_input"):
        problem = "modified its input tensor in place; leave the input unchanged"
    return problem


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
OUTCOME_SCHEMA = {"$defs": {"result": _RESULT}, "anyOf": [
    _object(["returned"], {"returned": {"$ref": "#/$defs/result"}, "modified_input": {"type": "boolean"}}),
    _object(["raised"], {"raised": _object(["type", "message", "kinds"], {
        "type": {"type": "string", "maxLength": 200}, "message": _TEXT,
        "kinds": {"type": "array", "maxItems": 32, "items": {"type": "string", "maxLength": 200}}}),
        "modified_input": {"type": "boolean"}}),
    _object(["layer"], {"layer": _object(["type", "exact"], {
        "type": {"type": "string", "maxLength": 200}, "exact": {"type": "boolean"},
        "parameters": {"type": "array", "maxItems": 64, "items": {
            "type": "array", "prefixItems": [{"type": "string", "maxLength": 200}, {"type": "boolean"}],
            "minItems": 2, "maxItems": 2}},
        "raised": _TEXT, "output": {"$ref": "#/$defs/result"},
        "pooling_ops": {"type": "array", "maxItems": 1, "items": _TEXT}}),
        "modified_input": {"type": "boolean"}}),
    _object(["problem"], {"problem": _TEXT, "timed_out": {"type": "boolean"}}),
]}


def invalid_outcome(outcome):
    """None if a report from the student's process has the runner's form, else why not (jsonschema)."""
    import jsonschema

    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(OUTCOME_SCHEMA).iter_errors(outcome))
    return None if error is None else f"sent a malformed report ({error.message[:120]})"
