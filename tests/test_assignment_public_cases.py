"""Can a student find every kind of mistake before handing in, with the public tests alone?

The first test plants a common mistake into the released pool2d notebook
(an answer scenario of solutions/pool2d/grading/scenarios/), runs it as a
student runs it (a Jupyter kernel in a folder of its own, with the
notebook's course_checks/ and no hidden references anywhere above), and
reads what the public tests printed. The second compares the kinds of hidden
case of each assignment with the kinds of public case its notebook shows.
"""
import json
import math
import shutil

import nbformat
import pytest
from nbclient import NotebookClient

from autograder import EXERCISES_DIR
from autograder.assignments import assignment_names
from autograder.course_checks.graded_test import Checks, GradedTest
from autograder.planting import plant_answers
from autograder.references import REFERENCES, grading_dir
from autograder.scenarios import scenario_sources
from locations import REPO_ROOT

# Each mistake, as an answer scenario, and what the public tests must say about it.
MISTAKES = {
    "max_pads_with_zero": ["a padded position won the maximum"],
    "averages_with_floor_division": ["looks rounded down: integer division (//)"],
    "zeros_without_dtype": ["has dtype float32 but the input is float64"],
    "default_stride_one": ["the stride defaults to the window size"],
    "changes_input_in_place": ["changed its input in place"],
    "returns_numpy": ["returned numpy.ndarray, not a torch.Tensor"],
    "multichannel_passes_4d_to_2d": ["raised ValueError: too many values to unpack (expected 2)",
                                     "input: shape (1, 2, 4, 4)", "of your code, in pool2d_strided: H, W = X.shape"],
}


def run_as_a_student(folder, answer_source):
    """The released pool2d notebook with the answer planted, run in `folder`; returns all it printed."""
    shutil.copytree(EXERCISES_DIR / "pool2d" / "course_checks", folder / "course_checks")
    notebook_path = folder / "pool2d.ipynb"
    plant_answers(EXERCISES_DIR / "pool2d" / "pool2d.ipynb", answer_source, notebook_path)
    notebook = nbformat.read(notebook_path, 4)
    NotebookClient(notebook, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(folder)}}).execute()
    return "".join(output.get("text", "") for cell in notebook.cells if cell.cell_type == "code"
                   for output in cell.outputs)


@pytest.mark.parametrize("scenario", sorted(MISTAKES))
def test_the_public_tests_name_each_common_mistake(tmp_path, monkeypatch, scenario):
    """Does the notebook a student runs, without the hidden cases, report the mistake in words that name it?"""
    monkeypatch.delenv("COURSE_REFERENCES_DIR", raising=False)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    assert not (tmp_path / "solutions").exists() and REPO_ROOT not in tmp_path.parents
    printed = run_as_a_student(tmp_path, scenario_sources("pool2d")[scenario])
    assert "[hidden]" not in printed
    failures = [line for line in printed.splitlines() if line.lstrip().startswith("FAIL")]
    assert failures, printed
    for words in MISTAKES[scenario]:
        assert words in printed, f"{scenario}: no {words!r} in\n{printed}"


# The kinds of case


def _values(record):
    return [float(v) for v in record["values"]]


def _is_pair(value):
    return type(value) is dict and "tuple" in value


def kinds_of_case(function, args, kwargs, expect):
    """The kinds a case belongs to: what about its input, arguments or expected result a mistake could miss."""
    kinds = set()
    if "raises" in expect:
        kinds.add(f"raises, naming {(expect.get('mentioning') or ['anything'])[0]}")
    tensors = [a["tensor"] for a in [*args, *kwargs.values()] if type(a) is dict and "tensor" in a]
    layer_input = expect.get("layer_input", {}).get("tensor")
    for record in tensors + ([layer_input] if layer_input else []):
        values = _values(record)
        kinds |= {f"dtype {record['dtype']}", f"rank {len(record['shape'])}"}
        if values and max(values) < 0:
            kinds.add("all negative")
        elif any(v < 0 for v in values):
            kinds.add("has negatives")
    mode = kwargs.get("mode", "max")
    padded = any(v != 0 for v in (kwargs["padding"]["tuple"] if _is_pair(kwargs.get("padding"))
                                  else [kwargs.get("padding", 0)]))
    if padded:
        kinds.add(f"padding, mode {mode}")
        if mode == "max" and "all negative" in kinds:
            kinds.add("max over padding of an all-negative input")
    kinds.add("stride given" if "stride" in kwargs else "stride not given")
    if any(_is_pair(a) for a in args[1:2]):
        kinds.add("window given as a pair")
    result = expect.get("layer_output", expect).get("tensor")
    if result is not None:
        kinds.add(f"mode {mode}")
        if mode == "avg" and not all(v == math.floor(v) for v in _values(result)):
            kinds.add("averages not whole")
    kinds |= {name for name in ("ceil_mode", "dilation") if name in kwargs}
    if function == "avg_pool_conv_layer":
        kinds.add("one channel" if args[0] == 1 else "several channels")
    return kinds


def public_cases(assignment, monkeypatch):
    """[(function, args, kwargs, expect)] of the public cases, from running the solution notebook's cells."""
    seen = []

    def record(test, args, kwargs, expected, public, probe=None, probe_description=""):
        from autograder.course_checks.encoding import encode
        if probe:
            expected = {**expected, "layer_input": probe["conv2d"]}
        seen.append((test.name, [encode(a) for a in args], {k: encode(v) for k, v in kwargs.items()}, expected))

    monkeypatch.setattr(GradedTest, "_run", record)
    notebook = nbformat.read(REPO_ROOT / "solutions" / assignment / f"{assignment}.ipynb", 4)
    namespace = {"checks": Checks()}
    for cell in notebook.cells:
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade_id") != "checking_tools":
            exec(cell.source, namespace)
    return seen


@pytest.mark.parametrize("assignment", assignment_names())
def test_every_kind_of_hidden_case_has_a_public_counterpart(assignment, monkeypatch):
    """Does each kind of hidden case (dtype, negatives and padding, averages not whole, default stride,
    invalid arguments, ranks, ...) come up in a public case of the same function?"""
    hidden = json.loads((grading_dir(assignment) / REFERENCES).read_text())["cases"]
    public = {}
    for function, args, kwargs, expect in public_cases(assignment, monkeypatch):
        public.setdefault(function, set()).update(kinds_of_case(function, args, kwargs, expect))
    missing = {}
    for case in hidden:
        kinds = kinds_of_case(case["function"], case["args"], case["kwargs"], case["expect"])
        lacking = kinds - public.get(case["function"], set())
        if lacking:
            missing.setdefault(case["function"], set()).update(lacking)
    assert not missing, f"hidden kinds no public case shows: {missing}"
