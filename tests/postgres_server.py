"""A throwaway PostgreSQL server for the tests: its own data folder, port and database.

Uses Debian's server binaries (package `postgresql`, which `make test` installs
when missing). PostgreSQL refuses to run as root, so as root the server
runs as the `postgres` user that the package creates.
"""
import os
import shutil
import socket
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

SERVER_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"))


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_server_user(command):
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def postgres_database(name="grades", user="grader"):
    """Start a server with one empty database; yields its SQLAlchemy URL, stops it on exit."""
    assert SERVER_BIN_DIRS, (
        "PostgreSQL's server is missing (no /usr/lib/postgresql/*/bin): "
        "`apt-get install -y postgresql` (`make test` does this)."
    )
    bin_dir = SERVER_BIN_DIRS[-1]
    # Not under pytest's tmp_path: that folder is private to root, and the server user must reach it.
    folder = Path(tempfile.mkdtemp(prefix="course-postgres-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    port = _free_port()
    data = folder / "data"

    def run(*command):
        subprocess.run(_as_server_user([str(bin_dir / command[0]), *command[1:]]),
                       check=True, capture_output=True, text=True, timeout=120)

    try:
        run("initdb", "-D", str(data), "--auth=trust", "-U", user)
        run("pg_ctl", "-D", str(data), "-l", str(folder / "server.log"), "-w", "start",
            "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1")
        try:
            run("createdb", "-h", "127.0.0.1", "-p", str(port), "-U", user, name)
            yield f"postgresql://{user}@127.0.0.1:{port}/{name}"
        finally:
            run("pg_ctl", "-D", str(data), "-m", "immediate", "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
