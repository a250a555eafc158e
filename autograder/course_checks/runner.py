"""Run the student's function on one case and report what happened, as plain data.

This is the only part of the checks that runs beside the student's code.
At grading time it runs in the student's sandboxed process and its report
travels to the grader; in Jupyter it runs in the notebook. It decides
nothing: compare.py turns the report into a verdict.

The report is one of

    {"returned": <describe_result(value)>, "modified_input": bool}
    {"raised": {"type": "ValueError", "message": "...", "kinds": ["ValueError", "Exception", ...],
                "line": {"number": 12, "source": "H, W = X.shape", "function": "pool2d"}},
     "modified_input": bool}
    {"layer": {...}, "modified_input": false}        (probe="conv2d", see probe_conv2d)
    {"problem": "...", "timed_out": bool}            (a rule was broken, or the case took too long)

and any of them may carry "printed": what the student's function printed,
capped at MAX_PRINTED_LINES lines and MAX_PRINTED_CHARS characters. "line"
is the last line of the student's own code in the traceback (absent when
the error came from elsewhere only).
"""
import contextlib
import io
import linecache
import os
import signal
import sysconfig
import threading
import warnings

import torch
from torch import nn

from .diagnosis import CUT_NOTE, MAX_PRINTED_CHARS, MAX_PRINTED_LINES
from .encoding import decode, describe_result, encode, tensor_record
from .pooling import PoolingWatch, drop_leftover_watches, quiet, torch_is_patched

MAX_MESSAGE_CHARS = 300
MAX_SOURCE_CHARS = 200
# Frames from these folders are not the student's: the checks themselves, torch, the standard library.
NOT_STUDENT_CODE = tuple(sorted({os.path.dirname(os.path.abspath(__file__)), os.path.dirname(torch.__file__),
                                 *(sysconfig.get_paths()[key] for key in ("stdlib", "purelib", "platlib"))}))


class CaseTimeout(BaseException):
    """Raised by the alarm inside a student's call that runs too long."""


def _message(error):
    try:
        return str(error)[:MAX_MESSAGE_CHARS]
    except BaseException:  # a student's exception whose __str__ fails
        return ""


class CappedText(io.TextIOBase):
    """A text stream that keeps only the first MAX_PRINTED_CHARS characters written to it."""

    def __init__(self):
        super().__init__()
        self.parts, self.kept, self.cut = [], 0, False

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        room = MAX_PRINTED_CHARS - self.kept
        if len(text) > room:
            self.cut = True
            text = text[:max(room, 0)]
        self.parts.append(text)
        self.kept += len(text)
        return len(text)

    def value(self):
        """What was printed, at most MAX_PRINTED_LINES lines; a note says when some was cut."""
        lines = "".join(self.parts).splitlines()
        cut = self.cut or len(lines) > MAX_PRINTED_LINES
        text = "\n".join(lines[:MAX_PRINTED_LINES])
        return f"{text}\n{CUT_NOTE}" if cut else text


@contextlib.contextmanager
def capturing_prints(printed):
    """The student's prints go to `printed` (both streams); warnings are swallowed."""
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def student_line(error):
    """{"number", "source", "function"} of the last traceback frame in the student's code, or None."""
    found = None
    traceback = error.__traceback__
    while traceback is not None:
        code = traceback.tb_frame.f_code
        path = code.co_filename
        if not os.path.abspath(path).startswith(NOT_STUDENT_CODE):
            found = (path, traceback.tb_lineno, code.co_name)
        traceback = traceback.tb_next
    if found is None:
        return None
    path, number, function = found
    return {"number": int(number), "source": linecache.getline(path, number).strip()[:MAX_SOURCE_CHARS],
            "function": str(function)[:100]}


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
    its prints captured (capped), warnings swallowed, and an alarm after `seconds`. With
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
    printed = CappedText()
    stop_alarm = _alarm_after(seconds)
    try:
        with capturing_prints(printed), watch:
            result = function(*args, **kwargs)
    except CaseTimeout:
        return _with_printed({"problem": f"took longer than {seconds:g} s (stopped)", "timed_out": True}, printed)
    except Exception as error:
        raised = error
    finally:
        stop_alarm()
    return _with_printed(_report(result, raised, watch, inputs, probe), printed)


def _with_printed(report, printed):
    text = printed.value()
    if text:
        report["printed"] = text
    return report


def _report(result, raised, watch, inputs, probe):
    drop_leftover_watches()
    if torch_is_patched():
        return {"problem": "left a torch dispatch or function mode active; the tests cannot trust torch"}
    if watch.pooling_ops:
        return {"problem": f"calls a built-in pooling operator ({watch.pooling_ops[0]}), which is not allowed"}
    modified = any(encode(t) != before for t, before in inputs)
    if raised is not None:
        kinds = [cls.__name__ for cls in type(raised).__mro__][:32]
        report = {"type": type(raised).__name__, "message": _message(raised), "kinds": kinds}
        line = student_line(raised)
        if line is not None:
            report["line"] = line
        return {"raised": report, "modified_input": modified}
    if probe and "conv2d" in probe:
        return {"layer": probe_conv2d(result, decode(probe["conv2d"])), "modified_input": modified}
    return {"returned": describe_result(result), "modified_input": modified}
