"""What does the class report say about a test a student lost marks on?"""
import contextlib
import io

from autograder.worker import first_failed_case
from conftest import load_checking_tools


def printed_report(function):
    """What a test cell prints for `function` on two public cases, as the checks print it."""
    checks = load_checking_tools()
    test = checks.GradedTest("double", function, points=2)
    test.returns([[2.0]], checks.tensor([[1.0]]))
    test.returns([[4.0, 6.0]], checks.tensor([[2.0, 3.0]]))
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        test.score()
    return printed.getvalue()


def test_a_partly_wrong_answer_is_summed_up_by_its_first_failed_case():
    """Is the first failing case, with what differed, the line the report counts?"""
    printed = printed_report(lambda X: X * 2 if X.numel() == 1 else X)
    assert "1 of 2 cases passed" in printed
    summary = first_failed_case(printed)
    assert summary.startswith("double(<1×2 float32 tensor>): ")
    problem = summary.split(": ", 1)[1]
    assert problem and problem in printed and "FAIL" not in problem


def test_a_report_with_no_failure_gives_nothing():
    """Does a test cell whose cases all passed give no failure line?"""
    assert first_failed_case(printed_report(lambda X: X * 2)) is None
