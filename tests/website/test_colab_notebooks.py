"""Does a notebook opened alone on Colab run, with what its first cell fetches?

Colab opens `colab/<page>.ipynb` from the published branch, with nothing else
on disk. A chapter's first cell installs the course library with %pip from
the students' repository; here that repository is a local stand-in (git's
`url.<local>.insteadOf` rewrites the configured GitHub URL), and Colab's
preinstalled packages are those of this .venv, minus the course library.
An assignment's first cell downloads its zip, served here from the built site.
"""
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from .conftest import BOOK_DIR, assignment_pages, book_config

# A chapter that builds on the library: it shows from_scratch.pool2d and draws with figures.
CHAPTER = "book/pooling/max_avg_sum"
COURSE_LIBRARY = "book/course_library"

# Runs in the fresh environment: executes the notebook top to bottom, as Colab's "Run all".
EXECUTE_NOTEBOOK = """
import sys, nbclient, nbformat
notebook = nbformat.read(sys.argv[1], as_version=4)
notebook.cells.append(nbformat.v4.new_code_cell("import pooling_course; print(pooling_course.__file__)"))
nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3").execute()
print(notebook.cells[-1].outputs[0]["text"].strip())
"""


@pytest.fixture
def course_remote(tmp_path):
    """A git repository standing in for the students' one: the working tree's course library, on the configured branch."""
    remote = tmp_path / "remote"
    shutil.copytree(BOOK_DIR / COURSE_LIBRARY, remote / COURSE_LIBRARY,
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    branch = book_config()["repository"]["branch"]
    for command in (
        ["git", "init", "--quiet", "--initial-branch", branch],
        ["git", "add", "book"],
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet", "-m", "course"],
    ):
        subprocess.run(command, cwd=remote, check=True)
    return remote


@pytest.fixture
def colab_like_python(tmp_path):
    """A fresh venv that sees this .venv's packages (torch, Jupyter ...) but not the course library, as Colab does."""
    preinstalled = tmp_path / "preinstalled"
    preinstalled.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if not entry.name.startswith(("pooling_course", "__editable__")) and entry.suffix != ".pth":
            (preinstalled / entry.name).symlink_to(entry)
    fresh = tmp_path / "fresh"
    venv.create(fresh, with_pip=True)
    python = fresh / "bin" / "python"
    purelib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    (Path(purelib) / "colab_preinstalled.pth").write_text(f"{preinstalled}\n")
    return python


def test_a_chapter_on_colab_installs_the_library_and_runs_top_to_bottom(site_dir, course_remote,
                                                                         colab_like_python, tmp_path):
    """Does a chapter's Colab copy, run in a fresh environment outside the repository, install the library and run?"""
    notebook = site_dir / "colab" / f"{CHAPTER}.ipynb"
    first_cell = "".join(json.loads(notebook.read_text(encoding="utf-8"))["cells"][0]["source"])
    assert "%pip install" in first_cell and f"#subdirectory={COURSE_LIBRARY}" in first_cell
    workdir = tmp_path / "colab"
    workdir.mkdir()
    home = tmp_path / "home"
    home.mkdir()
    environment = {name: value for name, value in os.environ.items()
                   if not name.startswith(("PIP_", "PYTHON", "JUPYTER", "VIRTUAL_ENV"))}
    environment.update(
        HOME=str(home),
        PATH=f"{colab_like_python.parent}:{environment['PATH']}",
        OMP_NUM_THREADS="1",
        # Offline: pip may use what is installed and the stand-in repository, and
        # nothing else (torch above all). Without an index, the library is built
        # with the preinstalled setuptools rather than an isolated one.
        PIP_CONFIG_FILE=os.devnull,
        PIP_NO_INDEX="1",
        PIP_NO_BUILD_ISOLATION="0",
        GIT_CONFIG_COUNT="1",
        GIT_CONFIG_KEY_0=f"url.{course_remote}.insteadOf",
        GIT_CONFIG_VALUE_0=book_config()["repository"]["url"].rstrip("/"),
    )

    result = subprocess.run([colab_like_python, "-c", EXECUTE_NOTEBOOK, notebook], cwd=workdir, env=environment,
                            capture_output=True, text=True, timeout=900)

    assert result.returncode == 0, result.stderr[-5000:]
    installed_at = Path(result.stdout.strip().splitlines()[-1])
    assert installed_at.is_relative_to(colab_like_python.parent.parent), installed_at


RUN_ASSIGNMENT_AS_ON_COLAB = """
import io, sys, types, urllib.request
sys.modules["google.colab"] = types.ModuleType("google.colab")
archive = open({zip_file!r}, "rb").read()
def urlopen(url, *args, **kwargs):
    assert url == {zip_url!r}, url
    return io.BytesIO(archive)
urllib.request.urlopen = urlopen
for source in {cells!r}:
    exec(source)
import course_checks
print(course_checks.__file__)
"""


def test_an_assignment_on_colab_runs_its_public_tests_with_nothing_but_torch(site_dir, tmp_path):
    """Does the Colab copy of an assignment fetch its checking tools, so every public test cell runs?"""
    assignment = assignment_pages()[0]
    notebook = json.loads((site_dir / "colab" / f"{assignment}.ipynb").read_text(encoding="utf-8"))
    cells = ["".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code"]
    name = assignment.split("/")[1]
    config = book_config()
    org, repo = config["repository"]["url"].rstrip("/").split("/")[-2:]
    zip_url = (f"https://raw.githubusercontent.com/{org}/{repo}/"
               f"{config['sphinx']['config']['colab_branch']}/assignments/{name}.zip")
    script = RUN_ASSIGNMENT_AS_ON_COLAB.format(zip_file=str(site_dir / "assignments" / f"{name}.zip"),
                                               zip_url=zip_url, cells=cells)
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                            timeout=300, env=dict(os.environ, PYTHONPATH=""))
    assert result.returncode == 0, result.stderr[-3000:]
    assert os.path.realpath(result.stdout.strip().splitlines()[-1]) == str(tmp_path / "course_checks" / "__init__.py")
    assert "cases passed" in result.stdout  # the public test cells ran and reported
