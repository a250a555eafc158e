"""Do the checking tools (autograder/checks.py, each notebook's first cell) stay fair after an interrupt?

A cell timeout interrupts the student's code with SIGINT, and the per-case
alarm raises inside it; either can land just as the checks stop watching
a case for pooling operators. The tests below make such an interrupt land
at an exact place, with a trace function, instead of racing a real signal.
"""
import sys

import pytest
import torch
import torch.utils._python_dispatch as python_dispatch
from torch.utils._python_dispatch import TorchDispatchMode

from autograder.course_checks.graded_test import Checks


MODE_FLAGS = ("_is_in_torch_dispatch_mode", "_is_in_non_infra_torch_dispatch_mode",
              "_is_in_any_mode_without_ignore_compile_internals")


@pytest.fixture
def checks():
    """The checking tools, loaded as the notebook's first cell loads them.

    Afterwards any mode a test left on torch's dispatch stack is removed and
    torch's mode flags are put back, so later tests run on a clean torch.
    """
    flags = {name: getattr(python_dispatch, name) for name in MODE_FLAGS}
    yield Checks()
    while torch._C._len_torch_dispatch_stack():
        torch._C._pop_torch_dispatch_stack(None)
    for name, value in flags.items():
        setattr(python_dispatch, name, value)
    python_dispatch.set_is_in_mode_without_ignore_compile_internals(
        flags["_is_in_any_mode_without_ignore_compile_internals"])


def interrupt_inside_dispatch_mode_exit(at_line_containing=None):
    """A student function that returns its input, after arranging a KeyboardInterrupt
    inside TorchDispatchMode.__exit__: on entry, or at the first line containing the text."""
    def in_mode_exit(frame):
        return frame.f_code is TorchDispatchMode.__exit__.__code__

    def tracer(frame, event, _arg):
        if event == "call" and in_mode_exit(frame):
            if at_line_containing is None:
                sys.settrace(None)
                raise KeyboardInterrupt
            return line_tracer
        return None

    def line_tracer(frame, event, _arg):
        if event == "line":
            with open(frame.f_code.co_filename) as source:
                line = source.readlines()[frame.f_lineno - 1]
            if at_line_containing in line:
                sys.settrace(None)
                frame.f_trace = None
                raise KeyboardInterrupt
        return line_tracer

    def answer(X):
        sys.settrace(tracer)
        return X

    return answer


@pytest.mark.parametrize("where", [None, "_pop_mode("], ids=["as-exit-starts", "before-the-pop"])
def test_an_interrupt_while_a_case_ends_costs_no_later_case(checks, where):
    """After an interrupt lands in the pooling watch's exit, do the next test's cases still pass?"""
    hung = checks.GradedTest("hung", interrupt_inside_dispatch_mode_exit(where), points=1)
    with pytest.raises(KeyboardInterrupt):
        hung.returns([[1.0]], checks.tensor([[1.0]]))

    later = checks.GradedTest("later", lambda X: X.clone(), points=2)
    later.returns([[1.0, 2.0]], checks.tensor([[1.0, 2.0]]))
    assert later.score() == 2
    assert torch._C._len_torch_dispatch_stack() == 0


class Spy(TorchDispatchMode):
    """A dispatch mode that sees (and could change) every operator torch runs."""

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        return func(*args, **(kwargs or {}))


def test_a_mode_entered_before_the_tests_fails_every_case(checks):
    """Does a dispatch mode the student's cell left active fail the cases, since torch cannot be trusted?"""
    spy = Spy()
    spy.__enter__()
    try:
        test = checks.GradedTest("spied", lambda X: X.clone(), points=1)
        test.returns([[1.0]], checks.tensor([[1.0]]))
        test.returns([[1.0]], checks.tensor([[1.0]]))
    finally:
        spy.__exit__(None, None, None)
    assert test.score() == 0
    assert all("mode is active" in problem for _, problem, _ in test.results)


def test_modes_left_active_by_the_answer_fail_its_case(checks):
    """Does an answer that leaves dispatch modes on fail its own case, before any comparison runs?"""
    spies = [Spy(), Spy()]

    def answer(X):
        for spy in spies:
            spy.__enter__()
        return X.clone()

    test = checks.GradedTest("spied", answer, points=1)
    test.returns([[1.0]], checks.tensor([[1.0]]))
    assert test.score() == 0
    assert "left a torch dispatch or function mode active" in test.results[0][1]
