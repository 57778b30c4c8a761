"""Sphinx configuration of the course website. Build it with `make site` (site/sitebuild.py).

Sphinx reads build/site-src/ (staged by sitebuild.py) and myst-nb executes each notebook,
caching the result with jupyter-cache. Nothing is loaded from the internet, at build time
or when a page is opened: the JavaScript comes from site/vendor.toml's pinned packages.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

from docutils import nodes
from myst_nb.core.render import NbElementRenderer

sys.path.insert(0, str(Path(__file__).resolve().parent))

import sitebuild  # noqa: E402

# The notebooks run in the same environment as in the test runner (tests/notebook_runner.py):
# figures drawn under the Agg backend, one torch thread unless COURSE_THREADS says otherwise,
# and checks in strict mode, so a check that does not pass fails the build instead of
# showing a ✗ on the website.
os.environ["COURSE_CHECKS_STRICT"] = "solutions"
os.environ["MPLBACKEND"] = "Agg"
os.environ.setdefault("COURSE_THREADS", "1")
os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
# Notebook 00's environment report leaves out file paths (the build machine's venv).
os.environ["COURSE_REPORT_PATHS"] = "hide"

project = "From tensors to torch.nn"
author = "the course authors"
copyright = "the course authors, MIT license"

extensions = ["myst_nb"]
root_doc = "index"
exclude_patterns = ["jupyter_execute", ".ipynb_checkpoints"]
myst_enable_extensions = ["dollarmath", "amsmath"]

# ---- execution: cached, failing loudly, never hanging
nb_execution_mode = "cache"
# sitebuild.py passes the same folder with -D, computed once per build.
nb_execution_cache_path = str(sitebuild.cache_dir() / "jupyter")
nb_execution_timeout = sitebuild.CELL_TIMEOUT_S      # seconds per cell
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_in_temp = False    # run in the notebook's folder, as in JupyterLab

# ---- theme
html_theme = "sphinx_book_theme"
html_title = project
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": True,
    "home_page_in_toc": True,
}
html_static_path = [str(sitebuild.vendor()), str(Path(__file__).resolve().parent / "static")]
html_last_updated_fmt = None
# _templates/ overrides one theme component for accessibility (see the file).
templates_path = ["_templates"]

# ---- the vendored JavaScript (paths relative to _static/)
mathjax_path = "vendor/mathjax/es5/tex-mml-chtml.js"
nb_ipywidgets_js = {
    "vendor/requirejs/require.js": {},
    "vendor/html-manager/dist/embed-amd.js": {
        # Where the manager would fetch a widget library it does not bundle: a local folder
        # that does not exist, so an unknown widget fails here instead of calling a CDN.
        "data-jupyter-widgets-cdn": "_static/vendor/no-cdn/",
    },
}

# ---- figures: image files with their text alternative
# course_utils' show_figure writes each figure as image/png (with its alt text in the output's
# metadata) and as text/html (an <img> with alt, for JupyterLab, which ignores that metadata).
# The website takes the image/png: myst-nb writes it to an image file (lighter pages, the
# figure can be opened on its own). myst-nb 1.4 reads only width and height from the
# metadata, so `alt` is added by the wrapper below (tests/site checks every figure has it).
nb_mime_priority_overrides = [("html", "image/png", 25), ("dirhtml", "image/png", 25)]


def _render_image_with_alt(original):
    def render_image(self, data):
        rendered = original(self, data)
        alt = data.output_metadata.get(data.mime_type, {}).get("alt")
        if isinstance(alt, str) and alt.strip():
            for node in rendered:
                if isinstance(node, nodes.image):
                    node["alt"] = alt
        return rendered
    return render_image


NbElementRenderer.render_image = _render_image_with_alt(NbElementRenderer.render_image)

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
FROZEN = "course-frozen-widget"  # the class of a cell whose widget is a still picture


def add_widget_notes(app, doctree: nodes.document, docname: str) -> None:
    """Put a note under each widget: here it is a still picture; to move it, run the notebook."""
    for raw in list(doctree.findall(nodes.raw)):
        if WIDGET_VIEW not in raw.astext():
            continue
        cell = raw
        while cell.parent is not None and "cell" not in cell.get("classes", []):
            cell = cell.parent
        if cell.parent is None:
            cell = raw
        else:
            cell["classes"].append(FROZEN)
        note = nodes.note()
        paragraph = nodes.paragraph()
        paragraph += nodes.Text("The widget above is a still picture of where the notebook's "
                                "run left it (later cells may have moved it): moving it needs "
                                "a running Python kernel. Download ")
        paragraph += nodes.reference("", f"{docname}.ipynb",
                                     refuri=f"_sources/{docname}.ipynb")
        paragraph += nodes.Text(" and run it in JupyterLab (in a clone of the course: ")
        paragraph += nodes.literal("", "make lab")
        paragraph += nodes.Text(").")
        note += paragraph
        cell.parent.insert(cell.parent.index(cell) + 1, note)


def freeze_state(state: dict) -> int:
    """Set `disabled` on every saved widget model that has it; return how many."""
    frozen = 0
    for model in state.get("state", {}).values():
        if "disabled" in model.get("state", {}):
            model["state"]["disabled"] = True
            frozen += 1
    return frozen


def freeze_saved_widgets(app, exception) -> None:
    """After the build: every page's saved widgets are disabled, so a slider cannot move.

    On the site a widget is a picture of where the run left it. A slider that moved while
    its readout and plot stayed put (nothing computes them without a kernel) would lie.
    """
    if exception is not None or app.builder.format != "html":
        return
    pattern = re.compile(rf'(<script type="{re.escape(WIDGET_STATE)}">)(.*?)(</script>)', re.S)
    for page in Path(app.outdir).rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        found = pattern.search(html)
        if not found:
            continue
        state = json.loads(found.group(2))
        if freeze_state(state):
            frozen = json.dumps(state).replace("</", "<\\/")
            page.write_text(html[:found.start(2)] + frozen + html[found.end(2):],
                            encoding="utf-8")


# ---- accessibility fixes (tests/site/test_site.py runs axe-core on every page)
# myst-nb labels each folded solution's <summary> "Toggle hidden content", which hides its
# visible text ("Show the solution") from screen readers (axe: label-content-name-mismatch).
FOLD_SUMMARY = '<summary aria-label="Toggle hidden content">'


def unlabel_folded_solutions(app, pagename, templatename, context, doctree) -> None:
    if "body" in context:
        context["body"] = context["body"].replace(FOLD_SUMMARY, "<summary>")


# ipywidgets' slider handle (noUiSlider) has role="slider" but no accessible name (axe:
# aria-input-field-name); name each handle after its slider's description as it is drawn.
NAME_SLIDER_HANDLES = """
new MutationObserver(function () {
  document.querySelectorAll('.widget-slider .noUi-handle:not([aria-label])').forEach(
    function (handle) {
      var slider = handle.closest('.widget-slider');
      var label = slider && slider.querySelector('.widget-label');
      var name = label && label.textContent.trim();
      handle.setAttribute('aria-label', name || 'slider');
    });
}).observe(document.documentElement, {childList: true, subtree: true});
"""


def setup(app):
    app.connect("doctree-resolved", add_widget_notes)
    app.connect("build-finished", freeze_saved_widgets)
    app.add_css_file("course.css")  # site/static/course.css: frozen widgets look frozen
    app.connect("html-page-context", unlabel_folded_solutions)
    app.add_js_file(None, body=NAME_SLIDER_HANDLES)
    # The widget manager's bundles load their icon font from "the folder of their AMD
    # module", which require.js derives from the module's name (@jupyter-widgets/controls,
    # @jupyter-widgets/html-manager/dist/libembed-amd, ...) unless told where names live:
    # both prefixes point at the folder holding the fonts. (A global `require` defined
    # before require.js loads is read as its configuration.)
    fonts = "_static/vendor/html-manager/dist"
    paths = {"@jupyter-widgets/html-manager/dist": fonts, "@jupyter-widgets": fonts}
    app.add_js_file(None, priority=100, body=f"var require = {{paths: {json.dumps(paths)}}};")
