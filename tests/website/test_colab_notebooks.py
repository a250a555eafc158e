"""Does a chapter opened alone on Colab find the course modules it imports?

Colab opens `colab/<chapter>.ipynb` from the published branch, with nothing
else on disk. Its first cell clones the course and moves into the chapter's
folder. Here the clone comes from a local stand-in repository (git's
`url.<local>.insteadOf` rewrites the configured GitHub URL), and a fake
`google.colab` module makes the notebook believe it runs on Colab.
"""
import json
import os
import shutil
import subprocess
import sys

import pytest

from .conftest import BOOK_DIR, assignment_pages, book_config, chapter_pages

RUN_AS_ON_COLAB = """
import sys, types
sys.modules["google.colab"] = types.ModuleType("google.colab")
for source in {cells!r}:
    exec(source)
import figures
print(figures.__file__)
"""


@pytest.fixture
def course_remote(tmp_path):
    """A git repository standing in for the course on GitHub: the book folder on the configured branch."""
    remote = tmp_path / "remote"
    shutil.copytree(BOOK_DIR / "book", remote / "book", ignore=shutil.ignore_patterns("*.ipynb", "__pycache__"))
    branch = book_config()["repository"]["branch"]
    for command in (
        ["git", "init", "--quiet", "--initial-branch", branch],
        ["git", "add", "book"],
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet", "-m", "course"],
    ):
        subprocess.run(command, cwd=remote, check=True)
    return remote


def test_a_chapter_on_colab_imports_the_course_modules(site_dir, course_remote, tmp_path):
    """Does the Colab notebook's set-up cell fetch the course so that `import figures` works?"""
    chapter = chapter_pages()[0]
    notebook = json.loads((site_dir / "colab" / f"{chapter}.ipynb").read_text(encoding="utf-8"))
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    colab_setup, chapter_setup = ("".join(cell["source"]) for cell in code[:2])
    home = tmp_path / "home"
    home.mkdir()
    environment = dict(
        os.environ,
        HOME=str(home),
        GIT_CONFIG_COUNT="1",
        GIT_CONFIG_KEY_0=f"url.{course_remote}.insteadOf",
        GIT_CONFIG_VALUE_0=book_config()["repository"]["url"],
    )

    result = subprocess.run(
        [sys.executable, "-c", RUN_AS_ON_COLAB.format(cells=[colab_setup, chapter_setup])],
        cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=120,
    )

    assert result.returncode == 0, result.stderr
    repo = book_config()["repository"]["url"].rstrip("/").rsplit("/", 1)[1]
    assert os.path.realpath(result.stdout.strip()) == str(home / repo / "book" / "figures.py")


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
