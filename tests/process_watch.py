"""What is still running: the processes of sandboxes and of a grader, seen from outside."""
import os
import time
from pathlib import Path


def sandboxed_processes():
    """Pids of live processes in a PID namespace other than ours: students' boxes and zygotes."""
    ours = os.readlink("/proc/self/ns/pid")
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.readlink(f"/proc/{entry}/ns/pid") != ours:
                    found.add(int(entry))
            except OSError:
                pass
    return found


def grader_processes(out):
    """Pids of a grader's helpers still running: bubblewrap and the zygote (their command lines name them)."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                command = Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                continue
            if b"grader_inside.zygote" in command or b"autograder.inside.zygote" in command \
                    or str(out).encode() in command:
                found.add(int(entry))
    return found


def wait_until_gone(find, seconds=10.0):
    """Poll `find()` until it returns nothing or time runs out; returns what is left."""
    deadline = time.monotonic() + seconds
    left = find()
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = find()
    return left
