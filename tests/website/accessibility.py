"""Run axe-core's WCAG 2.1 A and AA rules on one page of the site.

axe-core's script comes from the pinned `axe-playwright-python` wheel, which
bundles it, so nothing is fetched at test time. The result is plain data (one
`Violation` per failing element), so the tests and the proof test that breaks
a copy of the site read it alike.
"""
from dataclasses import dataclass

from axe_playwright_python.base import AXE_SCRIPT

from .page_visit import open_page

# The WCAG 2.0 and 2.1 success criteria of levels A and AA, as axe-core tags them.
WCAG_21_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Rules whose result depends on the colours, run again in the dark theme.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]
# How each page is checked, in order: (view, system colour scheme, window
# size, rules or None for all). The phone layout has its own problems (boxes
# that scroll sideways, a collapsed header), so it gets every rule again.
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
VIEWS = [
    ("desktop, light", "light", DESKTOP, None),
    ("desktop, dark", "dark", DESKTOP, COLOUR_RULES),
    ("phone, light", "light", PHONE, None),
]

# Every rule carrying one of `tags`, the experimental ones included: axe skips
# those by default, but one of them, label-content-name-mismatch, is the only
# rule for WCAG 2.5.3 (Label in Name, level A). `only` narrows the run to
# those rules.
RUN_WCAG_RULES = """
async ({tags, only}) => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const rules = axe.getRules(tags).map(rule => rule.ruleId).filter(rule => !only || only.includes(rule));
  const results = await axe.run(document, {
    runOnly: {type: "rule", values: rules},
    resultTypes: ["violations"],
  });
  const violations = results.violations.flatMap(violation => violation.nodes.map(node => ({
    rule: violation.id,
    impact: violation.impact || "",
    help: violation.help,
    help_url: violation.helpUrl,
    target: node.target.map(String).join(" "),
    html: node.html,
    why: node.failureSummary || "",
  })));
  return {theme: document.documentElement.dataset.theme, violations};
}
"""


@dataclass
class Violation:
    """One element that fails one axe-core rule on one page, in one view (window size and colour scheme)."""

    rule: str
    impact: str
    help: str
    help_url: str
    target: str
    html: str
    why: str
    page: str = ""
    view: str = ""

    def describe(self):
        """One readable paragraph: rule, page, element, and what axe says to fix."""
        snippet = " ".join(self.html.split())[:160]
        why = " ".join(self.why.split())
        return (
            f"{self.rule} ({self.impact}) on {self.page} [{self.view}]: {self.target}\n"
            f"    {self.help}: {why}\n"
            f"    element: {snippet}\n"
            f"    rule: {self.help_url}"
        )


def axe_violations(context, base_url, page_path):
    """The WCAG 2.1 A/AA violations axe-core finds on `page_path` (e.g. "book/intro.html") in each of `VIEWS`.

    The theme follows the reader's system colour scheme, which is emulated.
    The page is loaded again when the window size changes, so that the layout
    and the page's scripts see the new size from the start. External requests
    are refused, as in every site test.
    """
    page, _ = open_page(context, base_url, f"{base_url}{page_path}")
    violations = []
    size = None
    try:
        for view, color_scheme, window, only in VIEWS:
            page.emulate_media(color_scheme=color_scheme)
            if window != size:
                page.set_viewport_size(window)
                page.goto(f"{base_url}{page_path}", wait_until="load")
                page.evaluate(AXE_SCRIPT)
                size = window
            found = page.evaluate(RUN_WCAG_RULES, {"tags": WCAG_21_AA_TAGS, "only": only})
            # A colour mode stored by an earlier click on the theme's switch
            # would win over the system's, and one scheme would go unchecked.
            assert found["theme"] == color_scheme, (
                f"{page_path} showed the {found['theme']!r} theme when the system was {color_scheme}: "
                "is a colour mode stored in the browser?")
            violations += [Violation(**record, page=page_path, view=view) for record in found["violations"]]
    finally:
        page.close()
    return violations


def violation_report(violations):
    """All violations, one paragraph each, under a count per rule."""
    per_rule = {}
    for violation in violations:
        per_rule[violation.rule] = per_rule.get(violation.rule, 0) + 1
    counts = ", ".join(f"{rule}: {count}" for rule, count in sorted(per_rule.items()))
    return f"{len(violations)} WCAG 2.1 A/AA violations ({counts}):\n" + "\n".join(
        violation.describe() for violation in violations
    )
