"""Are the reference cases what `make references` generates, and do they stay out of exercises/?"""
import hashlib
import json

from autograder.references import REFERENCES_DIR, drifted_files, reference_files
from conftest import REPO_ROOT


def test_the_reference_files_match_a_fresh_generation():
    """Does regenerating the references from PyTorch reproduce the committed files byte for byte?"""
    assert drifted_files() == [], "run `make references` and commit autograder/references/"


def test_generation_is_deterministic():
    """Do two generations in one process give identical bytes?"""
    assert reference_files() == reference_files()


def test_the_manifest_holds_each_files_sha256():
    """Does manifest.json list the SHA-256 of every reference file, and only those?"""
    manifest = json.loads((REFERENCES_DIR / "manifest.json").read_text())
    files = sorted(p.name for p in REFERENCES_DIR.glob("*.json") if p.name != "manifest.json")
    assert sorted(manifest) == files
    for name in files:
        assert manifest[name] == hashlib.sha256((REFERENCES_DIR / name).read_bytes()).hexdigest()


def test_every_graded_function_has_hidden_cases_of_each_kind():
    """Does each function have hidden cases in both dtypes, and each shape function invalid-argument cases?"""
    for name in ("pool2d", "avgpool_as_conv"):
        cases = json.loads((REFERENCES_DIR / f"{name}.json").read_text())["cases"]
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
    released = "".join(p.read_text() for p in (REPO_ROOT / "exercises").rglob("*.ipynb"))
    assert "reference_cases()" not in released and "HIDDEN TESTS" not in released
    assert not list((REPO_ROOT / "exercises").rglob("*.json"))
    for name in ("pool2d", "avgpool_as_conv"):
        cases = json.loads((REFERENCES_DIR / f"{name}.json").read_text())["cases"]
        values = {repr(v) for c in cases for a in c["args"] if isinstance(a, dict) and "tensor" in a
                  for v in a["tensor"]["values"]}
        leaked = [v for v in values if v in released]
        assert not leaked, leaked[:5]
