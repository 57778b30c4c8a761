import pytest

from course_utils.checks import NOT_DONE, PASSED, WRONG, check_count_inputs


def unfinished(n_examples, n_features):
    raise NotImplementedError()


@pytest.mark.parametrize("answer, status, words", [
    (lambda n, d: n * d, PASSED, "64,000"),
    (unfinished, NOT_DONE, "not written yet"),
    (lambda n, d: n + d, WRONG, "you added the sizes"),
    (lambda n, d: (n, d), WRONG, "returned the shape"),
    (lambda n, d: None, WRONG, "forget `return`"),
    (lambda n, d: 64_000, WRONG, "count_inputs(3, 5) returned"),  # hard-coded answer
    (None, WRONG, "is None"),
])
def test_count_inputs_diagnoses(answer, status, words, capsys):
    result = check_count_inputs(answer)
    assert result.status == status and words in result.message
