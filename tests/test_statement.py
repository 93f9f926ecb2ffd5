"""The check that hidden checks read only what the statement names (course.statement),
on a small release written here: each way a right answer lost marks in assignments 1
and 2 is caught, and the questions a statement does allow pass."""
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course.statement import statements, unseen


def answer(source, id):
    return new_code_cell(source, metadata={"nbgrader": {"grade_id": id, "solution": True, "grade": False}})


def checks(source, id):
    return new_code_cell(source, metadata={"nbgrader": {"grade_id": id, "solution": False, "grade": True, "points": 1}})


RELEASE = new_notebook(cells=[
    new_code_cell("from helpers.models import OneHotMLP\nimport torch"),
    new_markdown_cell("Write `one_hot_matrix(reviews, vocab, tokenizer)`: one row per review."),
    answer("def one_hot_matrix(reviews, vocab, tokenizer):\n    # YOUR CODE HERE\n    raise NotImplementedError()", "A1"),
    checks("with marks(1, 'A.1'):\n    assert one_hot_matrix([], [], str.split).shape[0] == 0", "A1_test"),
    new_markdown_cell("Train a small model until it overfits, and store its perplexities in `train_ppl`."),
    answer("# YOUR CODE HERE\nraise NotImplementedError()", "A2"),
    checks("with marks(1, 'A.2'):\n    assert len(train_ppl) > 0", "A2_test"),
    new_markdown_cell("Complete `Decoder(vocab_size, hidden)`; its `forward(token, state)` returns logits, "
                      "as `attend(x, x, x)` would."),  # a call in prose: its repeated x is no signature
    answer("class Decoder(torch.nn.Module):\n    def __init__(self, vocab_size, hidden):\n"
           "        super().__init__()\n        # YOUR CODE HERE\n        raise NotImplementedError()", "A3"),
    checks("with marks(1, 'A.3'):\n    decoder = Decoder(10, 4)", "A3_test"),
])


@pytest.fixture(scope="module")
def known():
    return statements(nbformat.from_dict(RELEASE))


@pytest.mark.parametrize("grade, code, inputs", [
    ("A1_test", "one_hot_matrix(sample, v, whitespace_split)", ["sample", "v", "whitespace_split"]),
    ("A1_test", "[float(x) for x in one_hot_matrix(sample, v, str.split).sum(1)]", ["sample", "v"]),
    ("A2_test", "[float(p) for p in train_ppl]", []),
    ("A3_test", "import torch\nd = Decoder(7, 3)\nd(torch.zeros(2, dtype=torch.long), None).shape", []),
    ("A3_test", "OneHotMLP(5).fc1.weight.shape", []),  # given code: its attributes are the course's
])
def test_questions_the_statement_allows_pass(known, grade, code, inputs):
    assert unseen(code, inputs, known[grade]) == []


@pytest.mark.parametrize("grade, code, inputs, problem", [
    # A1 II.2c: the statement gives three arguments and no default
    ("A1_test", "one_hot_matrix(sample, v)", ["sample", "v"], "does not fit the statement's"),
    ("A1_test", "one_hot_matrix(sample, v, tokenizer=str.split)", ["sample", "v"], "by name"),
    # A1 VI.4: a model the statement never names
    ("A2_test", "overfit_model.fc1.weight", [], "`overfit_model`, a name the statement never gives"),
    # A2 S.18: attributes the statement never names
    ("A3_test", "Decoder(7, 3).embedding.weight.shape", [], "`.embedding`"),
    ("A2_test", "predict(x)", ["x"], "whose signature the statement never gives"),
    ("A1_test", "train_ppl", [], "never gives"),  # named only after this cell
    ("A1_test", "one_hot_matrix(", [], "not Python"),
])
def test_questions_beyond_the_statement_are_caught(known, grade, code, inputs, problem):
    problems = unseen(code, inputs, known[grade])
    assert any(problem in p for p in problems), problems
