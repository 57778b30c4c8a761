"""Notebooks 00 and 07 in JupyterLab, checked with axe-core as a screen-reader user meets them.

After Run All, axe-core (WCAG 2.1 A and AA rules, vendored with the site: tests/browser/
axe_check.py) checks the whole page. Its violations are split in two:
- the course's own: elements inside a cell's output (figures, widgets, printed text), which
  the course makes. None may be serious or critical.
- JupyterLab's own (toolbar, menus, side bars, the editor): not ours to fix; printed, so a
  change shows in the test output, never failed on.
- ipywidgets' own, known upstream: a slider's handle (noUiSlider) has role="slider" and no
  accessible name, and ipywidgets offers no way to give it one from Python (the website names
  it with a script: site/conf.py). Printed, not failed on; anything else inside a widget is
  the course's.
Every figure must also reach JupyterLab with its description as the <img>'s alt text.
"""

from __future__ import annotations

import pytest
from axe_check import blocking, element_matches, report, run_axe

from course_utils.plots import alt_problem

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

COURSE_OUTPUTS = ".jp-OutputArea-output"
IPYWIDGETS_KNOWN = {("aria-input-field-name", ".noUi-handle")}    # (rule, element)


@pytest.mark.parametrize("name", ["00_start_here.ipynb", "07_learning_rate_explorer.ipynb"])
def test_the_course_s_outputs_have_no_serious_accessibility_violation(open_notebook, name):
    notebook = open_notebook(name)
    notebook.run_all()
    page = notebook.page
    alts = page.locator(f"{COURSE_OUTPUTS} img").evaluate_all(
        "imgs => imgs.map(img => img.getAttribute('alt'))")
    bad = [f"{alt!r}: {alt_problem(alt)}" for alt in alts if alt_problem(alt)]

    found = run_axe(page)
    inside = [v for v in found if element_matches(page, v, COURSE_OUTPUTS)]
    lab = [v for v in found if v not in inside]
    upstream = [v for v in inside if any(v.rule == rule and element_matches(page, v, element)
                                         for rule, element in IPYWIDGETS_KNOWN)]
    course = [v for v in inside if v not in upstream]
    notebook.screenshot(f"axe-{name.removesuffix('.ipynb')}")
    print(report(f"{name}, JupyterLab's own (not the course's)", lab))
    print(report(f"{name}, ipywidgets' own (known upstream)", upstream))
    print(report(f"{name}, the course's outputs", course))
    assert alts, f"{name}: no figure reached JupyterLab as an <img>"
    assert not bad, f"{name}: figures JupyterLab shows without a description: {bad}"
    assert not blocking(course), report(f"{name}, the course's outputs", blocking(course))
