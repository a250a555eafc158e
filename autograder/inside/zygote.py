"""The warm zygote: imports torch and the assignment's modules once, then forks a box per student.

Run inside bubblewrap as `python -m <this package>.zygote FD`, where FD is
the control socket to the grader. The grader first sends the
configuration frame:

    {"setup_sources": [...], "modules": [...], "assignment_dir": "/opt/assignment", "sandboxed": true}

The zygote finds what the assignment's set-up cells import (by running them
in a throwaway child), imports all of it, and answers {"event": "warm"}.
Then, for each {"op": "spawn", "limits": {...}} frame followed by two
descriptors (the student's channel and a status socket), it forks a child
that boxes itself up (isolate.py), forks the student's first process
(student.py) and reports on the channel, before anything else, a pidfd of
that process: the grader signals and watches it directly. When the student's
process ends, the child writes its exit status to the status socket.
"""
import os
import signal
import socket
import sys
import time

from . import isolate, student, wire

def _describe_exit(status):
    if os.WIFSIGNALED(status):
        return f"killed by signal {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit code {os.WEXITSTATUS(status)}"


def modules_loaded_by(setup_sources):
    """Names of the modules the set-up cells end up loading, found in a throwaway child.

    The instructors' cells often import far more than they name (torch's
    dispatch machinery pulls in sympy and torch._dynamo); running them in a
    child keeps their other effects (threads, state) out of the zygote.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        namespace = {"__name__": "__main__"}
        for source in setup_sources:
            try:
                exec(compile(source, "<set-up cell>", "exec"), namespace)
            except BaseException:
                pass
        names = "\n".join(name for name in sys.modules if not name.startswith("__")).encode()
        with os.fdopen(write_end, "wb") as out:
            out.write(names)
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as source:
        listed = source.read().decode().split()
    os.waitpid(pid, 0)
    return listed


def _import_all(names):
    for name in names:
        try:
            __import__(name)
        except BaseException:
            pass


def warm_up(config):
    """Import what every student will need, and start the shell every box inherits; returns the shell."""
    sys.path.append(config["assignment_dir"])  # the cells import course_checks from there, as in a kernel
    _import_all(config.get("modules", []))  # first what the cells name, so the throwaway child inherits it
    _import_all(modules_loaded_by(config.get("setup_sources", [])))
    return student.start_shell()


def run_box(channel, status, limits, sandboxed, shell):
    """In the forked child: box up, fork the student's process, report its pidfd, wait; never returns."""
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        isolate.die_with_parent(signal.SIGKILL)
        if sandboxed:
            isolate.enter_namespaces(limits["tmp_mb"])
        go_read, go_write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(go_write)
            status.close()
            os.read(go_read, 1)
            os.close(go_read)
            isolate.die_with_parent(signal.SIGKILL)
            student.main(channel, limits, sandboxed, shell)
        os.close(go_read)
        pidfd = os.pidfd_open(pid)
        socket.send_fds(channel, [b"P"], [pidfd])
        os.close(pidfd)
        channel.close()
        os.write(go_write, b"g")
        os.close(go_write)
        _, exit_status = os.waitpid(pid, 0)
        wire.send(status, {"exit": _describe_exit(exit_status)})
    except BaseException as error:
        try:
            wire.send(status, {"box_failed": f"{type(error).__name__}: {error}"[:500]})
        except BaseException:
            pass
    os._exit(0)


def serve(control, config, shell):
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    while True:
        try:
            request = wire.receive(control)
            _, fds, _, _ = socket.recv_fds(control, 1, 2)
        except (EOFError, OSError, wire.FrameError):
            os._exit(0)
        if len(fds) != 2:
            for fd in fds:
                os.close(fd)
            continue
        channel, status = (socket.socket(fileno=fd) for fd in fds)
        if os.fork() == 0:
            control.close()
            run_box(channel, status, request["limits"], config["sandboxed"], shell)
        channel.close()
        status.close()


def main():
    control = socket.socket(fileno=int(sys.argv[1]))
    config = wire.receive(control)
    started = time.monotonic()
    shell = warm_up(config)
    wire.send(control, {"event": "warm", "modules": len(sys.modules), "seconds": round(time.monotonic() - started, 2)})
    serve(control, config, shell)


if __name__ == "__main__":
    main()
