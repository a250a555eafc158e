"""The checking tools of the course's assignments: `from course_checks import checks`.

A copy of this package sits beside every assignment notebook, so a student
can run the public tests in Jupyter or Colab with nothing but torch. Each
module has one job:

- encoding.py   values as plain data (the reference files' format) and short descriptions
- pooling.py    the course's rule: no built-in pooling operator (a TorchDispatchMode watch)
- runner.py     calls the student's function on one case and reports what happened, as plain data
- compare.py    decides whether a case passed, from that report and the expected result
- references.py finds and checks the hidden reference cases
- graded_test.py the GradedTest of each test cell, and `checks`, the object the notebooks use

When the course's grader grades a notebook, the test cells run in the
grader's own process and the student's process only runs `runner.run_case`:
the expected results and the verdicts never enter the student's process.
"""
from .graded_test import Checks

checks = Checks()
