"""A private box for one student, entered by a process forked from the warm zygote.

The zygote already runs inside bubblewrap (see ../sandbox.py): the course
tree, the network and the grader's environment are out of sight there. What
bubblewrap gives once, for every student the zygote serves, this module adds
per student, with the kernel's namespaces:

- a user namespace of its own, in which the student is an ordinary user
  (uid STUDENT_UID) with no capabilities once `drop_privileges` has run;
- a PID namespace: the student sees only its own processes, and when its
  first process dies the kernel kills every process it started;
- mount, network and IPC namespaces: a fresh, size-capped /tmp and /dev/shm
  that vanish with the student, an empty /proc, no network (not even the
  zygote's loopback), no System V objects shared with anyone.

`enter_namespaces` runs in the forked child before it forks the student's
first process; `hide_proc`, `drop_privileges` and the limits run in that
process, before any student code.
"""
import ctypes
import os
import resource

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 2, 4, 8, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT = 1, 24, 38, 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
LINUX_CAPABILITY_VERSION_3 = 0x20080522
STUDENT_UID = 1000
SHM_MB = 16

_libc = ctypes.CDLL(None, use_errno=True)


class CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def _check(result, what):
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def _write(path, text):
    with open(path, "w") as handle:
        handle.write(text)


def _mount_tmpfs(target, size_mb, mode="1777", extra_flags=0):
    options = f"size={size_mb}m,mode={mode}".encode()
    _check(_libc.mount(b"tmpfs", target.encode(), b"tmpfs", MS_NOSUID | MS_NODEV | extra_flags, options),
           f"mount a tmpfs on {target}")


def enter_namespaces(tmp_mb):
    """Unshare the namespaces listed above and mount the student's private folders.

    Called in a single-threaded process (a fresh fork); the PID namespace
    applies to the children it forks next.
    """
    uid, gid = os.geteuid(), os.getegid()
    _check(_libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS),
           "unshare")
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{STUDENT_UID} {uid} 1")
    _write("/proc/self/gid_map", f"{STUDENT_UID} {gid} 1")
    _check(_libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "make mounts private")
    _mount_tmpfs("/tmp", tmp_mb)
    _mount_tmpfs("/dev/shm", min(SHM_MB, tmp_mb))


def hide_proc():
    """Cover /proc with an empty folder: the zygote's /proc would list the zygote and other boxes."""
    _mount_tmpfs("/proc", 1, mode="555", extra_flags=MS_NOEXEC)


def die_with_parent(signal_number):
    _check(_libc.prctl(PR_SET_PDEATHSIG, signal_number, 0, 0, 0), "prctl(PR_SET_PDEATHSIG)")


def drop_privileges():
    """Give up every capability for good; later programs cannot gain any (no_new_privs)."""
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")
    for capability in range(64):
        if _libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0 and ctypes.get_errno() == 22:
            break  # EINVAL: past the kernel's last capability
    _libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    header = CapHeader(LINUX_CAPABILITY_VERSION_3, 0)
    _check(_libc.capset(ctypes.byref(header), (CapData * 2)()), "capset")


def set_limits(cpu_seconds, file_mb, processes):
    """Cap CPU time, file size and processes, and forbid core dumps.

    CPU: SIGXCPU at the soft limit, SIGKILL a second later. The memory cap is
    set later (see student.py), once the shell's own memory is in place.
    """
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_mb << 20, file_mb << 20))
    resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))


def mapped_bytes():
    """The address space this process maps now (read before /proc is hidden)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def limit_memory(memory_mb, already_mapped):
    """Cap the address space at what was mapped plus memory_mb.

    torch's libraries are already mapped (inherited from the warm zygote), so
    the cap is relative: memory_mb is what the student's code may add.
    """
    cap = already_mapped + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
