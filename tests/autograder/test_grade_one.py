"""What does the class report say about a test a student lost marks on?"""
import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from autograder.grade_one import Grading, failure_messages
from autograder.run_notebook import ExecutionReport
from autograder.scoring import Outcome


class Source:
    tests = (("test_double", 2.0),)


class Run:
    source = Source()


def graded(outputs, cases, earned):
    """A Grading whose one test cell has these outputs, recorded cases and points earned."""
    cell = new_code_cell("test.score()", metadata={"nbgrader": {"grade": True, "grade_id": "test_double", "points": 2}})
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    grading = Grading(None, Run(), nb=new_notebook(cells=[cell]))
    grading.report = ExecutionReport(cases=cases)
    grading.outcome = Outcome({"test_double": earned})
    return grading


def test_a_partly_wrong_answer_is_summed_up_by_its_first_failed_case():
    """Is the first failing case, with what differed, the line the report counts?"""
    cases = [("test_double", "double(<1 float32 tensor>)", None, True),
             ("test_double", "double(<1×2 float32 tensor>)", "differs at 2 of 2 positions", True),
             ("test_double", "double(<3 float32 tensor>)", "raised ValueError", False)]
    result = failure_messages(graded([{"output_type": "execute_result", "data": {"text/plain": "0.6667"},
                                       "metadata": {}, "execution_count": 1}], cases, 0.6667))
    assert result == {"test_double": "double(<1×2 float32 tensor>): differs at 2 of 2 positions"}


def test_an_error_in_the_test_cell_is_what_the_report_counts():
    """Does a test cell that raised report its error rather than a case?"""
    outputs = [{"output_type": "error", "ename": "NameError", "evalue": "name 'double' is not defined", "traceback": []}]
    assert failure_messages(graded(outputs, [], 0.0)) == {"test_double": "NameError: name 'double' is not defined"}


def test_a_test_with_full_marks_gives_nothing():
    """Does a test cell that earned all its points give no failure line?"""
    assert failure_messages(graded([], [("test_double", "double(1)", None, True)], 2.0)) == {}
