"""What does the grader read from an assignment's source notebook?"""
import nbformat

from autograder import REPO_ROOT
from autograder.assignment_source import load_assignment_source
from autograder.grades_csv import grade_columns
from grade_fixtures import ASSIGNMENT, COURSE


def test_every_graded_cell_is_a_test_and_a_column():
    """Are the test cells, and the written answer a person grades, the tests and grades.csv's columns, in order?"""
    source = load_assignment_source(REPO_ROOT, "avgpool_as_conv")
    assert [grade_id for grade_id, _ in source.tests] == [
        "test_avg_pool_as_conv2d", "test_avg_pool_conv_layer", "written_groups_and_max"]
    assert source.max_score == sum(points for _, points in source.tests) == 8
    assert grade_columns(source)[2:5] == [grade_id for grade_id, _ in source.tests]


def test_hidden_blocks_are_known_to_the_grader_and_stripped_on_release(tmp_path):
    """Are the hidden tests' lines of an assignment collected, and gone from the source as released?"""
    source = load_assignment_source(COURSE, ASSIGNMENT)
    assert source.hidden_test_lines
    import grading_course

    grading_course.make_course(tmp_path, [])
    import shutil

    shutil.copytree(COURSE / "solutions" / ASSIGNMENT, tmp_path / "solutions" / ASSIGNMENT)
    grading_course.run_nbgrader(tmp_path, "generate_assignment", ASSIGNMENT, "--force")
    notebook = nbformat.read(tmp_path / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    released = "\n".join(cell.source for cell in notebook.cells)
    assert not [line for line in source.hidden_test_lines if line in released]
