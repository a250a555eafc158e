"""The checks the browser suite makes, as plain functions over a `PageVisit`.

Each returns a list of problems, one readable sentence per problem, naming the
page and the element, so that a failing test says what to fix and where. The
proof tests call the same functions on a deliberately broken copy of the site.
"""
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlparse

from .page_visit import is_local

# The notebook tags that keep a cell's output off the page (myst-nb's meaning).
HIDDEN_OUTPUT_TAGS = {"remove-cell", "remove-output"}
# Inline or display math in MyST prose: $...$, $$...$$, or a {math} role/directive.
FORMULA = re.compile(r"\$\$.+?\$\$|\$[^\s$][^$\n]*\$|\{math\}", re.DOTALL)
CODE_BLOCK = re.compile(r"^(```|~~~).*?^\1", re.DOTALL | re.MULTILINE)
ID_ATTRIBUTE = re.compile(r"""\s(?:id|name)=["']([^"']+)["']""")


def loading_problems(visit):
    """Console errors, local requests that failed, and resources fetched from other hosts."""
    problems = [f"{visit.page}: console error: {text}" for text in visit.console_errors]
    problems += [f"{visit.page}: request failed: {failure}" for failure in visit.failed_requests]
    problems += [
        f"{visit.page}: loads a resource from outside the site (the site must work offline): {url}"
        for url in visit.external_requests
    ]
    return problems


def has_real_alt_text(image):
    """Is the alt text a description, rather than empty or the image's own file name?"""
    alt = image["alt"].strip()
    return bool(alt) and Path(alt).name != Path(image["src"]).name


def image_problems(visit):
    """Images that did not decode, or that have neither alt text nor a caption."""
    problems = []
    for image in visit.images:
        if image["naturalWidth"] == 0:
            problems.append(f"{visit.page}: image {image['src']} did not load (naturalWidth is 0)")
        if not has_real_alt_text(image) and not image["caption"]:
            problems.append(
                f"{visit.page}: image {image['src']} has no alt text and no caption "
                "(give its cell `mystnb: image: alt:` or `figure: caption:` metadata)"
            )
    return problems


def source_has_formulas(source_text):
    """Does a MyST page's prose (outside code blocks and cells) contain math?"""
    return bool(FORMULA.search(CODE_BLOCK.sub("", source_text)))


def math_problems(visit, expects_formulas):
    """Formulas MathJax did not typeset, TeX left as visible text, or math gone missing."""
    problems = [
        f"{visit.page}: formula not typeset by MathJax: {math['element']}: {math['text']}"
        for math in visit.math
        if not math["rendered"]
    ]
    problems += [f"{visit.page}: raw TeX visible as text in {snippet}" for snippet in visit.raw_tex]
    if expects_formulas and not visit.math:
        problems.append(f"{visit.page}: the source has formulas but the page shows no math elements")
    return problems


@lru_cache(maxsize=None)
def anchors_in(html_file, modified):
    """Every id (and name) an HTML file defines; `modified` keys the cache to its mtime."""
    return set(ID_ATTRIBUTE.findall(Path(html_file).read_text(encoding="utf-8", errors="replace")))


def local_target(url, base_url, site_dir):
    """The file in `site_dir` that a local URL serves."""
    path = unquote(urlparse(url).path)[len(urlparse(base_url).path):]
    target = Path(site_dir) / path
    return target / "index.html" if path.endswith("/") or path == "" else target


def link_problems(visit, base_url, site_dir):
    """Local links whose file, or whose #anchor in that file, does not exist."""
    problems = []
    for link in visit.links:
        if not is_local(link["href"], base_url):
            continue
        target = local_target(link["href"], base_url, site_dir)
        fragment = unquote(urlparse(link["href"]).fragment)
        where = f"{visit.page}: link '{link['text'] or link['title']}' -> {link['href']}"
        if not target.is_file():
            problems.append(f"{where}: no such file in the site")
        elif fragment and target.suffix == ".html" and fragment not in anchors_in(
            str(target), target.stat().st_mtime
        ):
            problems.append(f"{where}: no element with id '{fragment}' on that page")
    return problems


def external_links(visit, base_url):
    """The links that leave the site (listed, never fetched: the network is closed)."""
    return sorted({link["href"] for link in visit.links if not is_local(link["href"], base_url)})


def cells_with_shown_outputs(notebook):
    """How many code cells of an executed notebook have outputs the page shows."""
    return sum(
        1
        for cell in notebook["cells"]
        if cell["cell_type"] == "code"
        and cell.get("outputs")
        and not HIDDEN_OUTPUT_TAGS & set(cell.get("metadata", {}).get("tags", []))
    )


def forbidden_words(output):
    """What an output may not contain: never a traceback, and no error message
    unless its cell is tagged `expected-error` (a chapter printing the error
    PyTorch raises, on purpose)."""
    return ("Traceback",) if output.get("expectsError") else ("Traceback", "Error")


def output_problems(visit, executed_notebook=None):
    """Outputs that show an error, or executed outputs that the page does not show."""
    problems = [
        f"{visit.page}: cell output {output['element']} contains '{word}': "
        f"{output['text'].strip()[:200]}"
        for output in visit.outputs
        for word in forbidden_words(output)
        if word in output["text"]
    ]
    if executed_notebook is not None:
        expected = cells_with_shown_outputs(executed_notebook)
        if len(visit.outputs) != expected:
            problems.append(
                f"{visit.page}: the page shows {len(visit.outputs)} cell outputs, "
                f"but {expected} cells of the executed notebook have outputs to show"
            )
    return problems
