import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course_utils.release import (
    SolutionMarkerError,
    main,
    strip_solutions,
    student_notebook,
    write_student_copies,
)

SOURCE = """def relu_backward(grad, h):
    \"\"\"Docstring stays.\"\"\"
    ### BEGIN SOLUTION
    mask = h > 0
    return grad * mask
    ### END SOLUTION"""


def test_region_replaced_with_indentation_kept():
    assert strip_solutions(SOURCE) == (
        'def relu_backward(grad, h):\n    """Docstring stays."""\n'
        "    # YOUR CODE HERE\n    raise NotImplementedError()")


def test_top_level_region_and_text_around_it():
    source = "a = 1\n### BEGIN SOLUTION\nb = 2\n### END SOLUTION\nprint(a)"
    expected = "a = 1\n# YOUR CODE HERE\nraise NotImplementedError()\nprint(a)"
    assert strip_solutions(source) == expected


def test_two_regions_in_one_cell():
    source = SOURCE + "\n\n" + SOURCE.replace("relu_backward", "other")
    assert strip_solutions(source).count("raise NotImplementedError()") == 2


@pytest.mark.parametrize("source", [
    "### BEGIN SOLUTION\nx = 1",
    "x = 1\n### END SOLUTION",
    "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION",
])
def test_unbalanced_markers_are_refused(source):
    with pytest.raises(SolutionMarkerError):
        strip_solutions(source)


def make_notebook():
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                               "language": "python"}})
    nb.cells = [new_markdown_cell("# 01 · Title\n### BEGIN SOLUTION is text here"),
                new_code_cell(SOURCE), new_code_cell("check_relu_backward(relu_backward)")]
    return nb


def test_nothing_else_changes():
    nb = make_notebook()
    copy, regions = student_notebook(nb)
    assert regions == 1
    assert copy.cells[0] == nb.cells[0]  # markdown untouched, even with a marker in its text
    assert copy.cells[2] == nb.cells[2]
    assert copy.cells[1].id == nb.cells[1].id and copy.metadata == nb.metadata
    assert "mask" not in copy.cells[1].source
    assert "mask" in nb.cells[1].source  # the original is not modified


def test_cli_writes_refuses_then_forces(tmp_path, capsys):
    source, out = tmp_path / "src", tmp_path / "out"
    source.mkdir()
    nbformat.write(make_notebook(), source / "01_demo.ipynb")
    (source / "notes.ipynb").write_text("{}")  # not a course notebook: ignored
    assert main([str(out), "--source", str(source)]) == 0
    said = capsys.readouterr().out
    assert "01_demo.ipynb (1 solution region replaced)" in said
    assert not (out / "notes.ipynb").exists()
    written = json.loads((out / "01_demo.ipynb").read_text())
    assert "raise NotImplementedError()" in "".join(written["cells"][1]["source"])

    assert main([str(out), "--source", str(source)]) == 1
    assert "--force" in capsys.readouterr().err
    assert main([str(out), "--source", str(source), "--force"]) == 0


def test_refusal_writes_nothing(tmp_path):
    source, out = tmp_path / "src", tmp_path / "out"
    source.mkdir()
    out.mkdir()
    for name in ("01_a.ipynb", "02_b.ipynb"):
        nbformat.write(make_notebook(), source / name)
    (out / "02_b.ipynb").write_text("mine")
    with pytest.raises(FileExistsError):
        write_student_copies(source, out)
    assert not (out / "01_a.ipynb").exists()
    assert (out / "02_b.ipynb").read_text() == "mine"
