"""axe-core in a Playwright page: WCAG 2.1 AA violations, sorted by impact.

axe-core is an npm package vendored with the website (site/vendor.toml, fetched once by
`npm pack`, sha512-pinned): the site tests and the browser tests inject that same file,
so no test needs the network. Used by tests/site/test_site.py (every page of the site)
and tests/browser/test_lab_accessibility.py (notebooks 00 and 07 in JupyterLab).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BLOCKING = ("critical", "serious")     # impacts a test fails on
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_script() -> Path:
    """The vendored axe.min.js (fetched and checked by site/sitebuild.py's vendor step)."""
    sys.path.insert(0, str(REPO / "site"))
    import sitebuild

    return sitebuild.vendor() / "vendor" / "axe-core" / "axe.min.js"


@dataclass
class Violation:
    """One axe rule broken on one element."""

    rule: str
    impact: str
    help: str
    target: str
    html: str

    def __str__(self) -> str:
        return f"[{self.impact}] {self.rule}: {self.help} at {self.target} {self.html[:120]!r}"


def run_axe(page) -> list[Violation]:
    """Every violation of WCAG 2.1 A/AA rules on the page, one per element, worst first.

    Nothing is filtered: a caller that must tell whose element it is (the course's output,
    JupyterLab's interface) asks `element_matches`.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_script()))
    results = page.evaluate(
        "async tags => await axe.run(document, {runOnly: {type: 'tag', values: tags}, "
        "resultTypes: ['violations']})", TAGS)
    found = []
    for rule in results["violations"]:
        for node in rule["nodes"]:
            found.append(Violation(rule["id"], node.get("impact") or rule.get("impact") or "",
                                   rule["help"], " ".join(map(str, node["target"])),
                                   node.get("html", "")))
    order = {"critical": 0, "serious": 1, "moderate": 2, "minor": 3}
    return sorted(found, key=lambda v: (order.get(v.impact, 4), v.rule))


def element_matches(page, violation: Violation, selector: str) -> bool:
    """Whether the violation's element is (inside) an element matching `selector`."""
    return page.evaluate(
        "([target, selector]) => { const el = document.querySelector(target);"
        " return !!(el && el.closest(selector)); }", [violation.target, selector])


def blocking(violations: list[Violation]) -> list[Violation]:
    return [v for v in violations if v.impact in BLOCKING]


def report(title: str, violations: list[Violation]) -> str:
    """A few lines for the test output: counts by impact, then each violation."""
    if not violations:
        return f"axe {title}: no violation"
    counts = {}
    for v in violations:
        counts[v.impact] = counts.get(v.impact, 0) + 1
    lines = [f"axe {title}: " + ", ".join(f"{n} {impact}" for impact, n in counts.items())]
    lines += [f"  {v}" for v in violations]
    return "\n".join(lines)
