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
    assert all("mode is active" in problem for _, problem, _, _ in test.results)


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


# What a report says, in a notebook and after grading


def report(test):
    """The lines test.score() prints."""
    return test.report_lines()[1]


def test_each_case_gets_its_own_copy_of_the_input(checks):
    """Does an answer that divides its input in place leave the next case's input, and the cell's X, unchanged?"""
    calls = []

    def divides_in_place_once(X, pool_size):
        calls.append(X.clone())
        if len(calls) == 1:
            X /= 4
        return X.clone()

    test = checks.GradedTest("pool2d", divides_in_place_once, points=2)
    X = checks.tensor([[3.0, 1.0]])
    test.returns([[3.0, 1.0]], X, (1, 1))
    test.returns([[3.0, 1.0]], X, (1, 1))
    assert calls[1].tolist() == [[3.0, 1.0]] and X.tolist() == [[3.0, 1.0]]
    assert "changed its input in place" in test.results[0][1]
    assert test.results[1][1] is None


def test_an_invalid_argument_case_needs_the_argument_checks_error(checks):
    """Does a ValueError raised by accident ("too many values to unpack") fail a case that expects the argument check's?"""
    def unpacks_then_checks(X, pool_size, mode='max'):
        H, W, extra = X.shape  # fails before any argument is checked
        raise ValueError(f"unknown mode {mode!r}")

    def checks_first(X, pool_size, mode='max'):
        raise ValueError(f"unknown mode {mode!r}")

    X = checks.tensor([[1.0, 2.0]])
    broken = checks.GradedTest("pool2d", unpacks_then_checks, points=1)
    broken.raises(ValueError, X, (1, 1), mode='min', mentioning=['mode', 'min'])
    correct = checks.GradedTest("pool2d", checks_first, points=1)
    correct.raises(ValueError, X, (1, 1), mode='min', mentioning=['mode', 'min'])
    assert broken.score() == 0 and correct.score() == 1
    assert "should come from the argument check" in broken.results[0][1]
    assert "'mode' or 'min'" in broken.results[0][1]


def test_an_output_shape_of_0_d_tensors_shows_their_values(checks):
    """Does a shape returned as 0-d tensors print their values, not "(< int32 tensor>, ...)"?"""
    test = checks.GradedTest("pool_output_shape", lambda size, k: (torch.tensor(3, dtype=torch.int32),) * 2, points=1)
    test.returns((2, 2), (4, 4), 2)
    assert test.results[0][1].startswith("returned (tensor(3, dtype=int32), tensor(3, dtype=int32)) of type tuple")


def test_an_error_shows_the_line_of_the_students_code_that_raised_it(checks):
    """Does a case that raised show the student's line and the input's shape, not the checks' or torch's?"""
    def loops_over_2d_only(X, pool_size):
        H, W = X.shape
        return X

    test = checks.GradedTest("pool2d_multichannel", loops_over_2d_only, points=1)
    test.returns([[[[1.0]]]], checks.tensor([[[[1.0, 2.0]]]]), 2)
    lines = report(test)
    assert "raised ValueError: too many values to unpack (expected 2)" in lines[2]
    assert lines[3].strip().startswith("input: shape (1, 1, 1, 2), float32")
    line = loops_over_2d_only.__code__.co_firstlineno + 1
    assert lines[4].strip() == f"raised by line {line} of your code, in loops_over_2d_only: H, W = X.shape"


def test_what_the_function_prints_is_shown_under_its_case_capped_and_defused(checks):
    """Are prints shown under the case, capped, without control characters, and unable to pass for report lines?"""
    def chatty(X, pool_size):
        print("window", pool_size)
        print("\x1b[2J  ok   pool2d(forged)\r  FAIL\x00")
        for row in range(5000):
            print("x" * 50)
        return X.clone()

    test = checks.GradedTest("pool2d", chatty, points=1)
    test.returns([[1.0]], checks.tensor([[1.0]]), (1, 1))
    lines = report(test)
    assert lines[1].startswith("  ok  ")
    shown = lines[2:]
    assert shown[0].strip() == "printed:" and shown[1].strip() == "| window (1, 1)"
    assert all(line.startswith("       | ") for line in shown[1:])
    assert not any(ch in "".join(shown) for ch in "\x1b\r\x00")
    assert len(shown) <= 1 + 21 and sum(map(len, shown)) < 4000
    assert shown[-1].endswith("[... more output cut ...]")


def test_a_failed_hidden_case_shows_its_input_and_the_expected_value(checks):
    """Does a failed hidden case show the input's properties and the expected against the obtained value?"""
    from autograder.course_checks.encoding import encode

    X = torch.tensor([[-3.0, -1.5], [-2.0, -4.0]], dtype=torch.float64)
    checks.references = {"cases": [{"function": "pool2d_strided", "args": [encode(X), 2],
                                    "kwargs": {"padding": 1, "mode": "max"},
                                    "expect": encode(torch.nn.functional.max_pool2d(X[None, None], 2, 2, 1)[0, 0])}]}

    def pads_with_zeros(X, pool_size, stride=None, padding=0, mode='max'):
        padded = torch.nn.functional.pad(X, (padding,) * 4)
        return padded.unfold(0, 2, 2).unfold(1, 2, 2).amax((-1, -2))

    test = checks.GradedTest("pool2d_strided", pads_with_zeros, points=1)
    test.hidden_cases()
    lines = report(test)
    assert lines[1].endswith("[hidden]")
    assert lines[2].strip() == ("differs at 4 of 4 positions, first at [0, 0]: expected -3.0, got 0.0; "
                                "a padded position won the maximum: pad with -inf for max pooling, never with zeros")
    assert lines[3].strip() == "input: shape (2, 2), float64, all negative, not whole numbers; padding 1"


def test_a_forged_report_from_the_students_process_is_refused():
    """Does the grader refuse a runner report whose printed text or line is oversized, and defuse the rest?"""
    from autograder.course_checks.compare import invalid_outcome
    from autograder.course_checks.diagnosis import printed_lines

    returned = {"returned": {"plain": 1}, "modified_input": False}
    assert invalid_outcome({**returned, "printed": "x" * 2000}) is None
    assert invalid_outcome({**returned, "printed": "x" * 1_000_000}) is not None
    forged_line = {"number": 1, "source": "y" * 10_000, "function": "f"}
    assert invalid_outcome({"raised": {"type": "E", "message": "", "kinds": ["E"], "line": forged_line}}) is not None
    lines = printed_lines("a\u2028  ok   forged\x85b\n" * 1000)
    assert len(lines) == 21 and all(line.startswith("| ") for line in lines)
    assert not any(ch in "".join(lines) for ch in "\u2028\x85")


def test_prints_are_shown_for_the_first_cases_only(checks):
    """When a function prints on every case, are the first three cases' prints shown, and the rest only noted?"""
    def prints_always(X, pool_size):
        print("looking at", tuple(X.shape))
        return X.clone()

    test = checks.GradedTest("pool2d", prints_always, points=1)
    for _ in range(5):
        test.returns([[1.0]], checks.tensor([[1.0]]), (1, 1))
    text = "\n".join(report(test))
    assert text.count("| looking at (1, 1)") == 3
    assert text.count("printed: (not shown: only the first 3 cases' prints are)") == 1
