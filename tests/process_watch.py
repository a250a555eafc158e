"""What is still running: the processes of sandboxes and of a grader, seen from outside."""
import os
import time
from pathlib import Path


def _process_table():
    """{pid: (parent pid, PID namespace, command line)} of every live process."""
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                parent = int(stat.rsplit(")", 1)[1].split()[1])
                table[int(entry)] = (parent, os.readlink(f"/proc/{entry}/ns/pid"),
                                     Path(f"/proc/{entry}/cmdline").read_bytes())
            except (OSError, IndexError, ValueError):
                pass  # it ended while we looked
    return table


def grader_processes(out):
    """Pids of a grader writing to `out` and of everything below it: bubblewrap (whose
    command line names `out`), the zygote and the students' boxes.

    Other graders on the machine (another test session, an instructor) sandbox
    their own students; they are left out. Nothing of ours can hide by leaving
    its parent: a box dies with its PID namespace, and the namespace with the
    bubblewrap process that names `out`.
    """
    table = _process_table()
    named = {pid for pid, (_, _, command) in table.items() if str(out).encode() in command}
    found = set()
    for pid in table:
        ancestor = pid
        while ancestor in table and ancestor not in named:
            ancestor = table[ancestor][0]
        if ancestor in named:
            found.add(pid)
    return found


def wait_until_gone(find, seconds=10.0):
    """Poll `find()` until it returns nothing or time runs out; returns what is left."""
    deadline = time.monotonic() + seconds
    left = find()
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = find()
    return left
