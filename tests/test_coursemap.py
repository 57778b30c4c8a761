import nbformat
from nbformat.v4 import new_markdown_cell, new_notebook

from course_utils.coursemap import course_map_markdown, read_course_map

from notebook_runner import NOTEBOOKS


def write(path, text):
    nb = new_notebook()
    nb.cells = [new_markdown_cell(text)]
    nbformat.write(nb, path)


def test_reads_titles_and_goals_in_order(tmp_path):
    write(tmp_path / "01_b.ipynb", "# 01 · Second\n\n**You will learn**\n- one\n- two\n\nafter")
    write(tmp_path / "00_a.ipynb", "# 00 · First\nYou will learn\n* alpha")
    write(tmp_path / "scratch.ipynb", "# not part of the course")
    entries = read_course_map(tmp_path)
    assert [e.title for e in entries] == ["00 · First", "01 · Second"]
    assert entries[1].you_will_learn == ["one", "two"]
    text = course_map_markdown(entries)
    assert "[01 · Second](01_b.ipynb)" in text and "  - alpha" in text


def test_the_real_course_map_lists_every_notebook_with_goals():
    entries = read_course_map(NOTEBOOKS)
    assert len(entries) == len(list(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")))
    for entry in entries:
        assert len(entry.you_will_learn) >= 3, entry.filename


def test_readme_course_map_is_up_to_date(tmp_path):
    from course_utils.coursemap import update_readme

    from notebook_runner import REPO

    copy = tmp_path / "README.md"
    copy.write_text((REPO / "README.md").read_text())
    assert not update_readme(copy, NOTEBOOKS), (
        "README.md's course map is stale: run `make course-map`")
