"""Can a beginner find their way through every chapter the same way?

Each chapter of the table of contents opens with learning objectives and ends
its lesson with a summary; every exercise says how hard it is; every figure
hides its plotting code and describes its image in words of its own; the
terms a beginner may not know are linked to the glossary where a chapter
first uses them; the glossary defines the book's terms, each with its
Chinese name. Each check reads the MyST source and returns the problems it
finds, so the last tests can show it on small texts that break one rule.
"""
import re

import jupytext
import pytest

from book_build import toc_entries
from locations import REPO_ROOT

GLOSSARY_PAGE = "book/glossary"
GLOSSARY_TERMS = [
    "average pooling", "batch normalisation", "buffer", "ceil_mode", "channel",
    "cross-correlation", "dilation", "dropout", "feature map", "global average pooling",
    "im2col", "max pooling", "multiset", "padding", "pooling", "positively homogeneous",
    "receptive field", "row-major order", "stride", "strided convolution", "subgradient",
    "sum pooling", "top-1 and top-5 error", "translation equivariance",
    "translation invariance", "window",
]
# The terms issue 14 found used without a definition: the first use of each,
# in every chapter that uses it, links to its glossary entry.
LINKED_AT_FIRST_USE = {
    "subgradient": r"subgradients?\b",
    "row-major order": r"row-major",
    "im2col": r"im2col",
    "multiset": r"multisets?\b",
    "top-1 and top-5 error": r"top-[15]\b",
    "positively homogeneous": r"positively homogeneous|positive homogeneity",
    "buffer": r"\bbuffers?\b",
    "cross-correlation": r"cross-correlat",
}
CHAPTERS_WITH_OPTIONAL_DEPTH = [
    "book/pooling/padding_stride", "book/pooling/fast_and_backward", "book/variants/mixed_pooling",
]
DIFFICULTIES = ("Easy", "Medium", "Hard")
CJK = re.compile(r"[\u4e00-\u9fff]")


def source_text(page):
    return (REPO_ROOT / f"{page}.md").read_text(encoding="utf-8")


def is_chapter(page):
    """Is the page a chapter (an executed MyST notebook), rather than the intro or back matter?"""
    path = REPO_ROOT / f"{page}.md"
    return path.exists() and path.read_text(encoding="utf-8").startswith("---\njupytext:")


CHAPTERS = [page for page in toc_entries() if page.startswith("book/") and is_chapter(page)]


def prose(text):
    """The Markdown a reader reads: no front matter, code cells or included code, headings or targets like `(label)=`."""
    notebook = jupytext.reads(text, fmt="md:myst")
    markdown = "\n\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    markdown = re.sub(r"```\{literalinclude\}.*?```", "", markdown, flags=re.S)
    return "\n".join(line for line in markdown.splitlines()
                     if not line.startswith("#") and not re.fullmatch(r"\([^)]*\)=\s*", line))


def sections(text, levels=("## ",)):
    """The headings of the Markdown at the given levels, in order (code cells left out)."""
    notebook = jupytext.reads(text, fmt="md:myst")
    return [
        line.split(" ", 1)[1].strip()
        for cell in notebook.cells if cell.cell_type == "markdown"
        for line in cell.source.splitlines() if line.startswith(levels)
    ]


def bullet_count(block):
    return sum(1 for line in block.splitlines() if re.match(r"- \S", line))


def objectives_problems(text):
    """Problems with the learning objectives that must follow the title, before the first section."""
    before_first_section = text.split("\n## ", 1)[0]
    match = re.search(r"```\{admonition\} Learning objectives\n:class: tip\n(.*?)\n```", before_first_section, re.S)
    if not match:
        return ["no ```{admonition} Learning objectives with :class: tip before the first ## section"]
    if not 3 <= bullet_count(match.group(1)) <= 5:
        return [f"the learning objectives hold {bullet_count(match.group(1))} bullets, not 3 to 5"]
    return []


def summary_problems(text):
    """Problems with the `## Summary` that must be the last section before the exercises."""
    headings = sections(text)
    lesson = headings[: headings.index("Exercises")] if "Exercises" in headings else headings
    if not lesson or lesson[-1] != "Summary":
        return [f"the last section before the exercises is {lesson[-1:]!r}, not 'Summary'"]
    summary = text.split("\n## Summary\n", 1)[1].split("\n## ", 1)[0]
    if not 3 <= bullet_count(summary) <= 6:
        return [f"the summary holds {bullet_count(summary)} bullets, not 3 to 6"]
    return []


def exercise_problems(text):
    """The exercises whose title does not start with a difficulty."""
    return [
        f"exercise without a difficulty: {line!r}"
        for line in re.findall(r"^```\{exercise(?:-start)?\}.*$", text, re.M)
        if not re.match(r"```\{exercise(?:-start)?\} (%s): \S" % "|".join(DIFFICULTIES), line)
    ]


def figure_problems(text):
    """The figure cells that show their code, or whose image has no alt text of its own."""
    problems = []
    for cell in jupytext.reads(text, fmt="md:myst").cells:
        mystnb = cell.metadata.get("mystnb", {})
        draws = re.search(r"\bfigures\.\w+\(|\bplt\.\w+\(", cell.source)
        if cell.cell_type != "code" or not (draws or "figure" in mystnb):
            continue
        name = cell.source.strip().splitlines()[0][:60]
        caption = " ".join(str(mystnb.get("figure", {}).get("caption", "")).split())
        alt = " ".join(str(mystnb.get("image", {}).get("alt", "")).split())
        if "hide-input" not in cell.metadata.get("tags", []):
            problems.append(f"figure cell {name!r} does not hide its code (tag hide-input)")
        if not alt:
            problems.append(f"figure cell {name!r} has no alt text (mystnb: image: alt:)")
        elif alt == caption:
            problems.append(f"figure cell {name!r} repeats its caption as its alt text")
    return problems


def term_link_problems(text):
    """The terms of LINKED_AT_FIRST_USE whose first use in the prose is not a link to their entry."""
    reading = prose(text)
    roles = [(m.start(), m.end(), m.group(1)) for m in re.finditer(r"\{term\}`([^`]*)`", reading)]
    # Inline code is not a use of a term (`register_buffer`), but a term role's text is.
    plain = re.sub(r"(?<!\{term\})`[^`\n]*`", lambda m: " " * len(m.group()), reading)
    problems = []
    for term, pattern in LINKED_AT_FIRST_USE.items():
        first = re.search(pattern, plain, re.I)
        if not first:
            continue
        role = next((r for r in roles if r[0] <= first.start() < r[1]), None)
        target = role and re.sub(r".*<(.*)>$", r"\1", role[2]).strip().lower()  # Sphinx ignores case
        if target != term:
            where = plain[max(0, first.start() - 30): first.end() + 30].replace("\n", " ")
            problems.append(f"first use of {term!r} is not {{term}}`...<{term}>`: ...{where}...")
    return problems


def optional_section_problems(text):
    """Problems with the sections marked optional: there must be one, each saying it can be skipped."""
    levels = ("## ", "### ", "#### ")
    optional = [(level, h) for level in levels for h in sections(text, (level,)) if h.endswith(" (optional)")]
    if not optional:
        return ["no section heading ends in ' (optional)'"]
    problems = []
    for level, heading in optional:
        opening = text.split(f"\n{level}{heading}\n", 1)[1].strip().split("\n\n", 1)[0]
        if "first reading" not in opening:
            problems.append(f"'{heading}' does not open by saying it can be skipped on a first reading")
    return problems


def glossary_entries(text):
    """The terms the `{glossary}` directive defines, in order."""
    block = re.search(r"```\{glossary\}\n(.*?)\n```", text, re.S).group(1)
    return [line.strip() for line in block.splitlines() if line.strip() and not line.startswith(" ")]


def bilingual_rows(text):
    """The rows of the glossary's term table, English term -> the rest of its row."""
    rows = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")] if line.startswith("|") else []
        if len(cells) >= 2 and not set(cells[0]) <= set("-: "):
            rows[re.sub(r"\{term\}`([^`<]*?)\s*(<[^>]*>)?`", r"\1", cells[0]).strip("` ")] = cells[1:]
    return rows


# What each chapter must show a reader, and the check that looks for it.
CONVENTIONS = {
    "learning objectives before the first section": objectives_problems,
    "a summary as the last section before the exercises": summary_problems,
    "a difficulty (Easy, Medium, Hard) in every exercise title": exercise_problems,
    "figures that hide their code and have an alt text of their own": figure_problems,
    "glossary links where subgradient, row-major, im2col, ... are first used": term_link_problems,
}


@pytest.mark.parametrize("convention", CONVENTIONS)
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_follows_the_book_conventions(chapter, convention):
    """Does the chapter have learning objectives, a summary, graded exercises, described figures, linked terms?"""
    problems = CONVENTIONS[convention](source_text(chapter))
    assert not problems, f"{chapter} lacks {convention}:\n" + "\n".join(problems)


@pytest.mark.parametrize("chapter", CHAPTERS_WITH_OPTIONAL_DEPTH)
def test_advanced_material_is_marked_optional(chapter):
    """Does the chapter mark its advanced material as optional, and say it can be skipped?"""
    problems = optional_section_problems(source_text(chapter))
    assert not problems, problems


def test_glossary_is_in_the_toc_and_defines_every_term():
    """Is the glossary a page of the book, defining every term the chapters rely on?"""
    assert GLOSSARY_PAGE in toc_entries()
    defined = glossary_entries(source_text(GLOSSARY_PAGE))
    assert sorted(set(GLOSSARY_TERMS) - set(defined)) == []
    assert len(defined) == len(set(defined)), "a term is defined twice"


def test_glossary_gives_every_term_its_chinese_name():
    """Does the term table give a Chinese term for every glossary entry?"""
    text = source_text(GLOSSARY_PAGE)
    rows = bilingual_rows(text)
    missing = [term for term in glossary_entries(text) if not CJK.search(" ".join(rows.get(term, [])))]
    assert not missing, f"no Chinese term in the glossary's table for {missing}"


# The checks above, shown to fail on small texts that break one rule each.
LESSON = """---
jupytext:
  text_representation:
    format_name: myst
---

# A chapter

An opening paragraph.

```{admonition} Learning objectives
:class: tip
- Compute one thing
- Explain another
- Choose a third
```

## A section

Max pooling has many {term}`subgradients <subgradient>`; a subgradient again.
Its `register_buffer` call declares a {term}`buffer`.

## Summary

- One
- Two
- Three

## Exercises

```{exercise} Easy: one line
:label: a_ex_1
Text.
```

```{code-cell} ipython3
---
mystnb:
  figure:
    caption: Windows over a map.
  image:
    alt: A 4 by 4 grid of numbers with two shaded squares.
tags: [hide-input]
---
fig = figures.show_grids([X])
```
"""

BROKEN_LESSONS = {
    "no objectives": (LESSON.replace("Learning objectives", "Goals"), objectives_problems),
    "two objectives": (LESSON.replace("- Choose a third\n", ""), objectives_problems),
    "no summary": (LESSON.replace("## Summary", "## Recap"), summary_problems),
    "summary after exercises": (
        LESSON.replace("## Exercises", "## Homework").replace("## Summary", "## Exercises"), summary_problems),
    "exercise without difficulty": (LESSON.replace("{exercise} Easy: one line", "{exercise} One line"),
                                    exercise_problems),
    "unknown difficulty": (LESSON.replace("Easy: one", "Trivial: one"), exercise_problems),
    "figure code shown": (LESSON.replace("tags: [hide-input]\n", ""), figure_problems),
    "no alt text": (LESSON.replace("  image:\n    alt: A 4 by 4 grid of numbers with two shaded squares.\n", ""),
                    figure_problems),
    "figure without caption, code shown": (LESSON + "\n```{code-cell} ipython3\nfig = figures.plot_curves(x, y)\n```\n",
                                           figure_problems),
    "alt repeats caption": (LESSON.replace("A 4 by 4 grid of numbers with two shaded squares.",
                                           "Windows over a map."), figure_problems),
    "term not linked": (LESSON.replace("{term}`subgradients <subgradient>`", "subgradients"), term_link_problems),
    "term linked second": (LESSON.replace("{term}`subgradients <subgradient>`; a subgradient",
                                          "subgradients; a {term}`subgradient`"), term_link_problems),
    "no optional section": (LESSON, optional_section_problems),
    "optional without skip": (LESSON.replace("## A section\n", "## A section (optional)\n"),
                              optional_section_problems),
}


def test_the_checks_pass_a_lesson_that_follows_the_conventions():
    """Does a lesson that follows every convention pass the checks (its optional section aside)?"""
    assert [problem for check in CONVENTIONS.values() for problem in check(LESSON)] == []
    for level in ("## ", "### "):
        marked = LESSON.replace("## A section\n\n", f"{level}A section (optional)\n\nSkip it on a first reading.\n\n")
        assert optional_section_problems(marked) == []


@pytest.mark.parametrize("case", BROKEN_LESSONS)
def test_the_checks_catch_a_broken_lesson(case):
    """Does each check report the rule a small lesson breaks?"""
    text, check = BROKEN_LESSONS[case]
    assert check(text), f"{check.__name__} found nothing wrong with a lesson with {case}"


def test_the_glossary_checks_catch_a_missing_chinese_term():
    """Does a table row without Chinese count as missing?"""
    table = "| English | 中文 |\n| --- | --- |\n| {term}`pooling` | 汇聚 |\n| {term}`stride` | stride |\n"
    rows = bilingual_rows(table)
    assert CJK.search(" ".join(rows["pooling"])) and not CJK.search(" ".join(rows["stride"]))
