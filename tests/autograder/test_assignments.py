"""Is the list of assignments derived from solutions/, and nothing else?"""
from autograder.assignments import assignment_names


def test_assignments_are_the_notebook_folders_of_solutions(tmp_path):
    """Are assignments found as the folders of solutions/ that hold a notebook?"""
    (tmp_path / "pool2d").mkdir()
    (tmp_path / "pool2d" / "pool2d.ipynb").write_text("{}")
    (tmp_path / "drafts").mkdir()
    (tmp_path / "README.md").write_text("not an assignment")
    assert assignment_names(tmp_path) == ["pool2d"]


def test_a_missing_solutions_folder_has_no_assignments(tmp_path):
    """Does a course without a solutions/ folder have no assignments, rather than an error?"""
    assert assignment_names(tmp_path / "solutions") == []
