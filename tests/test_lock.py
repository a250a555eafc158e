"""Does requirements.lock hold what requirements.txt asks for, and does make install it only when it changed?"""
import hashlib
import os
import re
import shutil
import subprocess

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from locations import REPO_ROOT

REQUIREMENTS = REPO_ROOT / "requirements.txt"
LOCK = REPO_ROOT / "requirements.lock"
RELOCK = "requirements.txt and requirements.lock disagree: run `make lock` and commit both."


def direct_pins():
    """requirements.txt as {canonical name: pinned Version}."""
    pins = {}
    for line in REQUIREMENTS.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            requirement = Requirement(line)
            (specifier,) = requirement.specifier
            assert specifier.operator == "==", f"requirements.txt must pin exactly: {line}"
            pins[canonicalize_name(requirement.name)] = Version(specifier.version)
    return pins


def locked_versions():
    """requirements.lock as {canonical name: locked Version}."""
    entries = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", LOCK.read_text(), flags=re.MULTILINE)
    return {canonicalize_name(name): Version(version) for name, version in entries}


def test_every_direct_pin_is_locked_at_its_version():
    """Is every package requirements.txt pins in the lock, at that version?"""
    locked = locked_versions()
    for name, pinned in direct_pins().items():
        assert name in locked, f"{name} is pinned in requirements.txt but missing from the lock. {RELOCK}"
        # torch==2.13.0 is locked as its CPU build, 2.13.0+cpu: the same release.
        assert Version(locked[name].public) == pinned, (
            f"requirements.txt pins {name}=={pinned}, the lock has {locked[name]}. {RELOCK}")


def test_the_lock_was_compiled_from_this_requirements_txt():
    """Was the lock made from requirements.txt as it is now (its header records the file's hash)?"""
    recorded = re.search(r"^# from requirements.txt with sha256 ([0-9a-f]{64})$", LOCK.read_text(), re.MULTILINE)
    assert recorded, "requirements.lock has no '# from requirements.txt with sha256' line: run `make lock`."
    assert recorded.group(1) == hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest(), RELOCK


def test_every_locked_package_has_a_hash():
    """Can make install the lock with --require-hashes (every package carries a sha256)?"""
    entries = re.findall(r"^(\S+==\S+)(.*?)(?=^\S|\Z)", LOCK.read_text(), flags=re.MULTILINE | re.DOTALL)
    assert len(entries) == len(locked_versions())
    assert [pin for pin, rest in entries if "--hash=sha256:" not in rest] == []


def test_torch_is_locked_as_its_cpu_build():
    """Does the lock take torch's CPU build, and none of the CUDA packages PyPI's build pulls in?"""
    locked = locked_versions()
    assert locked["torch"].local == "cpu"
    cuda = sorted(name for name in locked if name.startswith(("nvidia-", "triton", "cuda-")))
    assert cuda == []


def test_the_venv_is_reinstalled_only_when_the_lock_changes(tmp_path):
    """Does a fresh checkout's new file times leave an installed .venv alone, while a changed lock reinstalls it?"""
    shutil.copy(REPO_ROOT / "Makefile", tmp_path)
    shutil.copy(LOCK, tmp_path)
    (tmp_path / "requirements.txt").write_text("")
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "uv").touch()
    setup = ["make", "--question", "setup"]

    assert subprocess.run(setup, cwd=tmp_path).returncode == 1, "a venv never installed counts as up to date"
    marker = subprocess.run(["make", "--just-print", "setup"], cwd=tmp_path, capture_output=True, text=True)
    installed = tmp_path / re.search(r"touch (\S+)", marker.stdout).group(1)
    installed.touch()
    later = installed.stat().st_mtime + 60
    for name in ["Makefile", "requirements.lock", "requirements.txt", ".venv/bin/uv"]:
        os.utime(tmp_path / name, (later, later))
    assert subprocess.run(setup, cwd=tmp_path).returncode == 0, "new file times alone reinstall .venv"

    with (tmp_path / "requirements.lock").open("a") as lock:
        lock.write("# a changed lock\n")
    assert subprocess.run(setup, cwd=tmp_path).returncode == 1, "a changed lock does not reinstall .venv"
