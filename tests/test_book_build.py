"""Does `make book` give a complete site, and does it fail loudly when a cell breaks?"""
import re

from book_build import build_book, toc_entries
from locations import REPO_ROOT

BUILD_LOG = REPO_ROOT / "_build" / "book.log"
# Sphinx's own warnings, not the kernel's "[IPKernelApp] WARNING |" chatter.
SPHINX_WARNING = re.compile(r"(^|: )(WARNING|ERROR|CRITICAL): ", re.MULTILINE)
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def read_build_log():
    assert BUILD_LOG.exists(), "No build log: run `make book` (or `make test`, which runs it) first."
    return ANSI.sub("", BUILD_LOG.read_text())


def test_the_book_built_without_warnings_or_cell_errors():
    """Did the last `make book` succeed with no Sphinx warning and no failed cell?"""
    log = read_build_log()
    assert "build succeeded" in log
    assert not SPHINX_WARNING.findall(log), SPHINX_WARNING.search(log).string
    assert "Executing notebook failed" not in log


def test_every_toc_entry_became_a_page():
    """Does every entry of _toc.yml have its HTML page in _build/html?"""
    read_build_log()
    missing = [e for e in toc_entries() if not (REPO_ROOT / "_build" / "html" / f"{e}.html").exists()]
    assert not missing, f"No HTML page for: {missing}"


def test_executed_chapters_show_their_outputs():
    """Do the built chapter pages carry executed cell outputs?"""
    read_build_log()
    page = (REPO_ROOT / "_build" / "html" / f"{toc_entries()[1]}.html").read_text()
    assert "cell_output" in page


def test_a_raising_cell_fails_the_build_naming_the_file_and_traceback(one_chapter_book):
    """Does a broken cell make the build fail, naming the chapter and showing the error?"""
    chapter = one_chapter_book / f"{toc_entries()[1]}.md"
    text = chapter.read_text()
    first_cell = text.index("```{code-cell}")
    broken_cell = "```{code-cell} ipython3\nraise RuntimeError('broken on purpose')\n```\n\n"
    chapter.write_text(text[:first_cell] + broken_cell + text[first_cell:])

    result = build_book(one_chapter_book)

    output = ANSI.sub("", result.stdout + result.stderr)
    assert result.returncode != 0
    assert f"{chapter}: WARNING: Executing notebook failed" in output
    assert "Traceback" in output
    assert "RuntimeError: broken on purpose" in output


def test_an_unchanged_chapter_is_not_executed_again(one_chapter_book):
    """Does a second build reuse jupyter-cache instead of running the chapter again?"""
    first = build_book(one_chapter_book)
    assert first.returncode == 0, first.stdout[-3000:]
    assert "Executing notebook" in first.stdout

    # Edit prose only: Sphinx must re-read the page, but its code is unchanged.
    chapter = one_chapter_book / f"{toc_entries()[1]}.md"
    chapter.write_text(chapter.read_text() + "\nOne more sentence of prose.\n")
    second = build_book(one_chapter_book)
    assert second.returncode == 0, second.stdout[-3000:]
    assert "Using cached notebook" in second.stdout
    assert "Executing notebook" not in second.stdout
