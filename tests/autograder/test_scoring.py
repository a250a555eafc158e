"""Does each way a notebook run can end get the status that names it, with a message saying where?"""
from types import SimpleNamespace

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from autograder.run_notebook import ExecutionReport
from autograder.scoring import status_of

SETTINGS = SimpleNamespace(memory_mb=2048, notebook_seconds=600, cpu_seconds=300, cell_seconds=60)


def notebook():
    """An answer cell (index 0) and a test cell worth points (index 1)."""
    answer = new_code_cell("def f(): ...", metadata={"nbgrader": {"grade_id": "answer_f", "solution": True}})
    test = new_code_cell("assert f() is None", metadata={
        "nbgrader": {"grade_id": "test_f", "grade": True, "points": 1, "solution": False}})
    return new_notebook(cells=[answer, test])


def error(ename, evalue="boom"):
    return [nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=[])]


@pytest.mark.parametrize("report, status, says", [
    (ExecutionReport(), "ok", ""),
    (ExecutionReport(memory_cells=[0], timed_out=[0]), "memory", "cell 1 (answer_f) exceeded the 2048 MB"),
    (ExecutionReport(past_deadline=True, died_in=1), "deadline", "600 s limit; cell 2 (test_f) and later"),
    (ExecutionReport(died_in=0, exit_description="signal SIGXCPU"), "cpu-time", "the 300 s of CPU time"),
    (ExecutionReport(died_in=0, exit_description="exit code 3"), "error", "process ended during cell 1"),
    (ExecutionReport(outputs={0: error("SystemExit", "0")}), "error", "called sys.exit(0)"),
    (ExecutionReport(outputs={0: error("OSError", "[Errno 27] File too large")}), "file-size", "file-size limit"),
    (ExecutionReport(outputs={0: error("OSError", "[Errno 28] No space left on device")}), "file-size", "/tmp"),
    (ExecutionReport(outputs={0: error("BlockingIOError", "Resource temporarily unavailable")}), "processes",
     "limit on processes"),
    (ExecutionReport(timed_out=[0]), "timeout", "cell 1 (answer_f) did not finish within 60 s"),
    (ExecutionReport(outputs={0: error("NameError", "name 'g' is not defined")}), "error", "raised NameError"),
])
def test_each_ending_gets_its_status(report, status, says):
    """Does the report of a run give the status that names what happened, and a message saying where?"""
    got, message = status_of(notebook(), report, SETTINGS)
    assert got == status
    assert says in message


def test_a_failing_test_cell_is_a_lost_mark_not_an_error():
    """Does an error in a graded test cell leave the status ok (it only costs that test's points)?"""
    report = ExecutionReport(outputs={1: error("AssertionError")})
    assert status_of(notebook(), report, SETTINGS) == ("ok", "")


def test_a_limit_hit_in_a_test_cell_is_not_blamed_on_the_box():
    """Is a limit's error inside a graded test cell left to cost that test, rather than naming a limit?"""
    report = ExecutionReport(outputs={1: error("OSError", "File too large")})
    assert status_of(notebook(), report, SETTINGS) == ("ok", "")


def test_a_timed_out_cell_that_killed_the_box_is_a_timeout():
    """When the per-cell timeout ended the process, is it a timeout rather than a crash?"""
    report = ExecutionReport(timed_out=[0], died_in=0, exit_description="signal SIGKILL")
    assert status_of(notebook(), report, SETTINGS)[0] == "timeout"


def test_a_long_message_is_cut_to_one_line():
    """Is a cell's multi-line, very long error message shown as one line of bounded length?"""
    report = ExecutionReport(outputs={0: error("ValueError", "line\n" * 200)})
    status, message = status_of(notebook(), report, SETTINGS)
    assert status == "error" and "\n" not in message and len(message) <= 200
