"""Are answer scenarios read as whole answers, those written as changes composed onto the one correct answer?"""
import ast

import pytest

from autograder.assignments import assignment_names
from autograder.scenarios import OVER, ScenarioError, compose, expected_scores, scenario_sources, scenarios_dir

CORRECT = '''"""A correct answer."""
import torch


def _pair(value):
    return (value, value)


def pool2d(X, pool_size):
    return X


def pool_output_shape(input_size, kernel_size):
    return input_size
'''


def functions(source):
    return [node.name for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)]


def test_a_changed_function_replaces_the_correct_one_in_place():
    """Does the change's function take the place of the correct answer's, with the rest kept as it was?"""
    composed = compose(CORRECT, '"""Wrong shape."""\n# plant: over correct\n\n\n'
                                "def pool_output_shape(input_size, kernel_size):\n    return (0, 0)\n")
    assert functions(composed) == ["_pair", "pool2d", "pool_output_shape"]
    assert composed.startswith('"""Wrong shape."""') and '"""A correct answer."""' not in composed
    assert "return (0, 0)" in composed and "return input_size" not in composed and "return X" in composed
    assert not OVER.search(composed)


def test_other_statements_of_the_change_come_after_the_correct_answers():
    """Does a statement the change adds (a stray loop) come after everything the correct answer holds?"""
    composed = compose(CORRECT, "# plant: over correct\nwhile True:\n    pass\n")
    body = ast.parse(composed).body
    assert isinstance(body[-1], ast.While) and len(body) == len(ast.parse(CORRECT).body) + 1


def test_unanswered_functions_are_left_out():
    """Are the functions a change leaves unanswered left out, so their released stubs stay in the notebook?"""
    composed = compose(CORRECT, "# plant: over correct\n# plant: unanswered pool2d\n\n\n"
                                "def _pair(value):\n    return value\n")
    assert functions(composed) == ["_pair", "pool_output_shape"]


def test_leaving_unanswered_a_function_the_answer_lacks_is_an_error():
    """Is a misspelt `unanswered` name an error naming it, rather than silently planting the function?"""
    with pytest.raises(ScenarioError, match="pool3d"):
        compose(CORRECT, "# plant: over correct\n# plant: unanswered pool3d\n")


def test_a_change_over_a_scenario_that_does_not_exist_is_an_error(tmp_path):
    """Does `# plant: over` naming no whole-answer scenario stop with the file's name?"""
    folder = scenarios_dir("demo", tmp_path)
    folder.mkdir(parents=True)
    (folder / "broken.py").write_text("# plant: over correct_nowhere\n")
    with pytest.raises(ScenarioError, match="broken.py"):
        scenario_sources("demo", tmp_path)


@pytest.mark.parametrize("assignment", assignment_names())
def test_each_assignment_has_one_correct_answer_that_changes_are_written_over(assignment):
    """Do all of an assignment's changes name the same base, a whole answer with full expected marks?"""
    written = {path.stem: path.read_text() for path in scenarios_dir(assignment).glob("*.py")}
    bases = {match["base"] for source in written.values() if (match := OVER.search(source))}
    assert len(bases) == 1, f"{assignment}: changes are written over {sorted(bases)}, not one correct answer"
    (base,) = bases
    scores = expected_scores(assignment)
    assert scores[base] == max(scores.values(), key=lambda points: sum(points.values()))


@pytest.mark.parametrize("assignment", assignment_names())
def test_every_scenario_is_a_whole_answer_with_its_expected_marks(assignment):
    """Does every scenario come back as valid Python, differing from the correct answer, with marks beside it?"""
    sources = scenario_sources(assignment)
    assert set(sources) == set(expected_scores(assignment))
    for name, source in sources.items():
        ast.parse(source.replace("# plant: syntax-error", "pass"))
        assert not OVER.search(source), name
    assert len(set(sources.values())) == len(sources), "two scenarios plant the same answer"
