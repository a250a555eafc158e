"""Where can the grader sandbox students, and what does it do where it cannot?

Instructors grade as ordinary users; CI runs as root. Both must get the
sandbox, and a machine that cannot give one must stop the grader with a
reason, unless the instructor insists with --no-sandbox.
"""
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from grade_fixtures import ASSIGNMENT, COURSE, EXPECTED, MEMORY_MB, TIMEOUT_SECONDS, make_class, points, read_grades
from locations import REPO_ROOT, VENV_BIN

NOBODY = 65534
KERNEL_REFUSAL = ("bwrap: No permissions to creat new namespace, likely because the kernel "
                  "does not allow non-privileged user namespaces.")


def grade(class_dir, out, *extra, env=None, prefix=()):
    command = [*prefix, sys.executable, "-m", "autograder", "grade", ASSIGNMENT, str(class_dir), "--out", str(out),
               "--course", str(COURSE), "--timeout", str(TIMEOUT_SECONDS), "--memory-mb", str(MEMORY_MB), *extra]
    return subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=600, env=env)


def path_with(bin_dir):
    """An environment whose PATH is the venv's tools and bin_dir only (no system bwrap)."""
    return dict(os.environ, PATH=f"{VENV_BIN}{os.pathsep}{bin_dir}")


def fake_refusing_bwrap(folder):
    """A `bwrap` that fails the way bubblewrap does where the kernel forbids user namespaces."""
    folder.mkdir()
    script = folder / "bwrap"
    script.write_text(f"#!/bin/sh\necho '{KERNEL_REFUSAL}' >&2\nexit 1\n")
    script.chmod(0o755)
    return folder


def test_grading_refuses_to_start_without_bubblewrap(tmp_path):
    """Without bubblewrap, does the grader stop before grading, saying what to install?"""
    class_dir = make_class(tmp_path / "submissions", ["correct_answers"])
    empty = tmp_path / "bin"
    empty.mkdir()
    result = grade(class_dir, tmp_path / "out", env=path_with(empty))
    assert result.returncode == 2
    assert "bubblewrap" in result.stderr and "apt-get install bubblewrap" in result.stderr
    assert not (tmp_path / "out" / "grades.csv").exists()


def test_a_kernel_without_user_namespaces_is_explained(tmp_path):
    """Where the kernel refuses the sandbox, does the grader say so and name --no-sandbox?"""
    class_dir = make_class(tmp_path / "submissions", ["correct_answers"])
    result = grade(class_dir, tmp_path / "out", env=path_with(fake_refusing_bwrap(tmp_path / "bin")))
    assert result.returncode == 2
    assert "user namespace" in result.stderr and "--no-sandbox" in result.stderr
    assert not (tmp_path / "out" / "grades.csv").exists()


def test_no_sandbox_grades_with_a_warning_in_the_output_and_the_report(tmp_path):
    """With --no-sandbox, does grading run, warn on the terminal and put the warning into report.html?"""
    scenarios = ["correct_answers", "wrong_window_sum"]
    class_dir = make_class(tmp_path / "submissions", scenarios)
    out = tmp_path / "out"
    result = grade(class_dir, out, "--no-sandbox", env=path_with(fake_refusing_bwrap(tmp_path / "bin")))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "WITHOUT a sandbox" in result.stdout
    assert "WITHOUT a sandbox" in (out / "report.html").read_text()
    rows = read_grades(out)
    assert {s: (rows[s]["status"], points(rows[s])) for s in scenarios} == {s: EXPECTED[s] for s in scenarios}


def _blocked_ancestor(path):
    """The highest folder above `path` that other users cannot enter, or None."""
    for parent in reversed(Path(path).resolve().parents):
        if parent != Path("/") and not os.stat(parent).st_mode & stat.S_IXOTH:
            return parent
    return None


def as_an_ordinary_user():
    """The command prefix that runs the grader as user `nobody`, the venv and course still readable.

    Root's home (where pyenv keeps Python here) is closed to other users, so,
    in a private mount namespace, each closed folder above what the grader
    needs is replaced by an open, empty one into which the needed folders are
    bound back. Nothing changes outside that namespace.
    """
    needed = sorted({REPO_ROOT, Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()})
    script = ["set -e"]
    for number, path in enumerate(needed):
        blocked = _blocked_ancestor(path)
        if blocked is None:
            continue
        stash = f"/tmp/.grader-test-stash-{os.getpid()}-{number}"
        script += [f"mkdir -p {stash} && mount --bind {path} {stash}",
                   f"mountpoint -q {blocked} && [ -f {blocked}/.grader-test-open ] || "
                   f"{{ mount -t tmpfs -o mode=755 tmpfs {blocked} && touch {blocked}/.grader-test-open; }}",
                   f"mkdir -p {path} && mount --bind {stash} {path}"]
    script.append(f'exec setpriv --reuid {NOBODY} --regid {NOBODY} --clear-groups "$@"')
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", "\n".join(script), "sh"]


def test_an_ordinary_user_grades_in_the_sandbox():
    """Does a user without privileges (as instructors are) get the sandbox and the right grades?"""
    folder = Path(tempfile.mkdtemp(prefix="grader-unprivileged-"))
    try:
        folder.chmod(0o777)  # the user nobody writes the output here
        scenarios = ["correct_answers", "wrong_window_sum", "hangs_forever"]
        class_dir = make_class(folder / "submissions", scenarios)
        out = folder / "out"
        if os.geteuid() == 0:
            prefix = as_an_ordinary_user()
            env = dict(os.environ, HOME=str(folder))
        else:
            prefix, env = (), None
        result = grade(class_dir, out, "--jobs", "2", env=env, prefix=prefix)
        assert result.returncode == 0, result.stderr[-3000:]
        assert "WITHOUT a sandbox" not in result.stdout
        rows = read_grades(out)
        assert {s: (rows[s]["status"], points(rows[s])) for s in scenarios} == {s: EXPECTED[s] for s in scenarios}
        assert os.stat(out / "grades.csv").st_uid == (NOBODY if os.geteuid() == 0 else os.geteuid())
    finally:
        shutil.rmtree(folder, ignore_errors=True)

