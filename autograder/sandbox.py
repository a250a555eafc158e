"""The sandbox around students' code: bubblewrap for the zygote, namespaces per student.

Why bubblewrap: it is the maintained, audited tool (Flatpak's) for an
unprivileged sandbox from the kernel's namespaces, packaged by Debian and
Ubuntu, and it works the same as root (CI) and as an ordinary user. It is
also how the CMS contest system's `isolate` works, minus the setuid binary
and the root requirement. Bubblewrap starts one process; to keep torch
warm, that process is the zygote (inside/zygote.py), and each student gets
a box of its own inside it (inside/isolate.py).

What the zygote sees, read-only: the system's /usr (and its /bin, /lib
links), the Python installation and virtual environment running the grader,
the grader's own inside/ package, the assignment's released files, a few
files of /etc. Nothing else: not the course tree, the submissions, the output
folder or the gradebook. It has no network, a cleared environment, no
capabilities, and it dies with the grader (--die-with-parent).
"""
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .assignment_source import GradingSetupError
from .inside import wire

INSIDE_PACKAGE = Path(__file__).resolve().parent / "inside"
GRADER_PATH = "/opt/grader"
ASSIGNMENT_PATH = "/opt/assignment"
VENV_PATH = "/opt/venv"
SANDBOX_UID = 1000
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/localtime", "/etc/nsswitch.conf")
WARM_UP_SECONDS = 300
SPAWN_SECONDS = 60
INSTALL_HINT = "install bubblewrap (`apt-get install bubblewrap`, or run `make setup`)"


class SandboxUnavailable(GradingSetupError):
    """The kernel or the machine cannot give a sandbox; the message says why and what to do."""


class ZygoteGone(Exception):
    """The zygote died or stopped answering; the batch starts a new one and grades the student again."""


def die_with_parent():
    """For subprocess's preexec_fn: the child is killed when the grader dies, however it dies."""
    import ctypes

    ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG


def python_in_sandbox():
    """(binds [(source, target)], the interpreter's path in the sandbox) for the running Python.

    The installation is bound where it is (and where the grader found it, if
    that was through a symlink): its interpreter knows its own path. A virtual
    environment is bound at VENV_PATH, one fixed place outside /tmp, where a
    checkout under /tmp would be hidden by the sandbox's own /tmp.
    """
    base = Path(sys.base_prefix)
    binds = {(base.resolve(), base.resolve()), (base.resolve(), Path(os.path.abspath(base)))}
    interpreter = sys.executable
    if sys.prefix != sys.base_prefix:
        binds.add((Path(sys.prefix).resolve(), Path(VENV_PATH)))
        interpreter = f"{VENV_PATH}/bin/{Path(sys.executable).name}"
    binds = sorted((source, target) for source, target in binds
                   if not any(str(target).startswith(d + "/") for d in SYSTEM_DIRS))
    if any(str(target).startswith("/tmp/") for _, target in binds):
        raise SandboxUnavailable(f"the Python installation running the grader is under /tmp ({sys.base_prefix}), "
                                 "which the sandbox keeps for each student; install Python elsewhere")
    return binds, interpreter


def _etc_files(folder):
    """A passwd and group naming the sandbox's user, so library code that looks the user up finds one."""
    (folder / "passwd").write_text(f"student:x:{SANDBOX_UID}:{SANDBOX_UID}:student:/tmp:/usr/sbin/nologin\n")
    (folder / "group").write_text(f"student:x:{SANDBOX_UID}:\n")
    return {"/etc/passwd": folder / "passwd", "/etc/group": folder / "group"}


def bwrap_command(assignment_dir, etc_dir, control_fd):
    """The bubblewrap command line that runs the zygote in its sandbox, with its control socket control_fd."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise SandboxUnavailable(f"bubblewrap (bwrap) is not installed: {INSTALL_HINT}")
    args = [bwrap, "--unshare-all", "--unshare-user", "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID),
            "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--clearenv",
            "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "HOME", "/tmp", "--setenv", "LANG", "C.UTF-8",
            "--setenv", "PYTHONPATH", GRADER_PATH, "--setenv", "PYTHONDONTWRITEBYTECODE", "1",
            "--setenv", "PYTHONNOUSERSITE", "1", "--setenv", "MPLBACKEND", "Agg",
            # One thread per student: --jobs students share the cores, and torch's pool
            # of threads makes tiny operations far slower on a busy machine.
            "--setenv", "OMP_NUM_THREADS", "1"]
    for folder in SYSTEM_DIRS:
        if os.path.islink(folder):
            args += ["--symlink", os.readlink(folder), folder]
        elif os.path.isdir(folder):
            args += ["--ro-bind", folder, folder]
    for path in SYSTEM_FILES:
        args += ["--ro-bind-try", path, path]
    for target, source in _etc_files(etc_dir).items():
        args += ["--ro-bind", str(source), target]
    binds, interpreter = python_in_sandbox()
    for source, target in binds:
        args += ["--ro-bind", str(source), str(target)]
    program = [interpreter, "-m", "grader_inside.zygote", str(control_fd)]
    args += ["--ro-bind", str(INSIDE_PACKAGE), f"{GRADER_PATH}/grader_inside",
             "--ro-bind", str(assignment_dir), ASSIGNMENT_PATH,
             "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
             "--remount-ro", "/dev", "--remount-ro", "/", "--chdir", "/tmp", "--", *program]
    return args


def plain_environment():
    """--no-sandbox: the zygote's whole environment (nothing of the grader's)."""
    return {"PYTHONPATH": str(INSIDE_PACKAGE.parent.parent), "PATH": "/usr/bin:/bin", "HOME": "/tmp",
            "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1"}


@dataclass
class StudentProcess:
    """A student's box as the grader holds it: the channel, a pidfd of its first process, its exit status."""

    channel: socket.socket
    pidfd: int
    status: socket.socket
    workdir: str = None  # --no-sandbox only: the scratch folder to remove afterwards

    def signal(self, number):
        try:
            signal.pidfd_send_signal(self.pidfd, number)
        except ProcessLookupError:
            pass

    def is_dead(self, wait=0.0):
        return bool(select.select([self.pidfd], [], [], wait)[0])

    def exit_description(self, wait=2.0):
        """How the first process ended ("exit code 3", "killed by signal SIGKILL"), once it has."""
        try:
            report = wire.receive(self.status, deadline=time.monotonic() + wait)
        except (TimeoutError, EOFError, OSError, wire.FrameError):
            return "ended"
        return str(report.get("exit") or report.get("box_failed") or "ended")[:200]

    def close(self):
        """Kill the box (every process in it dies with its first) and wait until it has."""
        self.signal(signal.SIGKILL)
        self.is_dead(wait=10.0)
        os.close(self.pidfd)
        self.channel.close()
        self.status.close()
        if self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)


class Zygote:
    """The warm zygote process, started once per grading run and shared by the grading threads."""

    def __init__(self, assignment_dir, setup_sources, modules, scratch, sandboxed=True):
        """scratch: a folder of the grader's own (not /tmp), for the files it lends the sandbox."""
        self.assignment_dir = Path(assignment_dir)
        self.scratch = Path(scratch)
        self.scratch.mkdir(parents=True, exist_ok=True)
        self.sandboxed = sandboxed
        self.config = {"setup_sources": list(setup_sources), "modules": list(modules),
                       "assignment_dir": ASSIGNMENT_PATH if sandboxed else str(self.assignment_dir),
                       "sandboxed": sandboxed}
        self.lock = threading.Lock()
        self.process = None
        self.control = None
        self.warm_report = {}

    def _command(self, control_fd):
        if not self.sandboxed:
            return [sys.executable, "-m", "autograder.inside.zygote", str(control_fd)]
        etc = self.scratch / "etc"
        etc.mkdir(exist_ok=True)
        return bwrap_command(self.assignment_dir, etc, control_fd)

    def start(self):
        """Start the zygote and wait until it is warm; SandboxUnavailable if it cannot start."""
        ours, theirs = socket.socketpair()
        command = self._command(theirs.fileno())
        stderr = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
            pass_fds=(theirs.fileno(),), preexec_fn=die_with_parent, cwd="/",
            env=None if self.sandboxed else plain_environment(),  # bubblewrap clears it itself
        )
        theirs.close()
        self.control = ours
        try:
            wire.send(ours, self.config)
            self.warm_report = wire.receive(ours, deadline=time.monotonic() + WARM_UP_SECONDS)
        except (EOFError, TimeoutError, OSError, wire.FrameError):
            self.close()
            stderr.seek(0)
            tail = stderr.read().decode(errors="replace").strip().splitlines()[-5:]
            raise SandboxUnavailable(_explain_failure("\n".join(tail)))
        return self

    def spawn(self, limits):
        """A fresh box for one student, already serving on its channel; ZygoteGone if the zygote is gone."""
        try:
            return self._spawn(limits)
        except OSError as error:
            raise ZygoteGone(str(error)) from error

    def _spawn(self, limits):
        ours, theirs = socket.socketpair()
        status_ours, status_theirs = socket.socketpair()
        workdir = None
        if not self.sandboxed:
            workdir = tempfile.mkdtemp(prefix="box-", dir=self.scratch)
            limits = dict(limits, workdir=workdir)
        try:
            with self.lock:
                wire.send(self.control, {"op": "spawn", "limits": limits})
                socket.send_fds(self.control, [b"F"], [theirs.fileno(), status_theirs.fileno()])
        finally:
            theirs.close()
            status_theirs.close()
        if not select.select([ours], [], [], SPAWN_SECONDS)[0]:
            raise OSError("the zygote did not start a box in time")
        _, fds, _, _ = socket.recv_fds(ours, 1, 1)
        if len(fds) != 1:
            raise OSError("the zygote's box did not report its process")
        return StudentProcess(ours, fds[0], status_ours, workdir)

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def close(self):
        if self.control is not None:
            self.control.close()
        if self.process is not None:
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _explain_failure(stderr_tail):
    """Why bubblewrap failed, in words an instructor can act on."""
    hint = ""
    if "No permissions to creat" in stderr_tail or "setting up uid map" in stderr_tail or "Operation not permitted" in stderr_tail:
        hint = (" The kernel refused to create a user namespace: enable unprivileged user namespaces "
                "(sysctl kernel.unprivileged_userns_clone=1, or on Ubuntu 24.04 "
                "kernel.apparmor_restrict_unprivileged_userns=0), or grade with --no-sandbox on a machine "
                "where students' code may read everything this user can.")
    detail = stderr_tail or "no message"
    return f"the sandbox could not start (bubblewrap said: {detail}).{hint}"
