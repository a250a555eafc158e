"""How set-up treats missing Debian packages: .ci/system-packages, and `make test` calling it.

The packages are installed on this machine, so each test runs the script
with a PATH of fakes: dpkg-query reports every package missing, and apt-get
and sudo record how they were called. Tests that need an unprivileged user
drop to `nobody` with setpriv when the suite runs as root.
"""
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from locations import REPO_ROOT

PACKAGES = ["chromium", "postgresql", "bubblewrap"]
NOBODY = [shutil.which("setpriv") or "setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups"]
as_root_only = pytest.mark.skipif(os.geteuid() != 0, reason="takes set-up's root path")

DPKG_QUERY_MISSING = '#!/bin/sh\necho "dpkg-query: no packages found matching $3" >&2\nexit 1\n'
DPKG_QUERY_INSTALLED = "#!/bin/sh\nprintf installed\n"
APT_GET = '#!/bin/sh\necho "apt-get $*" >> "$CALLS"\nexit "${APT_STATUS:-0}"\n'
SUDO_ASKS = '#!/bin/sh\necho "sudo $*" >> "$CALLS"\necho "sudo: a password is required" >&2\nexit 1\n'
SUDO_WORKS = '#!/bin/sh\necho "sudo $*" >> "$CALLS"\n[ "$1" = -n ] && shift\nexec "$@"\n'
# A recorder in place of the venv's Python: set-up must not get that far.
PYTHON = '#!/bin/sh\necho "python3.11 $*" >> "$CALLS"\nexit 1\n'
REAL_TOOLS = ["bash", "env", "id", "true", "sha256sum", "cut"]


@pytest.fixture
def world():
    """A folder any user can read, with a fake-tools bin/ and a calls log any user can append to."""
    folder = Path(tempfile.mkdtemp(prefix="course-system-packages-"))
    folder.chmod(0o755)
    (folder / "bin").mkdir(mode=0o755)
    for tool in REAL_TOOLS:
        (folder / "bin" / tool).symlink_to(shutil.which(tool))
    (folder / "calls").touch(mode=0o666)
    (folder / "calls").chmod(0o666)
    yield folder
    shutil.rmtree(folder)


def fake(world, name, script):
    path = world / "bin" / name
    path.write_text(script)
    path.chmod(0o755)


def run(world, command, *, unprivileged=False, apt_status=0, cwd=REPO_ROOT):
    """Run command with only world/bin on PATH; as `nobody` when unprivileged and root."""
    prefix = NOBODY if unprivileged and os.geteuid() == 0 else []
    env = {"PATH": str(world / "bin"), "CALLS": str(world / "calls"), "APT_STATUS": str(apt_status)}
    return subprocess.run(prefix + command, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def calls(world):
    return (world / "calls").read_text().splitlines()


def set_up(world, **options):
    return run(world, [str(REPO_ROOT / ".ci" / "system-packages"), *PACKAGES], **options)


def test_nothing_is_installed_when_every_package_is_there(world):
    """Does set-up leave apt-get alone when chromium, postgresql and bubblewrap are installed?"""
    fake(world, "dpkg-query", DPKG_QUERY_INSTALLED)
    fake(world, "apt-get", APT_GET)

    result = set_up(world)

    assert result.returncode == 0, result.stderr
    assert calls(world) == []


@as_root_only
def test_root_installs_the_missing_packages_with_apt_get(world):
    """Does set-up, run as root, install every missing package with apt-get and succeed?"""
    fake(world, "dpkg-query", DPKG_QUERY_MISSING)
    fake(world, "apt-get", APT_GET)

    result = set_up(world)

    assert result.returncode == 0, result.stderr
    assert calls(world) == ["apt-get update -q", "apt-get install -y -q chromium postgresql bubblewrap"]


def test_an_unprivileged_user_installs_through_sudo_without_a_password(world):
    """Does set-up use `sudo -n apt-get` when sudo needs no password?"""
    fake(world, "dpkg-query", DPKG_QUERY_MISSING)
    fake(world, "apt-get", APT_GET)
    fake(world, "sudo", SUDO_WORKS)

    result = set_up(world, unprivileged=True)

    assert result.returncode == 0, result.stderr
    assert calls(world) == [
        "sudo -n true",
        "sudo -n apt-get update -q",
        "apt-get update -q",
        "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium postgresql bubblewrap",
        "apt-get install -y -q chromium postgresql bubblewrap",
    ]


@pytest.mark.parametrize("sudo, why, command, tried", [
    (None, "not root, and sudo is not installed.*As root, run this command, then run make again:",
     "    apt-get update && apt-get install -y chromium postgresql bubblewrap\n", []),
    (SUDO_ASKS, "sudo asks for a password",
     "    sudo apt-get update && sudo apt-get install -y chromium postgresql bubblewrap\n", ["sudo -n true"]),
], ids=["without_sudo", "sudo_asks_for_a_password"])
def test_an_unprivileged_user_who_cannot_install_is_told_the_exact_command(world, sudo, why, command, tried):
    """Without root or password-less sudo, does set-up stop with the exact command to run, trying nothing
    (not even a password prompt) beyond asking sudo?"""
    fake(world, "dpkg-query", DPKG_QUERY_MISSING)
    fake(world, "apt-get", APT_GET)
    if sudo:
        fake(world, "sudo", sudo)

    result = set_up(world, unprivileged=True)

    assert result.returncode == 1
    assert re.search(why, result.stderr, re.DOTALL), result.stderr
    assert command in result.stderr
    assert calls(world) == tried


@as_root_only
def test_a_failing_apt_get_stops_set_up_with_the_command_to_run(world):
    """When apt-get fails as root (no network, a held lock), does set-up stop with the command to run?"""
    fake(world, "dpkg-query", DPKG_QUERY_MISSING)
    fake(world, "apt-get", APT_GET)

    result = set_up(world, apt_status=100)

    assert result.returncode == 1
    assert "apt-get failed (its output is above)" in result.stderr
    assert "    apt-get update && apt-get install -y chromium postgresql bubblewrap\n" in result.stderr


def test_every_missing_package_is_named_with_the_reason_the_course_needs_it(world):
    """Does the message say why each missing package is needed?"""
    fake(world, "dpkg-query", DPKG_QUERY_MISSING)

    result = set_up(world, unprivileged=True)

    assert "chromium    the site's browser tests (tests/website/) drive /usr/bin/chromium" in result.stderr
    assert "postgresql  the shared-gradebook test starts a throwaway server" in result.stderr
    assert "bubblewrap  the grader runs each submission in a bwrap sandbox" in result.stderr


def test_make_test_stops_before_set_up_or_any_test_when_it_cannot_install(world):
    """Does `make test` stop with the exact command, before creating .venv, building or testing anything?"""
    course = world / "course"
    course.mkdir(mode=0o755)
    for name in ["Makefile", "requirements.lock"]:
        shutil.copy(REPO_ROOT / name, course)
    shutil.copytree(REPO_ROOT / ".ci", course / ".ci")
    fake(world, "dpkg-query", DPKG_QUERY_MISSING)
    fake(world, "apt-get", APT_GET)
    fake(world, "python3.11", PYTHON)

    result = run(world, [shutil.which("make"), "test"], unprivileged=True, cwd=course)

    assert result.returncode != 0
    assert "    apt-get update && apt-get install -y chromium libatomic1 postgresql bubblewrap\n" in result.stderr
    assert calls(world) == [], "set-up went past the missing packages"
    assert not (course / ".venv").exists() and not (course / "_build").exists()
