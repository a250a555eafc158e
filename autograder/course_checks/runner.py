"""Run the student's function on one case and report what happened, as plain data.

This is the only part of the checks that runs beside the student's code.
At grading time it runs in the student's sandboxed process and its report
travels to the grader; in Jupyter it runs in the notebook. It decides
nothing: compare.py turns the report into a verdict.

The report is one of

    {"returned": <describe_result(value)>, "modified_input": bool}
    {"raised": {"type": "ValueError", "message": "...", "kinds": ["ValueError", "Exception", ...]},
     "modified_input": bool}
    {"layer": {...}, "modified_input": false}        (probe="conv2d", see probe_conv2d)
    {"problem": "...", "timed_out": bool}            (a rule was broken, or the case took too long)
"""
import signal
import threading

import torch
from torch import nn

from .encoding import decode, describe_result, encode, tensor_record
from .pooling import PoolingWatch, drop_leftover_watches, quiet, torch_is_patched

MAX_MESSAGE_CHARS = 300


class CaseTimeout(BaseException):
    """Raised by the alarm inside a student's call that runs too long."""


def _message(error):
    try:
        return str(error)[:MAX_MESSAGE_CHARS]
    except BaseException:  # a student's exception whose __str__ fails
        return ""


def _alarm_after(seconds):
    """Start an alarm that raises CaseTimeout; returns a function that stops it (a no-op off the main thread)."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        return lambda: None

    def alarm(_signum, _frame):
        raise CaseTimeout()

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)

    def stop():
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)

    return stop


def probe_conv2d(layer, X):
    """What the comparison needs to know of a returned layer: its type, parameters and output on X."""
    if type(layer) is not nn.Conv2d:
        return {"type": type(layer).__name__, "exact": False}
    parameters = [[name, bool(p.requires_grad)] for name, p in nn.Module.named_parameters(layer)]
    watch = PoolingWatch()
    try:
        with quiet(), torch.no_grad(), watch:
            out = nn.Conv2d.forward(layer, X)
    except Exception as error:
        return {"type": "Conv2d", "exact": True, "parameters": parameters,
                "raised": f"{type(error).__name__}: {_message(error)}"}
    output = {"tensor": tensor_record(out)} if type(out) is torch.Tensor else describe_result(out)
    return {"type": "Conv2d", "exact": True, "parameters": parameters, "output": output,
            "pooling_ops": watch.pooling_ops[:1]}


def run_case(function, args, kwargs, seconds=10.0, probe=None):
    """Call function(*args, **kwargs) once; args and kwargs arrive as plain data (encoding.py).

    Each call gets fresh tensors. The call runs under the pooling watch, with
    prints and warnings swallowed, and an alarm after `seconds`. With
    probe={"conv2d": <encoded X>}, a returned nn.Conv2d is applied to X.
    """
    drop_leftover_watches()
    if torch_is_patched():
        return {"problem": "a torch dispatch or function mode is active; the tests cannot trust torch"}
    args = [decode(a) for a in args]
    kwargs = {k: decode(v) for k, v in kwargs.items()}
    inputs = [(t, encode(t)) for t in [*args, *kwargs.values()] if type(t) is torch.Tensor]
    watch = PoolingWatch()
    result = raised = None
    stop_alarm = _alarm_after(seconds)
    try:
        with quiet(), watch:
            result = function(*args, **kwargs)
    except CaseTimeout:
        return {"problem": f"took longer than {seconds:g} s (stopped)", "timed_out": True}
    except Exception as error:
        raised = error
    finally:
        stop_alarm()
    drop_leftover_watches()
    if torch_is_patched():
        return {"problem": "left a torch dispatch or function mode active; the tests cannot trust torch"}
    if watch.pooling_ops:
        return {"problem": f"calls a built-in pooling operator ({watch.pooling_ops[0]}), which is not allowed"}
    modified = any(encode(t) != before for t, before in inputs)
    if raised is not None:
        kinds = [cls.__name__ for cls in type(raised).__mro__][:32]
        return {"raised": {"type": type(raised).__name__, "message": _message(raised), "kinds": kinds},
                "modified_input": modified}
    if probe and "conv2d" in probe:
        return {"layer": probe_conv2d(result, decode(probe["conv2d"])), "modified_input": modified}
    return {"returned": describe_result(result), "modified_input": modified}
