"""Is code that reaches into torch or the interpreter flagged for review, and honest code not?"""
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from autograder.assignments import assignment_names
from autograder.review import review_reasons
from autograder.scenarios import scenario_sources


def notebook_with_answer(source):
    answer = new_code_cell(source, metadata={"nbgrader": {"solution": True, "grade": False, "locked": False,
                                                          "grade_id": "answer"}})
    locked = new_code_cell("import ctypes", metadata={"nbgrader": {"locked": True, "grade": False,
                                                                   "solution": False, "grade_id": "setup"}})
    return new_notebook(cells=[locked, answer])


@pytest.mark.parametrize("source, reason", [
    ("with torch._C._DisableTorchDispatch():\n    pass", "disables torch's dispatch"),
    ("import ctypes", "ctypes or cffi"),
    ("import gc\nobjs = gc.get_objects()", "the garbage collector (gc)"),
    ("import sys\nf = sys._getframe(1)", "stack frames"),
    ("open('/proc/1/environ')", "/proc or /dev"),
    ("import importlib", "import machinery"),
    ("import os\nos.fork()", "processes and signals"),
    ("import socket", "network"),
    ("torch.equal = lambda a, b: True", "patches a library"),
])
def test_each_sign_is_flagged(source, reason):
    """Does each way of reaching for internals show up, by name, in the review reasons?"""
    assert reason in review_reasons(notebook_with_answer(source))


@pytest.mark.parametrize("assignment", assignment_names())
def test_correct_answers_are_not_flagged(assignment):
    """Are the correct answer scenarios, and the instructors' own locked cells, left unflagged?"""
    for name, source in scenario_sources(assignment).items():
        if name.startswith("correct"):
            assert review_reasons(notebook_with_answer(source)) == [], name
