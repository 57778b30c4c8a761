"""The course website (`make site`): every notebook that exists, executed, offline.

What a reader relies on: a page per notebook with its figures as real image files, the
course map on the index, the exercises' solutions folded, a note by each widget, and
nothing loaded from the internet, neither named in the HTML nor requested by a browser.
Headless Chromium opens every page from file:// (network cut off: any http(s) request is
recorded and refused) and saves a screenshot; see the summary at the end of the report.
"""

from __future__ import annotations

import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sitebuild
from axe_check import blocking, report, run_axe
from jupyter_cache import get_cache

from course_utils.plots import alt_problem

pytestmark = pytest.mark.site

REPO = Path(__file__).resolve().parents[2]
PATHS = sitebuild.notebook_paths()
IDS = [path.stem for path in PATHS]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
REMOTE = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)
CSS_REMOTE = re.compile(r"(url\(\s*['\"]?|@import\s+['\"])\s*(https?:)?//", re.IGNORECASE)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {name: value or "" for name, value in attrs}))


def tags(page: Path) -> list[tuple[str, dict[str, str]]]:
    """Every start tag of an HTML page, as (tag, attributes)."""
    parser = _Tags()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.tags


def executed_notebook(path: Path) -> dict:
    """The executed notebook the page was rendered from (from the build's jupyter-cache)."""
    cache = json.loads(sitebuild.LAST_BUILD.read_text())["cache"]
    _, notebook = get_cache(str(Path(cache) / "jupyter")).merge_match_into_file(
        str(sitebuild.STAGE / path.name))
    return notebook


def image_outputs(notebook) -> int:
    return sum("image/png" in output.get("data", {})
               for cell in notebook.cells if cell.cell_type == "code"
               for output in cell.get("outputs", []))


def figure_alts(notebook) -> set[str]:
    """The alt text of each image output of the executed notebook (its metadata)."""
    return {output.get("metadata", {}).get("image/png", {}).get("alt", "")
            for cell in notebook.cells if cell.cell_type == "code"
            for output in cell.get("outputs", []) if "image/png" in output.get("data", {})}


def notebook_title(path: Path) -> str:
    first = json.loads(path.read_text(encoding="utf-8"))["cells"][0]
    line = next(ln for ln in "".join(first["source"]).splitlines() if ln.startswith("# "))
    return line[2:].strip()


def widget_models(page: Path) -> list[dict]:
    """The saved widget models of a page: [{"model_name": ..., "state": {...}}, ...]."""
    html = page.read_text(encoding="utf-8")
    found = re.search(rf'<script type="{re.escape(WIDGET_STATE)}">(.*?)</script>', html, re.S)
    if not found:
        return []
    state = json.loads(found.group(1))["state"]
    return [{"model_name": model["model_name"], "state": model["state"]}
            for model in state.values()]


# ---------------------------------------------------------------- the built files


def test_the_site_has_a_notebook_to_show():
    assert PATHS, "no notebooks/NN_*.ipynb found: the site would be an empty index"


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_every_notebook_has_a_page_with_its_title(built_site, path):
    page = built_site / f"{path.stem}.html"
    assert page.is_file(), f"{path.name} has no page in {built_site}"
    title = re.search(r"<title>(.*?)</title>", page.read_text(encoding="utf-8"), re.S).group(1)
    assert title.startswith(notebook_title(path)), f"{page.name}: title is {title!r}"


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_every_figure_is_an_image_file_on_the_page(built_site, path):
    notebook = executed_notebook(path)
    expected = image_outputs(notebook)
    if "show_figure(" in json.dumps([c.source for c in notebook.cells]):
        assert expected > 0, f"{path.name} calls show_figure but its executed copy has no image"
    page = built_site / f"{path.stem}.html"
    sources = [attrs.get("src", "") for tag, attrs in tags(page) if tag == "img"]
    outputs = [src for src in sources if src.startswith("_images/")]
    assert len(outputs) >= expected, (
        f"{page.name} shows {len(outputs)} images, the executed notebook has {expected}")
    for src in outputs:
        image = built_site / src
        assert image.is_file(), f"{page.name}: <img src={src!r}> has no file"
        assert image.read_bytes()[:8] == PNG_SIGNATURE, f"{src} is not a PNG"


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_every_figure_on_the_page_has_its_description_as_alt(built_site, path):
    """A screen reader reads the figure's description, not its file name (a hash)."""
    described = figure_alts(executed_notebook(path))
    page = built_site / f"{path.stem}.html"
    figures = [attrs for tag, attrs in tags(page)
               if tag == "img" and attrs.get("src", "").startswith("_images/")]
    bad = [f"{attrs['src']}: alt={attrs.get('alt')!r} ({alt_problem(attrs.get('alt'))})"
           for attrs in figures if alt_problem(attrs.get("alt"))]
    assert not bad, f"{page.name}: figures without a description:\n  " + "\n  ".join(bad)
    strangers = [attrs["alt"] for attrs in figures if attrs["alt"] not in described]
    assert not strangers, f"{page.name}: alt texts not from the notebook's figures: {strangers}"


def test_the_index_holds_the_course_map_and_links_every_page(built_site):
    index = built_site / "index.html"
    html = index.read_text(encoding="utf-8")
    links = {attrs.get("href", "").split("#")[0] for tag, attrs in tags(index) if tag == "a"}
    for path in PATHS:
        assert f"{path.stem}.html" in links, f"the index does not link {path.stem}.html"
        assert notebook_title(path).split("·")[-1].strip() in html, (
            f"the course map on the index lacks {path.name}'s title")


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_each_solution_is_folded_and_each_widget_has_a_note(built_site, path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    solutions = sum(sitebuild.SOLUTION_MARK in "".join(cell["source"])
                    for cell in notebook["cells"] if cell["cell_type"] == "code")
    html = (built_site / f"{path.stem}.html").read_text(encoding="utf-8")
    assert html.count("Show the solution") == solutions, (
        f"{path.name} has {solutions} solution cells, the page folds "
        f"{html.count('Show the solution')}")
    views = html.count(f'<script type="{WIDGET_VIEW}">')
    notes = html.count("moving it needs a running Python kernel")
    assert notes == views, f"{path.name}: {views} widgets but {notes} notes next to them"
    if views:
        assert f'href="_sources/{path.name}"' in html
        assert (built_site / "_sources" / path.name).is_file()


def test_no_page_names_a_remote_script_stylesheet_or_font(built_site):
    offenders = []
    for page in sorted(built_site.rglob("*.html")):
        for tag, attrs in tags(page):
            if tag == "a":
                continue    # links a reader may follow are fine; assets are not
            for name, value in attrs.items():
                if name in {"src", "href", "data", "srcset", "poster"} or name.startswith(
                        "data-jupyter-widgets"):
                    if REMOTE.match(value):
                        offenders.append(f"{page.name}: <{tag} {name}={value!r}>")
    for css in sorted(built_site.rglob("*.css")):
        text = re.sub(r"/\*.*?\*/", "", css.read_text(encoding="utf-8", errors="replace"),
                      flags=re.S)
        offenders += [f"{css.relative_to(built_site)}: {m.group(0)}"
                      for m in CSS_REMOTE.finditer(text)]
    assert not offenders, "the site names remote assets:\n" + "\n".join(offenders[:20])


def test_the_vendored_javascript_comes_with_its_licenses(built_site):
    vendor = built_site / "_static" / "vendor"
    for folder in ("requirejs", "html-manager", "mathjax"):
        notice = (vendor / folder / "VENDORED.txt").read_text(encoding="utf-8")
        assert "license" in notice
    assert (vendor / "mathjax" / "LICENSE").is_file()
    assert (vendor / "html-manager" / "dist" / "embed.js.LICENSE.txt").is_file()
    assert "@license RequireJS" in (vendor / "requirejs" / "require.js").read_text()


# ---------------------------------------------------------------- in the browser


@pytest.fixture
def open_page(built_site, chromium):
    """open_page("00_start_here") -> (page, remote_requests, failures), offline."""
    contexts = []

    def open_(name: str):
        context = chromium.browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        remote: list[str] = []
        failures: list[str] = []

        def only_local(route):
            if route.request.url.startswith("file:"):
                route.continue_()
            else:
                remote.append(route.request.url)
                route.abort()

        context.route("**/*", only_local)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.on("pageerror", lambda error: failures.append(f"script error: {error}"))
        page.on("requestfailed", lambda request: failures.append(f"missing: {request.url}"))
        page.goto((built_site / f"{name}.html").as_uri(), wait_until="load")
        return page, remote, failures

    yield open_
    for context in contexts:
        context.close()


def wait_for_widgets_and_math(page) -> None:
    views = page.locator(f'script[type="{WIDGET_VIEW}"]').count()
    if views:
        # The manager draws each view next to its script tag, in a .widget-subarea.
        page.wait_for_function(
            f"document.querySelectorAll('.widget-subarea .jupyter-widgets').length > 0 && "
            f"document.querySelectorAll('.widget-subarea').length >= {views}")
    if page.locator(".math").count():
        page.wait_for_function("document.querySelectorAll('mjx-container').length > 0")
    page.wait_for_function(
        "Array.from(document.images).every(img => img.complete)")


@pytest.mark.parametrize("name", ["index", *IDS])
def test_each_page_in_chromium_offline(built_site, open_page, screenshot, name):
    page, remote, failures = open_page(name)
    wait_for_widgets_and_math(page)
    shot = screenshot(page, name, full_page=True)
    where = f"(screenshot: {shot})"
    broken = page.evaluate(
        "Array.from(document.images).filter(i => !i.naturalWidth).map(i => i.src)")
    assert not broken, f"{name}: images that did not load {broken} {where}"
    assert not remote, f"{name}: the page asked the internet for {remote} {where}"
    assert not failures, f"{name}: {failures} {where}"
    models = widget_models(built_site / f"{name}.html")
    sliders = [m for m in models if m["model_name"].endswith("SliderModel")]
    if sliders:
        readouts = page.locator(".widget-slider .widget-readout").all_inner_texts()
        assert len(readouts) >= len(sliders) and all(readouts), (
            f"{name}: {len(sliders)} sliders saved, readouts drawn: {readouts} {where}")
        int_values = {str(m["state"]["value"]) for m in sliders
                      if m["model_name"] == "IntSliderModel"}
        assert int_values <= set(readouts), (
            f"{name}: sliders read {readouts}, saved values include {int_values} {where}")
    for model in models:
        if model["model_name"] == "LabelModel" and model["state"].get("value"):
            assert page.get_by_text(model["state"]["value"]).count() > 0, (
                f"{name}: the label {model['state']['value']!r} is not shown {where}")
    if any(output_has_image(m) for m in models):
        sizes = page.evaluate(
            "Array.from(document.querySelectorAll('.widget-output img, .widget-html img'))"
            ".map(i => i.naturalWidth)")
        assert sizes and all(sizes), (
            f"{name}: a widget saved a picture but the page draws none {where}")
    if models:
        widget = page.locator(".widget-subarea").first
        widget.scroll_into_view_if_needed()
        screenshot(widget, f"{name}-widget")


def test_a_frozen_widget_greys_its_controls_not_its_picture(built_site, open_page):
    """Greyed are the controls, not the picture: the explorer's colours are half of what
    tells its zones apart (the hatching is the other half)."""
    pages = [name for name in frozen_pages(built_site) if any(
        output_has_image(m) for m in widget_models(built_site / f"{name}.html"))]
    if not pages:
        pytest.skip("no page saves a widget with a picture")
    page, _, _ = open_page(pages[0])
    wait_for_widgets_and_math(page)
    filters = page.evaluate("""Array.from(document.querySelectorAll('.widget-html img'))
        .map(img => { const found = [];
            for (let e = img; e; e = e.parentElement) {
                const f = getComputedStyle(e).filter;
                if (f && f !== 'none') found.push(f); }
            return found.join(' '); })""")
    assert filters and not any(filters), f"{pages[0]}: the saved picture is filtered: {filters}"
    slider = page.locator(".widget-slider").first
    assert "grayscale" in slider.evaluate("e => getComputedStyle(e).filter"), (
        f"{pages[0]}: the frozen slider is not greyed")


def test_search_finds_pages_offline(built_site, open_page, screenshot):
    """Sphinx's search runs in the page from its own index: no server, no network.

    (From file:// the browser refuses the fetch of each hit's page for its snippet, so
    only those local fetches may fail; served over http they succeed.)
    """
    word = "Sequential" if any("sequential" in p.name for p in PATHS) else "course"
    page, remote, failures = open_page("search")
    page.goto(page.url + f"?q={word}")
    page.wait_for_function("document.querySelectorAll('#search-results li').length > 0")
    hits = page.locator("#search-results li a").all_inner_texts()
    screenshot(page, "search")
    assert hits, f"searching {word!r} found nothing"
    assert not remote, f"the search asked the internet for {remote}"
    assert all(f.startswith(("missing: file:", "script error: Failed to fetch"))
               for f in failures), failures


def output_has_image(model: dict) -> bool:
    """A saved plot: a PNG in an Output widget, or (the explorer draws SVG for speed) an
    HTML widget holding an <img> with a data URI and a non-empty alt text."""
    if model["model_name"] == "OutputModel":
        return any("image/png" in output.get("data", {})
                   for output in model["state"].get("outputs", []))
    value = str(model["state"].get("value", "")) if model["model_name"] == "HTMLModel" else ""
    return "<img" in value and 'src="data:image/' in value and re.search(r'alt="[^"]+"', value)


def test_the_explorer_page_shows_its_slider_and_plot_from_saved_state(built_site):
    explorers = [path for path in PATHS if path.name.startswith("07_")]
    if not explorers:
        pytest.skip("notebook 07 (the learning-rate explorer) is not in notebooks/ yet")
    models = widget_models(built_site / f"{explorers[0].stem}.html")
    names = {model["model_name"] for model in models}
    assert names & {"FloatSliderModel", "FloatLogSliderModel", "IntSliderModel",
                    "SelectionSliderModel"}, f"no slider saved on the explorer page: {names}"
    assert any(output_has_image(model) for model in models), (
        "the explorer page saved no plot (an Output widget's image or an HTML widget's <img>)")


def frozen_pages(built_site: Path) -> list[str]:
    """The pages with a saved widget that has controls (a `disabled` property)."""
    return [name for name in IDS if any("disabled" in m["state"]
                                        for m in widget_models(built_site / f"{name}.html"))]


def test_saved_widgets_are_disabled_and_marked_frozen(built_site):
    """A widget on the site cannot move (no kernel computes its readout or plot), so it is
    saved disabled, and its cell carries the class that greys it (site/static/course.css)."""
    pages = frozen_pages(built_site)
    if not pages:
        pytest.skip("no page saves a widget with controls")
    for name in pages:
        html = (built_site / f"{name}.html").read_text(encoding="utf-8")
        live = [m["model_name"] for m in widget_models(built_site / f"{name}.html")
                if m["state"].get("disabled") is False]
        assert not live, f"{name}: widgets saved live on the site: {live}"
        views = html.count(f'<script type="{WIDGET_VIEW}">')
        assert html.count("course-frozen-widget") >= views, f"{name}: a widget cell not frozen"
    assert (built_site / "_static" / "course.css").is_file()


def test_a_frozen_slider_does_not_move_in_chromium(built_site, open_page, screenshot):
    pages = [name for name in frozen_pages(built_site) if any(
        m["model_name"].endswith("SliderModel")
        for m in widget_models(built_site / f"{name}.html"))]
    if not pages:
        pytest.skip("no page saves a slider")
    page, _, _ = open_page(pages[0])
    wait_for_widgets_and_math(page)
    slider = page.locator(".widget-slider").first
    slider.scroll_into_view_if_needed()
    readout = slider.locator(".widget-readout")
    before = readout.inner_text()
    slider.locator(".noUi-handle").focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.wait_for_timeout(500)
    shot = screenshot(slider.locator("xpath=ancestor::div[contains(@class,'cell')][1]"),
                      f"{pages[0]}-frozen-widget")
    assert readout.inner_text() == before, f"{pages[0]}: the frozen slider moved ({shot})"
    subarea = page.locator(".widget-subarea").first
    assert subarea.evaluate("e => getComputedStyle(e).pointerEvents") == "none"


def test_the_environment_report_shows_no_build_paths(built_site):
    starts = [name for name in IDS if name.startswith("00_")]
    if not starts:
        pytest.skip("no notebook 00")
    html = (built_site / f"{starts[0]}.html").read_text(encoding="utf-8")
    assert "not shown on the website" in html
    assert sys.prefix not in html and str(REPO) not in html, "the page names a build path"


@pytest.mark.parametrize("name", ["index", *IDS, "search"])
def test_each_page_has_no_serious_or_critical_accessibility_violation(open_page, name):
    """axe-core (WCAG 2.1 A and AA rules) on each page once its widgets and math are drawn.

    Serious and critical violations fail; moderate and minor ones are printed (run with
    -s, or see the captured output of a failure).
    """
    page, _, _ = open_page(name)
    wait_for_widgets_and_math(page)
    found = run_axe(page)
    print(report(name, found))
    assert not blocking(found), report(name, blocking(found))
