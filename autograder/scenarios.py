"""An assignment's answer scenarios: how students really answer, with the marks each must get.

They live in solutions/<assignment>/grading/scenarios/: one `<scenario>.py`
per scenario (Python source defining some of the assignment's functions, the
way a student would write them; see planting.py) and `expected_scores.json`,
{scenario: {grade_id: points}}. The self-grading tests and `make bench`
plant them into the released notebook to make submissions.
"""
import json
from pathlib import Path

from . import SOLUTIONS_DIR


def scenarios_dir(assignment, solutions_dir=SOLUTIONS_DIR):
    return Path(solutions_dir) / assignment / "grading" / "scenarios"


def scenario_sources(assignment, solutions_dir=SOLUTIONS_DIR):
    """{scenario name: answer source} of an assignment, sorted by name ({} if it has none)."""
    return {path.stem: path.read_text() for path in sorted(scenarios_dir(assignment, solutions_dir).glob("*.py"))}


def expected_scores(assignment, solutions_dir=SOLUTIONS_DIR):
    """{scenario: {grade_id: points}} that a fair grader gives each scenario."""
    return json.loads((scenarios_dir(assignment, solutions_dir) / "expected_scores.json").read_text())
