"""Does the autograder package answer on the command line?"""
import subprocess
import sys

from autograder.assignments import assignment_names
from locations import REPO_ROOT


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "autograder", *args], cwd=REPO_ROOT, capture_output=True, text=True
    )


def test_help_lists_the_commands():
    """Does `python -m autograder --help` run and name its commands?"""
    result = run_cli("--help")
    assert result.returncode == 0, result.stderr
    assert "release" in result.stdout and "list" in result.stdout


def test_list_prints_each_assignment_once():
    """Does `python -m autograder list` print the assignments in solutions/?"""
    result = run_cli("list")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == assignment_names()
