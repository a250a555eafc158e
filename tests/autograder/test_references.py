"""Are the reference cases what `make references` generates, and do they stay out of exercises/?"""
import hashlib
import json

from autograder.assignments import assignment_names
from autograder.references import MANIFEST, REFERENCES, assignments_with_cases, drifted_files, grading_dir, reference_files
from locations import REPO_ROOT


def cases_of(assignment):
    return json.loads((grading_dir(assignment) / REFERENCES).read_text())["cases"]


def test_the_reference_files_match_a_fresh_generation():
    """Does regenerating the references from PyTorch reproduce the committed files byte for byte?"""
    assert drifted_files() == [], "run `make references` and commit solutions/*/grading/"


def test_every_assignment_has_hidden_cases():
    """Does every assignment keep a case builder in its grading/ folder?"""
    assert assignments_with_cases() == assignment_names()


def test_generation_is_deterministic():
    """Do two generations in one process give identical bytes?"""
    for assignment in assignments_with_cases():
        assert reference_files(assignment) == reference_files(assignment)


def test_the_manifest_holds_the_references_sha256():
    """Does each grading/manifest.json hold the SHA-256 of its references.json?"""
    for assignment in assignments_with_cases():
        folder = grading_dir(assignment)
        manifest = json.loads((folder / MANIFEST).read_text())
        assert manifest == {REFERENCES: hashlib.sha256((folder / REFERENCES).read_bytes()).hexdigest()}


def test_every_graded_function_has_hidden_cases_of_each_kind():
    """Does each function have hidden cases in both dtypes, and each shape function invalid-argument cases?"""
    for name in assignments_with_cases():
        cases = cases_of(name)
        for function in {c["function"] for c in cases}:
            mine = [c for c in cases if c["function"] == function]
            assert len(mine) >= 4, function
            dtypes = {a["tensor"]["dtype"] for c in mine for a in c["args"] if isinstance(a, dict) and "tensor" in a}
            if function not in ("pool_output_shape", "avg_pool_conv_layer"):
                assert dtypes == {"float32", "float64"}, function
        raising = {c["function"] for c in cases if "raises" in c["expect"]}
        if name == "pool2d":
            assert raising == {"pool2d", "pool2d_strided", "pool_output_shape"}


def test_no_reference_value_appears_in_the_exercises():
    """Is no hidden input or expected value (as its exact repr) present in exercises/?"""
    notebooks = "".join(p.read_text() for p in (REPO_ROOT / "exercises").rglob("*.ipynb"))
    assert "HIDDEN TESTS" not in notebooks and "hidden_cases()" in notebooks
    released = "".join(p.read_text() for p in (REPO_ROOT / "exercises").rglob("*") if p.is_file())
    assert not list((REPO_ROOT / "exercises").rglob("*.json"))
    assert not list((REPO_ROOT / "exercises").rglob("grading"))
    for name in assignments_with_cases():
        cases = cases_of(name)
        values = {repr(v) for c in cases for a in c["args"] if isinstance(a, dict) and "tensor" in a
                  for v in a["tensor"]["values"]}
        leaked = [v for v in values if v in released]
        assert not leaked, leaked[:5]
