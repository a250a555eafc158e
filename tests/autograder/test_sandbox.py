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

from autograder import sandbox
from autograder.assignments import assignment_names
from grade_fixtures import ASSIGNMENT, COURSE, EXPECTED, MEMORY_MB, TIMEOUT_SECONDS, make_class, points, read_grades
from locations import REPO_ROOT, VENV_BIN

NOBODY = 65534
ASSIGNMENT_OF_THE_COURSE = assignment_names()[0]
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


def bwrap_binds(tmp_path):
    """The zygote's bubblewrap command for the first assignment: ({target: (option, source)}, the whole command)."""
    assignment_dir = REPO_ROOT / "exercises" / ASSIGNMENT_OF_THE_COURSE
    command = sandbox.bwrap_command(assignment_dir, tmp_path, control_fd=3)
    binds = {}
    for index, option in enumerate(command):
        if option in ("--bind", "--bind-try", "--ro-bind", "--ro-bind-try", "--dev-bind"):
            binds[command[index + 2]] = (option, command[index + 1])
    return binds, command


def test_the_zygote_sees_nothing_of_the_course_but_the_released_files(tmp_path):
    """Of the repository, does the sandbox bind only the released assignment, the inside/ package and the venv?"""
    binds, _ = bwrap_binds(tmp_path)
    allowed = {REPO_ROOT / "exercises" / ASSIGNMENT_OF_THE_COURSE, sandbox.INSIDE_PACKAGE, Path(sys.prefix).resolve()}
    from_the_repository = {Path(source) for _, source in binds.values() if Path(source).is_relative_to(REPO_ROOT)}
    assert from_the_repository <= allowed
    assert not any(Path(source).is_relative_to(REPO_ROOT / name) for _, source in binds.values()
                   for name in ("solutions", "tests", ".git", "autograder/course_checks"))


def test_every_bind_is_read_only(tmp_path):
    """Is everything the zygote sees mounted read-only, so no student can change the grader's files?"""
    binds, command = bwrap_binds(tmp_path)
    assert binds and {option for option, _ in binds.values()} <= {"--ro-bind", "--ro-bind-try"}
    assert ("--remount-ro", "/") in zip(command, command[1:])


def test_the_zygote_shares_no_namespace_environment_or_capability(tmp_path):
    """Does the command unshare everything (network included), clear the environment, drop capabilities
    and tie the zygote's life to the grader's?"""
    _, command = bwrap_binds(tmp_path)
    for option in ("--unshare-all", "--unshare-user", "--clearenv", "--die-with-parent", "--new-session"):
        assert option in command, option
    assert command[command.index("--cap-drop") + 1] == "ALL"
    assert "--share-net" not in command


def test_without_the_sandbox_the_grader_passes_on_none_of_its_environment(monkeypatch):
    """With --no-sandbox, does the zygote's environment hold nothing of the grader's (tokens, passwords)?"""
    monkeypatch.setenv("PGPASSWORD", "hunter2")
    environment = sandbox.plain_environment()
    assert "PGPASSWORD" not in environment and "hunter2" not in environment.values()


def test_a_missing_bwrap_is_a_set_up_error_saying_what_to_install(tmp_path, monkeypatch):
    """Without bubblewrap on PATH, does building the command stop with the install hint?"""
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(sandbox.SandboxUnavailable, match="apt-get install bubblewrap"):
        sandbox.bwrap_command(tmp_path, tmp_path, control_fd=3)
