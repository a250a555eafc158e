"""Does a student's box, as isolate.py builds it, keep the student to their own user, processes, /tmp and limits?

The isolation functions change the process that calls them for good, so each
test runs them in a fresh Python process and reads back, as JSON, what that
process could and could not do. The grader's zygote does the same in a fork.
"""
import json
import signal
import socket
import subprocess
import sys
import textwrap

from autograder.inside.isolate import STUDENT_UID
from locations import REPO_ROOT

# Runs BODY in the first process of a box: namespaces entered, then forked into the new PID namespace.
IN_A_BOX = """
import errno, json, os, socket, sys
from autograder.inside import isolate

isolate.enter_namespaces(tmp_mb={tmp_mb})
child = os.fork()
if child:
    _, status = os.waitpid(child, 0)
    sys.exit(os.waitstatus_to_exitcode(status))
seen = {{}}
{body}
print(json.dumps(seen))
"""


def run_python(code, timeout=60):
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=timeout)


def in_a_box(body, tmp_mb=4):
    """What a process in a fresh box saw: the `seen` dict its body filled."""
    result = run_python(IN_A_BOX.format(tmp_mb=tmp_mb, body=textwrap.dedent(body)))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_student_is_an_ordinary_user_and_the_first_of_its_own_processes():
    """In the box, is the student STUDENT_UID, not root, and process 1 of a PID namespace of its own?"""
    seen = in_a_box("""
        seen["uid"], seen["pid"], seen["parent"] = os.getuid(), os.getpid(), os.getppid()
    """)
    assert seen == {"uid": STUDENT_UID, "pid": 1, "parent": 0}


def test_tmp_is_private_and_size_capped(tmp_path):
    """Does the box get an empty /tmp of its own, which stops growing at its size?"""
    seen = in_a_box("""
        seen["tmp"] = sorted(os.listdir("/tmp"))
        try:
            with open("/tmp/big", "wb") as handle:
                handle.write(b"x" * (3 << 20))
            seen["wrote"] = True
        except OSError as error:
            seen["wrote"] = errno.errorcode[error.errno]
    """, tmp_mb=2)
    assert seen == {"tmp": [], "wrote": "ENOSPC"}


def test_the_box_has_no_network_not_even_the_graders_loopback():
    """Can a box reach a server listening on the grader's 127.0.0.1? It must not."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        seen = in_a_box(f"""
            try:
                socket.create_connection(("127.0.0.1", {port}), timeout=5).close()
                seen["connected"] = True
            except OSError as error:
                seen["connected"] = False
        """)
    assert seen == {"connected": False}


def test_hidden_proc_shows_no_process():
    """After hide_proc, does /proc list nothing: no zygote, no other box?"""
    seen = in_a_box("""
        seen["before"] = any(name.isdigit() for name in os.listdir("/proc"))
        isolate.hide_proc()
        seen["after"] = os.listdir("/proc")
    """)
    assert seen == {"before": True, "after": []}


def test_dropped_privileges_cannot_be_regained():
    """After drop_privileges, does the student hold no capability, and is mounting refused?"""
    seen = in_a_box("""
        isolate.drop_privileges()
        status = dict(line.split(":\\t", 1) for line in open("/proc/self/status").read().splitlines() if ":\\t" in line)
        seen["effective"], seen["bounding"] = status["CapEff"].strip(), status["CapBnd"].strip()
        seen["no_new_privs"] = status["NoNewPrivs"].strip()
        try:
            isolate.hide_proc()
            seen["mounted"] = True
        except OSError as error:
            seen["mounted"] = errno.errorcode[error.errno]
    """)
    assert seen == {"effective": "0" * 16, "bounding": "0" * 16, "no_new_privs": "1", "mounted": "EPERM"}


def test_a_file_cannot_outgrow_the_file_size_limit(tmp_path):
    """Under set_limits, does writing past file_mb fail (EFBIG) rather than fill the disk? Are core dumps off?"""
    result = run_python(f"""
        import errno, json, resource, signal
        from autograder.inside import isolate

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        isolate.set_limits(cpu_seconds=30, file_mb=1, processes=4096)
        try:
            with open({str(tmp_path / "big")!r}, "wb") as handle:
                handle.write(b"x" * (2 << 20))
            wrote = True
        except OSError as error:
            wrote = errno.errorcode[error.errno]
        print(json.dumps([wrote, resource.getrlimit(resource.RLIMIT_CORE)]))
    """)
    assert json.loads(result.stdout) == ["EFBIG", [0, 0]], result.stderr
    assert (tmp_path / "big").stat().st_size <= 1 << 20


def test_cpu_time_past_the_limit_ends_the_process():
    """Does a busy loop past cpu_seconds get the process killed by SIGXCPU?"""
    result = run_python("""
        from autograder.inside import isolate

        isolate.set_limits(cpu_seconds=1, file_mb=1, processes=4096)
        while True:
            pass
    """, timeout=30)
    assert result.returncode == -signal.SIGXCPU


def test_memory_is_capped_above_what_was_already_mapped():
    """Under limit_memory(64), may the student add 16 MB but not 256 MB to what was mapped before?"""
    result = run_python("""
        import json
        from autograder.inside import isolate

        isolate.limit_memory(64, isolate.mapped_bytes())
        small = bytearray(16 << 20)
        try:
            bytearray(256 << 20)
            big = True
        except MemoryError:
            big = False
        print(json.dumps([len(small), big]))
    """)
    assert json.loads(result.stdout) == [16 << 20, False], result.stderr
