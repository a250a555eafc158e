"""What does the grader read from an assignment's source notebook?"""
import nbformat

from autograder import REPO_ROOT
from autograder.assignment_source import load_assignment_source
from autograder.grades_csv import grade_columns


def test_only_cells_worth_points_are_tests():
    """Is the 0-point cell that loads the references kept out of the tests and grades.csv's columns?"""
    source = load_assignment_source(REPO_ROOT, "pool2d")
    assert "load_references" in dict(source.grade_cells)
    assert [grade_id for grade_id, _ in source.tests] == [
        "test_pool2d", "test_pool2d_strided", "test_pool2d_multichannel", "test_pool_output_shape",
    ]
    assert source.max_score == sum(points for _, points in source.tests) == 12
    assert grade_columns(source) == [
        "student_id", "assignment", "test_pool2d", "test_pool2d_strided", "test_pool2d_multichannel",
        "test_pool_output_shape", "score", "max_score", "status", "message", "review",
    ]


def test_hidden_blocks_are_known_to_the_grader_and_stripped_on_release():
    """Are the hidden tests' lines collected, and gone from the source as released?"""
    source = load_assignment_source(REPO_ROOT, "pool2d")
    assert source.hidden_test_lines
    notebook = nbformat.read(REPO_ROOT / "exercises" / "pool2d" / "pool2d.ipynb", as_version=4)
    released = "\n".join(cell.source for cell in notebook.cells)
    assert not [line for line in source.hidden_test_lines if line in released]
