"""The course's grading pipeline: releases assignments and grades submissions.

Run `python -m autograder --help` for the commands.
"""
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS_DIR = REPO_ROOT / "solutions"
EXERCISES_DIR = REPO_ROOT / "exercises"
