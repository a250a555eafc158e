"""What a failed case's report says beyond "it differed": the input's properties and the likely mistake.

Runs where compare.py runs (the grader's process at grading time), on plain
data only: the case's encoded arguments, the expected record and the
runner's report. The mistakes named here are the pooling assignments' common
ones; each hint is a guess worded as one ("looks ..."), shown after the facts.
Text that came from the student's process (messages, source lines, prints)
is made safe here before it reaches a report: one line each, no control
characters, and every printed line behind a "|" so it cannot pass for a
line of the report.
"""
import math
import re

# What a student's function may print into a report: runner.py keeps this much in the student's
# process, and printed_lines() cuts to it again here, since what arrives is not trusted.
MAX_PRINTED_LINES = 20
MAX_PRINTED_CHARS = 2000
CUT_NOTE = "[... more output cut ...]"
MAX_LINE_CHARS = 300
PRINTED_PREFIX = "| "
# C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text, limit=MAX_LINE_CHARS):
    """Untrusted text as one printable line of at most `limit` characters."""
    text = _UNSAFE.sub(" ", str(text))
    return text if len(text) <= limit else text[:limit] + "..."


def printed_lines(text):
    """What a student's function printed, as report lines: capped, made printable, each behind "| "."""
    text = str(text)
    cut = len(text) > MAX_PRINTED_CHARS
    lines = text[:MAX_PRINTED_CHARS].split("\n")
    cut = cut or len(lines) > MAX_PRINTED_LINES
    shown = [PRINTED_PREFIX + one_line(line.replace("\t", "    ")) for line in lines[:MAX_PRINTED_LINES]]
    return shown + ([PRINTED_PREFIX + CUT_NOTE] if cut else [])


def _pair(value):
    if type(value) is dict and "tuple" in value:
        value = [item for item in value["tuple"]]
    if type(value) in (list, tuple) and len(value) == 2 and all(type(v) is int for v in value):
        return tuple(value)
    return (value, value) if type(value) is int else None


def _argument(case, position, name, default=None):
    """An argument of the case by keyword or position, as plain data."""
    if name in case["kwargs"]:
        return case["kwargs"][name]
    return case["args"][position] if len(case["args"]) > position else default


def _tensor(case):
    first = case["args"][0] if case["args"] else None
    return first["tensor"] if type(first) is dict and "tensor" in first else None


def input_properties(case):
    """One line on the case's input: shape, dtype, signs, whole numbers or not, padding and stride."""
    record = _tensor(case)
    if record is None:
        return None
    values = [float(v) for v in record["values"]]
    signs = ("all negative" if values and max(values) < 0 else
             "has negatives" if any(v < 0 for v in values) else "no negatives")
    whole = "whole numbers" if all(v == math.floor(v) for v in values) else "not whole numbers"
    parts = [f"input: shape {tuple(record['shape'])}, {record['dtype']}, {signs}, {whole}"]
    if "padding" in case["kwargs"]:
        parts.append(f"padding {_shown(case['kwargs']['padding'])}")
    if "stride" in case["kwargs"]:
        parts.append(f"stride {_shown(case['kwargs']['stride'])}")
    return "; ".join(parts)


def _shown(value):
    pair = _pair(value)
    return str(pair if pair and pair[0] != pair[1] else (pair[0] if pair else value))


def value_hint(case, expected_values, got_values, wrong):
    """A likely mistake behind values that differ at the positions `wrong`, or None."""
    if case is None:
        return None
    mode = case["kwargs"].get("mode", "max")
    padding = _pair(case["kwargs"].get("padding", 0)) or (0, 0)
    pairs = [(expected_values[i], float(got_values[i])) for i in wrong]
    if mode == "max" and any(padding) and any(g == 0.0 and e < 0 for e, g in pairs):
        return "a padded position won the maximum: pad with -inf for max pooling, never with zeros"
    if mode == "avg" and all(g == math.floor(e) for e, g in pairs):
        return "looks rounded down: integer division (//) instead of / ?"
    return None


def shape_hint(case, expected_shape, got_shape):
    """A likely mistake behind an output of the wrong shape, or None."""
    if case is None or "stride" in case["kwargs"] or len(case["args"]) > 2:
        return None
    record, window = _tensor(case), _pair(_argument(case, 1, "pool_size"))
    padding = _pair(case["kwargs"].get("padding", 0))
    if record is None or window is None or padding is None or len(record["shape"]) < 2:
        return None
    height, width = record["shape"][-2:]
    stride_one = (height + 2 * padding[0] - window[0] + 1, width + 2 * padding[1] - window[1] + 1)
    if tuple(got_shape[-2:]) == stride_one and tuple(expected_shape[-2:]) != stride_one:
        return "the stride defaults to the window size (pool_size), not to 1"
    return None
