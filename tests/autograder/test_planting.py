"""Does planting put a scenario's answers where a student would have typed them?"""
import nbformat
import pytest

from autograder.planting import PlantingError, plant_answers
from locations import REPO_ROOT

RELEASE = REPO_ROOT / "exercises" / "pool2d" / "pool2d.ipynb"


def answer_cells(notebook):
    return {
        cell.metadata.nbgrader["grade_id"]: cell.source
        for cell in notebook.cells
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution")
    }


def plant(tmp_path, source):
    out = tmp_path / "submission.ipynb"
    plant_answers(RELEASE, source, out)
    return nbformat.read(out, 4)


def test_only_the_scenarios_functions_are_replaced(tmp_path):
    """Does a scenario defining one function change that answer cell and no other cell?"""
    released = nbformat.read(RELEASE, 4)
    planted = plant(tmp_path, "import math\n\ndef pool_output_shape(input_size, kernel_size, **kw):\n    return (1, 1)\n")
    before, after = answer_cells(released), answer_cells(planted)
    assert after["pool_output_shape"].startswith("import math\n")
    assert "return (1, 1)" in after["pool_output_shape"]
    assert {k: v for k, v in after.items() if k != "pool_output_shape"} == {
        k: v for k, v in before.items() if k != "pool_output_shape"}
    others = [(c.cell_type, c.source, c.metadata) for c in planted.cells
              if not (c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution"))]
    assert others == [(c.cell_type, c.source, c.metadata) for c in released.cells
                      if not (c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution"))]


def test_helpers_and_imports_go_before_the_first_planted_answer(tmp_path):
    """Do a scenario's helper functions and imports land at the top of its first answer cell?"""
    source = ("import torch\n\ndef _pair(v):\n    return (v, v)\n\n"
              "def pool2d_strided(X, pool_size, stride=None, padding=0, mode='max'):\n    return _pair(X)\n\n"
              "def pool2d(X, pool_size, mode='max'):\n    return X\n")
    cells = answer_cells(plant(tmp_path, source))
    assert cells["pool2d"].startswith("import torch\n\n\ndef _pair(v):")
    assert "_pair" not in cells["pool2d_strided"].split("def pool2d_strided")[0]


def test_a_planted_cell_is_laid_out_like_hand_written_code(tmp_path):
    """Do one-line statements stay on consecutive lines, with two blank lines around functions?"""
    source = ('"""Scenario."""\nimport numpy\nimport torch\ntorch.equal = None\n\n\n'
              "def pool2d(X, pool_size, mode='max'):\n    return X\n")
    cells = answer_cells(plant(tmp_path, source))
    assert cells["pool2d"] == (
        '"""Scenario."""\nimport numpy\nimport torch\ntorch.equal = None\n\n\n'
        "def pool2d(X, pool_size, mode='max'):\n    return X\n"
    )


def test_the_syntax_error_marker_breaks_only_its_cell(tmp_path):
    """Does the `# plant: syntax-error` marker make exactly that answer cell fail to compile?"""
    source = ("def pool2d(X, pool_size, mode='max'):\n    # plant: syntax-error\n    return X\n\n"
              "def pool2d_strided(X, pool_size, stride=None, padding=0, mode='max'):\n    return X\n")
    cells = answer_cells(plant(tmp_path, source))
    with pytest.raises(SyntaxError):
        compile(cells["pool2d"], "pool2d cell", "exec")
    compile(cells["pool2d_strided"], "pool2d_strided cell", "exec")


def test_outputs_are_cleared(tmp_path):
    """Is the submission free of outputs, like a freshly saved notebook?"""
    planted = plant(tmp_path, "def pool2d(X, pool_size, mode='max'):\n    return X\n")
    assert all(not c.outputs and c.execution_count is None for c in planted.cells if c.cell_type == "code")


@pytest.mark.parametrize("source, message", [
    ("def pool2d(:\n", "not valid Python"),
    ("def unrelated():\n    pass\n", "defines none of the functions"),
    ("def pool2d(X, p):\n    pass\n\ndef pool2d(X, p):\n    pass\n", r"defines pool2d\(\) twice"),
])
def test_a_scenario_that_cannot_be_planted_is_refused(tmp_path, source, message):
    """Is a broken, unrelated or ambiguous scenario refused with a message saying why?"""
    with pytest.raises(PlantingError, match=message):
        plant_answers(RELEASE, source, tmp_path / "out.ipynb")
    assert not (tmp_path / "out.ipynb").exists()
