"""Can a student reach an answer from anything we publish: the site, its downloads, or the repository its links open?

What is published is the built site (`_build/html`: pages, `_sources/`, the
`colab/` notebooks, the assignments' zips) and the students' repository that
`make publish-student` writes. The secrets are read from solutions/: solution
and hidden-test lines, the answer scenarios and case builders of
`grading/`, its files, and the hidden reference values.
"""
import io
import json
import re
import shutil
import subprocess
import zipfile
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urlparse

import pytest
import yaml
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

from autograder.course_secrets import course_secrets, marked_lines
from autograder.leak_scan import scan_folder
from autograder.publish import PublishError, github_name, publish, published_files
from book_build import build_book, toc_entries
from locations import REPO_ROOT

EXECUTION_CACHE = REPO_ROOT / "_build" / ".jupyter_cache"
IDENTITY = ["-c", "user.name=Test", "-c", "user.email=test@localhost"]


def git(folder, *args):
    return subprocess.run(["git", *IDENTITY, *args], cwd=folder, check=True, capture_output=True, text=True).stdout


def leak_report(scan):
    return "\n".join(str(leak) for leak in scan.leaks) or "(nothing)"


def assignment_pages():
    return [page for page in toc_entries() if page.startswith("exercises/")]


def cell_source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def marked_blocks(notebook_path, kind):
    """{grade_id: [stripped lines]} of the `kind` ("solution") blocks of a notebook."""
    blocks = {}
    for cell in json.loads(notebook_path.read_text(encoding="utf-8"))["cells"]:
        lines = [line.strip() for marked, line in marked_lines(cell_source(cell)) if marked == kind]
        if lines:
            blocks[cell["metadata"]["nbgrader"]["grade_id"]] = lines
    return blocks


@pytest.fixture(scope="module")
def secrets():
    return course_secrets(REPO_ROOT)


@pytest.fixture(scope="module")
def student_repo(tmp_path_factory):
    """The students' repository as `make publish-student` writes it from this course."""
    out = tmp_path_factory.mktemp("publish") / "student-repo"
    assert publish(REPO_ROOT, out) is not None
    return out


def test_every_solution_leaves_lines_for_the_scan_to_look_for(secrets):
    """Does every solution block of every instructors' notebook give the scan at least one line to look for?"""
    notebooks = sorted(REPO_ROOT.glob("solutions/*/*.ipynb"))
    assert notebooks
    for notebook in notebooks:
        blocks = marked_blocks(notebook, "solution")
        assert blocks, f"{notebook} has no solution block"
        for grade_id, lines in blocks.items():
            assert set(lines) & secrets.lines.keys(), (
                f"{notebook.name}, cell {grade_id}: no line of its solution is looked for "
                "(too short, released anyway, or listed in solutions/taught_in_the_book.txt)"
            )


def test_every_assignment_has_its_hidden_cases_scenarios_and_grading_files_looked_for(secrets):
    """Are each assignment's reference values, answer-scenario lines and grading/ files all among the secrets?"""
    gradings = sorted(REPO_ROOT.glob("solutions/*/grading"))
    assert len(gradings) == len(list(REPO_ROOT.glob("solutions/*/*.ipynb")))
    for grading in gradings:
        where = grading.relative_to(REPO_ROOT).as_posix()
        files = {p.relative_to(REPO_ROOT).as_posix() for p in grading.rglob("*")
                 if p.is_file() and p.stat().st_size and "__pycache__" not in p.parts}
        assert files and files <= set(secrets.files.values()), f"{where}: files not looked for"
        assert f"{where}/references.json" in secrets.values.values(), f"{where}: no reference value looked for"
        assert any(source.startswith(f"{where}/scenarios/") for source in secrets.lines.values()), (
            f"{where}: no answer-scenario line looked for")


def test_the_site_holds_no_solution_hidden_case_or_reference(site_dir, secrets):
    """Are the site's pages, sources, Colab notebooks and assignment zips free of every secret of solutions/?"""
    scan = scan_folder(site_dir, secrets)

    read = set(scan.files)
    expected = {f"{page}.html" for page in toc_entries()}
    for page in assignment_pages():
        _, assignment, notebook = page.split("/")
        expected |= {f"colab/{page}.ipynb", f"_sources/{page}.ipynb", f"assignments/{assignment}.zip!{notebook}.ipynb"}
    assert expected <= read, f"the scan did not read {sorted(expected - read)}"
    assert not scan.leaks, f"the published site holds secrets:\n{leak_report(scan)}"


def test_the_student_repository_holds_only_what_students_may_see(student_repo):
    """Does the students' repository hold the book, the released assignments and what building them needs, and nothing else?"""
    top = sorted(p.name for p in student_repo.iterdir() if p.name != ".git")
    requirements = [p.name for p in REPO_ROOT.glob("requirements*")]
    assert top == sorted([".gitignore", "Makefile", "README.md", "_config.yml", "_ext", "_toc.yml",
                          "book", "exercises", *requirements])
    committed = set(git(student_repo, "ls-files").splitlines())
    on_disk = {p.relative_to(student_repo).as_posix() for p in student_repo.rglob("*")
               if p.is_file() and ".git" not in p.relative_to(student_repo).parts}
    assert committed == on_disk, "the publish left files uncommitted"
    for relative in published_files(REPO_ROOT):
        assert (student_repo / relative).read_bytes() == (REPO_ROOT / relative).read_bytes(), relative
    for page in toc_entries():
        assert list(student_repo.glob(f"{page}.*")), f"the students' repository lacks the source of {page}"


def test_the_student_repository_holds_no_secret(student_repo, secrets):
    """Is every file of the students' repository free of every secret of solutions/?"""
    scan = scan_folder(student_repo, secrets)

    assert {f"{page}.ipynb" for page in assignment_pages()} <= set(scan.files)
    assert not scan.leaks, f"the students' repository holds secrets:\n{leak_report(scan)}"


def test_the_student_repository_builds_the_whole_book_on_its_own(student_repo, tmp_path):
    """Does the students' repository alone build every page of the book, with warnings as errors, as `make book` does?"""
    assert EXECUTION_CACHE.is_dir(), "No execution cache: run `make book` first."
    tree = tmp_path / "student"
    shutil.copytree(student_repo, tree, ignore=shutil.ignore_patterns(".git"))
    # jupyter-cache keys executed chapters by their code, so this build reuses
    # the outputs of the course's own build instead of running every chapter.
    shutil.copytree(EXECUTION_CACHE, tree / "_build" / ".jupyter_cache")

    result = build_book(tree)

    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    missing = [page for page in toc_entries(tree / "_toc.yml") if not (tree / "_build" / "html" / f"{page}.html").exists()]
    assert not missing, f"no page built for {missing}"


class _Links(HTMLParser):
    """(title, href) of every link of a page."""

    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append((attributes.get("title"), attributes["href"]))


def page_links(path):
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.links


def student_repository_facts(student_repo):
    """("org/repo" it pushes to, its branch, its committed files)."""
    origin = git(student_repo, "remote", "get-url", "origin").strip()
    branch = git(student_repo, "symbolic-ref", "--short", "HEAD").strip()
    return github_name(origin), branch, set(git(student_repo, "ls-files").splitlines())


def test_the_repository_and_launch_buttons_open_the_student_repository(site_dir, student_repo):
    """Do the repository button, Binder and Colab of every page open the repository `make publish-student` writes, where their file is?"""
    public, branch, student_files = student_repository_facts(student_repo)
    config = yaml.safe_load((REPO_ROOT / "_config.yml").read_text(encoding="utf-8"))
    binder = re.escape(config["launch_buttons"]["binderhub_url"].rstrip("/"))
    colab = re.escape(config["launch_buttons"]["colab_url"].rstrip("/"))
    site_branch = config["sphinx"]["config"]["colab_branch"]
    seen = Counter()
    for page in sorted(site_dir.rglob("*.html")):
        where = page.relative_to(site_dir)
        for title, href in page_links(page):
            if title == "Source repository":
                assert github_name(href) == public, f"{where}: the repository button opens {href}"
            elif title == "Launch on Binder":
                link = re.fullmatch(rf"{binder}/v2/gh/(?P<repo>[^/]+/[^/]+)/(?P<branch>[^?]+)\?urlpath=(?:lab/)?tree/(?P<path>.+)", href)
                assert link and (link["repo"], link["branch"]) == (public, branch), f"{where}: Binder opens {href}"
                assert link["path"] in student_files, f"{where}: Binder opens {link['path']}, not in the students' repository"
            elif title == "Launch on Colab":
                link = re.fullmatch(rf"{colab}/github/(?P<repo>[^/]+/[^/]+)/blob/(?P<branch>[^/]+)/(?P<path>.+)", href)
                assert link and (link["repo"], link["branch"]) == (public, site_branch), f"{where}: Colab opens {href}"
                assert (site_dir / link["path"]).is_file(), f"{where}: Colab opens {link['path']}, not in the site"
            else:
                continue
            seen[title] += 1
    assert set(seen) == {"Source repository", "Launch on Binder", "Launch on Colab"}, seen


# pip's form of a package in a folder of a git repository, on a branch.
PIP_GIT_URL = re.compile(r"(?P<repository>https://github\.com/[^@]+)@(?P<branch>[^#]+)#subdirectory=(?P<folder>\S+)")


def test_colab_notebooks_fetch_only_from_the_student_repository_and_the_site(site_dir, student_repo):
    """Does each Colab notebook's set-up cell install the course library from the students' repository, or download its zip from the published site?"""
    public, branch, student_files = student_repository_facts(student_repo)
    site_branch = yaml.safe_load((REPO_ROOT / "_config.yml").read_text())["sphinx"]["config"]["colab_branch"]
    notebooks = sorted((site_dir / "colab").rglob("*.ipynb"))
    assert notebooks
    for notebook in notebooks:
        page = notebook.relative_to(site_dir / "colab").with_suffix("").as_posix()
        setup = cell_source(json.loads(notebook.read_text(encoding="utf-8"))["cells"][0])
        urls = re.findall(r"https://[^\s\"']+", setup)
        assert urls, f"{notebook}: its first cell fetches nothing"
        for url in urls:
            host, path = urlparse(url).netloc, urlparse(url).path.strip("/").split("/")
            if host == "github.com":
                install = PIP_GIT_URL.fullmatch(url)
                assert install, f"{page}: fetches {url}, not a pip install of a repository's folder"
                assert github_name(install["repository"]) == public, f"{page}: installs from {url}"
                assert install["branch"] == branch, f"{page}: installs from another branch, {url}"
                assert f"{install['folder']}/pyproject.toml" in student_files, f"{page}: no package at {url}"
            elif host == "raw.githubusercontent.com":
                assert ("/".join(path[:2]), path[2]) == (public, site_branch), f"{page}: downloads {url}"
                assert (site_dir / "/".join(path[3:])).is_file(), f"{page}: downloads {url}, not in the site"
            else:
                raise AssertionError(f"{page}: its set-up cell fetches from {url}")


# A copy of the site with one secret planted per scenario, each in a file of
# another kind, read in another way (highlighted HTML, notebook JSON, a zip
# member, escaped JavaScript, raw bytes).
PLANTS = [
    "solution_line_in_a_chapter_page",
    "solution_released_in_the_downloaded_notebook",
    "hidden_value_in_an_assignment_zip",
    "answer_scenario_in_a_colab_notebook",
    "hidden_case_line_in_a_script",
    "grading_file_among_the_static_files",
]


def first_secret_line(lines, secrets):
    return next(line for line in lines if line in secrets.lines)


def plant_in_site(copy, secrets):
    """Plant one secret per scenario in `copy`; {scenario: (path, kind, secret)} to be found."""
    assignment = assignment_pages()[0]
    _, name, notebook_name = assignment.split("/")
    solutions = REPO_ROOT / "solutions" / name
    instructors = solutions / f"{notebook_name}.ipynb"
    solution_blocks = marked_blocks(instructors, "solution")
    plants = {}

    chapter = copy / f"{toc_entries()[1]}.html"
    line = first_secret_line(next(iter(solution_blocks.values())), secrets)
    page = chapter.read_text(encoding="utf-8")
    chapter.write_text(page.replace("</main>", highlight(line, PythonLexer(), HtmlFormatter()) + "</main>", 1),
                       encoding="utf-8")
    plants["solution_line_in_a_chapter_page"] = (chapter.relative_to(copy).as_posix(), "line", line)

    released = copy / "_sources" / f"{assignment}.ipynb"
    notebook = json.loads(released.read_text(encoding="utf-8"))
    grade_id, lines = list(solution_blocks.items())[-1]
    answer = next(c for c in notebook["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id)
    answer["source"] = cell_source(answer).replace("raise NotImplementedError()", "\n    ".join(lines))
    released.write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    plants["solution_released_in_the_downloaded_notebook"] = (
        released.relative_to(copy).as_posix(), "line", first_secret_line(lines, secrets))

    archive_path = copy / "assignments" / f"{name}.zip"
    value = next(v for v, source in secrets.values.items() if source.startswith(f"solutions/{name}/"))
    with zipfile.ZipFile(archive_path) as archive:
        members = {member: archive.read(member) for member in archive.namelist()}
    notebook = json.loads(members[f"{notebook_name}.ipynb"])
    notebook["cells"].append({"cell_type": "code", "execution_count": 1, "metadata": {}, "source": "X[0, 0]",
                              "outputs": [{"output_type": "execute_result", "execution_count": 1, "metadata": {},
                                           "data": {"text/plain": f"tensor(-{value})"}}]})
    members[f"{notebook_name}.ipynb"] = json.dumps(notebook).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    archive_path.write_bytes(buffer.getvalue())
    plants["hidden_value_in_an_assignment_zip"] = (
        f"assignments/{name}.zip!{notebook_name}.ipynb", "value", value)

    scenario = sorted((solutions / "grading" / "scenarios").glob("correct_*.py"))[-1]
    colab_copy = copy / "colab" / f"{toc_entries()[1]}.ipynb"
    notebook = json.loads(colab_copy.read_text(encoding="utf-8"))
    notebook["cells"].append({"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                              "source": scenario.read_text(encoding="utf-8").splitlines(keepends=True)})
    colab_copy.write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    line = first_secret_line([line.strip() for line in scenario.read_text().splitlines()], secrets)
    plants["answer_scenario_in_a_colab_notebook"] = (colab_copy.relative_to(copy).as_posix(), "line", line)

    builder = solutions / "grading" / "cases.py"
    hidden = first_secret_line([line.strip() for line in builder.read_text().splitlines()], secrets)
    script = copy / "_static" / "planted.js"
    script.write_text(f"var cell = {json.dumps(hidden)};\n", encoding="utf-8")
    plants["hidden_case_line_in_a_script"] = (script.relative_to(copy).as_posix(), "line", hidden)

    shutil.copy(builder, copy / "_static" / "cases.txt")
    plants["grading_file_among_the_static_files"] = (
        "_static/cases.txt", "file", builder.relative_to(REPO_ROOT).as_posix())
    return plants


@pytest.fixture(scope="module")
def planted_site(site_dir, secrets, tmp_path_factory):
    """(the scan of a copy of the site with secrets planted in it, {scenario: (path, kind, secret)})."""
    copy = tmp_path_factory.mktemp("planted") / "html"
    shutil.copytree(site_dir, copy)
    plants = plant_in_site(copy, secrets)
    return scan_folder(copy, secrets), plants


@pytest.mark.parametrize("scenario", PLANTS)
def test_a_secret_planted_in_a_copy_of_the_site_is_found(planted_site, scenario):
    """Does the scan find a secret planted in a copy of the site, naming the file that holds it?"""
    scan, plants = planted_site
    path, kind, secret = plants[scenario]
    assert any((leak.path, leak.kind, leak.secret) == (path, kind, secret) for leak in scan.leaks), (
        f"{scenario}: the {kind} {secret!r} planted in {path} was not found; the scan found:\n{leak_report(scan)}"
    )


def test_the_planted_copy_shows_nothing_but_the_plants(planted_site):
    """Is every secret the scan finds in the planted copy in a file where one was planted?"""
    scan, plants = planted_site
    planted_files = {path for path, _, _ in plants.values()}
    assert {leak.path for leak in scan.leaks} == planted_files, leak_report(scan)


@pytest.fixture
def course_copy(tmp_path):
    """A git repository holding a copy of this course's published files and its solutions/, committed."""
    course = tmp_path / "course"
    for relative in published_files(REPO_ROOT):
        (course / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO_ROOT / relative, course / relative)
    shutil.copytree(REPO_ROOT / "solutions", course / "solutions", ignore=shutil.ignore_patterns("__pycache__"))
    git(course, "init", "--quiet", "--initial-branch", "main")
    git(course, "add", "--all")
    git(course, "commit", "--quiet", "-m", "course")
    return course


def test_a_chapter_showing_a_solution_stops_the_publish(course_copy, tmp_path, secrets):
    """Does `publish-student` refuse, writing nothing, when a chapter shows a solution line, and name the chapter?"""
    notebook = sorted((course_copy / "solutions").glob("*/*.ipynb"))[0]
    line = first_secret_line(next(iter(marked_blocks(notebook, "solution").values())), secrets)
    intro = course_copy / f"{toc_entries()[0]}.md"
    intro.write_text(intro.read_text(encoding="utf-8") + f"\n```python\n{line}\n```\n", encoding="utf-8")
    out = tmp_path / "student-repo"

    with pytest.raises(PublishError) as refused:
        publish(course_copy, out)

    assert f"{toc_entries()[0]}.md" in str(refused.value) and line in str(refused.value)
    assert not out.exists()


def test_a_second_publish_commits_only_what_changed(course_copy, tmp_path):
    """Does publishing an unchanged course add no commit, and does a file dropped from the course leave the students' repository?"""
    out = tmp_path / "student-repo"
    assert publish(course_copy, out) is not None
    assert publish(course_copy, out) is None

    dropped = next(p for p in published_files(course_copy) if p.startswith("exercises/"))
    git(course_copy, "rm", "--quiet", dropped)
    git(course_copy, "commit", "--quiet", "-m", "drop a file")
    assert publish(course_copy, out) is not None

    assert not (out / dropped).exists()
    assert git(out, "rev-list", "--count", "HEAD").strip() == "2"
    head = git(course_copy, "rev-parse", "--short=12", "HEAD").strip()
    assert f"at {head}\n" in git(out, "log", "-1", "--format=%B")


@pytest.mark.parametrize("scenario", ["plain_folder", "repository_pushing_elsewhere"])
def test_publishing_into_anything_but_the_student_repository_is_refused(course_copy, tmp_path, scenario):
    """Does `publish-student` refuse, touching nothing, an OUT that is not a git repository or that pushes elsewhere than repository.url?"""
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n")
    if scenario == "repository_pushing_elsewhere":
        git(out, "init", "--quiet", "--initial-branch", "main")
        git(out, "remote", "add", "origin", "https://github.com/someone/elsewhere")

    with pytest.raises(PublishError):
        publish(course_copy, out)

    assert sorted(p.name for p in out.iterdir() if p.name != ".git") == ["notes.txt"]
