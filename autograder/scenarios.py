"""An assignment's answer scenarios: how students really answer, with the marks each must get.

They live in solutions/<assignment>/grading/scenarios/: one `<scenario>.py`
per scenario and `expected_scores.json`, {scenario: {grade_id: points}}. The
self-grading tests and `make bench` plant them into the released notebook to
make submissions (see planting.py).

A scenario is either a whole answer (Python source defining some of the
assignment's functions, the way a student would write them), or a small
change to the assignment's one correct answer, which says so in a comment:

    # plant: over correct_vectorised
    # plant: unanswered pool2d, pool_output_shape

`over` names the correct answer, itself a whole-answer scenario. The change's
functions replace the correct answer's functions of the same name, in place;
its docstring replaces the correct answer's; its other top-level statements
come after the correct answer's. `unanswered` (optional) names answer
functions the student left as released. Comments at the top level are never
planted, so the directives stay out of the submission.
"""
import ast
import json
import re
from pathlib import Path

from . import SOLUTIONS_DIR
from .planting import top_level_statements

OVER = re.compile(r"^# plant: over (?P<base>\w+)[ \t]*$", re.MULTILINE)
UNANSWERED = re.compile(r"^# plant: unanswered (?P<names>\w+(?:, *\w+)*)[ \t]*$", re.MULTILINE)


class ScenarioError(ValueError):
    """A scenario that cannot be composed; the message names the file and what is wrong."""


def scenarios_dir(assignment, solutions_dir=SOLUTIONS_DIR):
    return Path(solutions_dir) / assignment / "grading" / "scenarios"


def _statements(source, where):
    """[(key, text)] per top-level statement: key is the function's or class's name, "docstring", or None."""
    statements = []
    for index, (node, text) in enumerate(top_level_statements(source, where)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            key = node.name
        elif index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            key = "docstring"
        else:
            key = None
        statements.append((key, text))
    return statements


def compose(base_source, change_source, where="the scenario"):
    """The whole answer that `change_source` describes as changes to `base_source` (see the module docstring)."""
    base = _statements(base_source, f"the correct answer of {where}")
    change = _statements(change_source, where)
    unanswered = {name.strip() for match in UNANSWERED.finditer(change_source) for name in match["names"].split(",")}
    missing = sorted(unanswered - {key for key, _ in base})
    if missing:
        raise ScenarioError(f"{where} leaves unanswered what the correct answer does not define: {missing}")
    replacements = {key: text for key, text in change if key}
    composed = [replacements.pop(key, text) for key, text in base if key not in unanswered]
    if "docstring" in replacements:
        composed.insert(0, replacements.pop("docstring"))
    composed += [text for key, text in change if key is None or key in replacements]
    return "\n\n\n".join(composed) + "\n"


def scenario_sources(assignment, solutions_dir=SOLUTIONS_DIR):
    """{scenario name: whole answer source} of an assignment, sorted by name ({} if it has none).

    A scenario written as a change to the correct answer comes back composed.
    """
    folder = scenarios_dir(assignment, solutions_dir)
    written = {path.stem: path.read_text() for path in sorted(folder.glob("*.py"))}
    sources = {}
    for name, source in written.items():
        over = OVER.search(source)
        if not over:
            sources[name] = source
            continue
        where = (folder / f"{name}.py").as_posix()
        base = written.get(over["base"])
        if base is None or OVER.search(base):
            raise ScenarioError(f"{where}: `# plant: over {over['base']}` names no whole-answer scenario of {folder}")
        sources[name] = compose(base, source, where)
    return sources


def expected_scores(assignment, solutions_dir=SOLUTIONS_DIR):
    """{scenario: {grade_id: points}} that a fair grader gives each scenario."""
    return json.loads((scenarios_dir(assignment, solutions_dir) / "expected_scores.json").read_text())
