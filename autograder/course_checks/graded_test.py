"""GradedTest, the object behind every test cell, and `checks`, what the notebooks import.

A test cell reads like this:

    test = checks.GradedTest("pool2d", pool2d, points=3)
    X = checks.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
    test.returns([[4.0, 5.0], [7.0, 8.0]], X, (2, 2))      # a public case
    test.raises(ValueError, X, (2, 2), mode='min', mentioning=['mode', 'min'])
    test.hidden_cases()                                      # none in a student's copy
    test.score()                                             # prints the report, returns the points

In a notebook each case runs at once, in the notebook's own process. When
the course's grader runs the cell, it does so in its own process, with the
student's function standing for a call into the student's sandbox: only
`runner.run_case` runs there, and the expected results stay here. The points
are then the test cell's nbgrader metadata, their one source; `points=` in
the cell repeats them for the student's report (a test keeps the two equal).

Under a failed case the report shows the input's properties and, for an
error, the line of the student's code that raised; under any case, what the
student's function printed (capped, each line behind "| ").
"""
import os

import torch

from . import references as reference_files
from .compare import invalid_outcome, judge
from .diagnosis import input_properties, one_line, printed_lines
from .encoding import DTYPES, decode, describe, describe_call, encode, flatten, shape_of_nested
from .runner import run_case

RUNNER = "course_checks.runner:run_case"
DEFAULT_CASE_SECONDS = 10.0
CASES_SHOWING_PRINTS = 3  # a function that prints on every case would bury the report


def current_grader():
    """The grader's context while it runs this cell in its own process, else None (see autograder/grading_context.py)."""
    try:
        from autograder.grading_context import CURRENT
    except ImportError:
        return None
    return CURRENT.get()


class GradedTest:
    """The cases of one graded test cell, run against one student function.

    Each `returns`/`raises`/`layer_matches` call runs one case and records
    whether it passed; `score()` prints the report and returns
    points × passed / cases, the cell's partial credit.
    """

    def __init__(self, checks, name, function, points):
        self.checks, self.name, self.function, self.points = checks, name, function, points
        self.grader = current_grader()
        if self.grader is not None and self.grader.cell_points is not None:
            self.points = self.grader.cell_points
        self.results = []  # (call, problem or None, public, [detail lines])
        self.timed_out = False
        self.printing_cases = 0
        self.case_seconds = (self.grader.case_seconds if self.grader else
                             float(os.environ.get("COURSE_CASE_SECONDS", DEFAULT_CASE_SECONDS)))

    def _outcome(self, encoded_args, encoded_kwargs, probe):
        options = {"seconds": self.case_seconds, "probe": probe}
        if self.grader is None:
            return run_case(self.function, encoded_args, encoded_kwargs, **options)
        outcome = self.function.run_case(RUNNER, encoded_args, encoded_kwargs, options)
        problem = invalid_outcome(outcome)
        return outcome if problem is None else {"problem": problem}

    def _run(self, args, kwargs, expected, public, probe=None, probe_description=""):
        call = describe_call(self.name, args, kwargs)
        case = {"args": [encode(a) for a in args], "kwargs": {k: encode(v) for k, v in kwargs.items()}}
        outcome = {}
        if self.timed_out:
            problem = f"not run: an earlier case took over {self.case_seconds:g} s"
        else:
            outcome = self._outcome(case["args"], case["kwargs"], probe)
            self.timed_out = bool(outcome.get("timed_out"))
            problem = judge(expected, outcome, probe_description, case)
        self.results.append((call, problem, public, self._details(case, outcome, problem)))
        if self.grader is not None:
            self.grader.record_case(self.name, call, problem, public)

    def _details(self, case, outcome, problem):
        """The lines shown under a case: input properties and the raising line (failures), and prints."""
        details = []
        if problem is not None:
            properties = input_properties(case)
            if properties:
                details.append(properties)
            line = outcome.get("raised", {}).get("line")
            if line:
                details.append(f"raised by line {line['number']} of your code, in {one_line(line['function'], 100)}: "
                               f"{one_line(line['source'], 200)}")
        if outcome.get("printed"):
            self.printing_cases += 1
            if self.printing_cases <= CASES_SHOWING_PRINTS:
                details += ["printed:"] + printed_lines(outcome["printed"])
            elif self.printing_cases == CASES_SHOWING_PRINTS + 1:
                details.append(f"printed: (not shown: only the first {CASES_SHOWING_PRINTS} cases' prints are)")
        return details

    def returns(self, expected, *args, dtype=None, **kwargs):
        """Public case: the call should return `expected` (nested list -> tensor, tuple -> shape)."""
        if type(expected) is tuple:
            self._run(args, kwargs, {"shape": list(expected)}, True)
            return
        first = [a for a in args if type(a) is torch.Tensor]
        name = dtype or (str(first[0].dtype).replace("torch.", "") if first else "float32")
        record = {"dtype": name, "shape": list(shape_of_nested(expected)), "values": [float(v) for v in flatten(expected)]}
        self._run(args, kwargs, {"tensor": record}, True)

    def raises(self, error, *args, mentioning=(), **kwargs):
        """Public case: the call should raise `error` (e.g. ValueError) from an argument check.

        mentioning: words of which the error's message must contain one (any case), such
        as the offending argument's name or value; an error raised by accident names neither.
        """
        self._run(args, kwargs, {"raises": error.__name__, "mentioning": list(mentioning)}, True)

    def layer_matches(self, X, expected, *args, **kwargs):
        """Public case: the returned layer should be a bias-free, frozen nn.Conv2d mapping X to expected."""
        record = {"dtype": str(X.dtype).replace("torch.", ""), "shape": list(shape_of_nested(expected)),
                  "values": [float(v) for v in flatten(expected)]}
        self._run(args, kwargs, {"layer_output": {"tensor": record}}, True,
                  probe={"conv2d": encode(X)}, probe_description=describe(X))

    def hidden_cases(self):
        """The hidden cases of this function, when the course grades the notebook; none in a student's copy."""
        document = self.grader.references if self.grader else self.checks.references
        if document is None:
            return
        for case in document["cases"]:
            if case["function"] != self.name:
                continue
            args = [decode(a) for a in case["args"]]
            kwargs = {k: decode(v) for k, v in case["kwargs"].items()}
            expected = case["expect"]
            if "layer_output" in expected:
                X = expected["layer_input"]
                self._run(args, kwargs, expected, False, probe={"conv2d": X}, probe_description=describe(decode(X)))
            else:
                self._run(args, kwargs, expected, False)

    def report_lines(self):
        passed = sum(1 for _, problem, _, _ in self.results if problem is None)
        total = len(self.results)
        earned = round(self.points * passed / total, 4) if total else 0.0
        lines = [f"{self.name}: {passed} of {total} cases passed, {earned:g} of {self.points} points"]
        for call, problem, public, details in self.results:
            label = "" if public else "  [hidden]"
            lines.append(f"  {'ok  ' if problem is None else 'FAIL'} {call}{label}")
            lines += [f"       {line}" for line in ([] if problem is None else [problem]) + details]
        return earned, lines

    def score(self):
        """Print the per-case report; return the points earned (partial credit)."""
        earned, lines = self.report_lines()
        text = "\n".join(lines) + "\n"
        if self.grader is not None:
            self.grader.write(text)
        else:
            print(text, end="")
        failed = sum(1 for _, problem, _, _ in self.results if problem is not None)
        if self.grader is None and os.environ.get("NBGRADER_EXECUTION") == "validate" and failed:
            # Under `nbgrader validate` a failed case must raise to be reported;
            # when grading, the partial score above is what counts.
            raise AssertionError(f"{self.name}: {failed} of {len(self.results)} cases failed (see above)")
        return min(max(earned, 0.0), float(self.points))


class Checks:
    """What the notebooks call `checks`: tensors for the cases, the hidden cases, and GradedTest."""

    def __init__(self):
        self.references = None  # the hidden cases, where they can be found

    def GradedTest(self, name, function, points):  # noqa: N802 (reads as a class in the test cells)
        return GradedTest(self, name, function, points)

    @staticmethod
    def tensor(data, dtype="float32"):
        """A plain tensor of the given nested list and dtype name."""
        return torch.tensor(data, dtype=DTYPES[dtype])

    def use_hidden_cases(self, assignment):
        """Load the assignment's hidden cases where they exist (checked against their manifest).

        They are in the course, never in a student's copy: there this does
        nothing, nor in the course grader's sandbox, where they never go. Under
        plain `nbgrader autograde`, which runs inside the course, they must be
        found, or the grades would lack them.
        """
        grader = current_grader()
        if grader is not None:
            grader.references = reference_files.load_references(grader.references_dir / reference_files.FILE_NAME)
            return
        try:
            path = reference_files.find_references(assignment)
        except FileNotFoundError:
            if os.environ.get("NBGRADER_EXECUTION") == "autograde" and not os.environ.get("AUTOGRADER_SANDBOX"):
                raise
            return
        self.references = reference_files.load_references(path)
