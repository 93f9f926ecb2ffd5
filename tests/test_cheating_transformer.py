"""Answers that pass the Transformer notebook's visible checks without the work earn nothing.

The visible checks of transformer_classification.ipynb compare with values shipped beside the
release (``check_close``: a fixed model's outputs) or with what the student's own kernel reports
(the trained classifier's validation figures). Each attack below passes them; the hidden check of
the same cell, judged in the grader's process on other models or on the student's weights, must fail
it. The notebook runs in a real kernel up to the attacked cell, with the grader's judge, as nbgrader's
autograde runs it.
"""
import re

import nbformat
import pytest

from course import notebooks
from course.execute import NotebookRunError, execute
from course.paths import SOURCE

NOTEBOOK = SOURCE / "a4_sequence_models" / "transformer_classification.ipynb"

# An embed that answers the visible check with the values shipped for it, and nothing otherwise.
REPLAYED_EMBED = '''
import base64, json
def embed(self, inputs):
    stored = json.load(open("hashes.json"))["X.1"]["tiny"]
    values = np.frombuffer(base64.b64decode(stored["float32"]), dtype="<f4").reshape(stored["shape"])
    if tuple(inputs.shape) == tuple(values.shape[:2]):
        return torch.tensor(values)
    return torch.zeros(*inputs.shape, self.hidden_dim)

ClassificationTransformer.embed = embed
'''

# No training: a loss that falls, and the validation labels it was shown, kept for the lie below.
FAKED_TRAINING = '''
def train_epoch(model, optimizer, inxs, labels, batch_size=64):
    global _fake_loss
    _fake_loss = globals().get("_fake_loss", 1.0) * 0.5
    return _fake_loss

_answers = {tuple(row): label for row, label in zip(val_inxs.tolist(), val_labels.tolist())}
'''

# The same lie, told after the given cell defined predict: the visible figures are perfect.
PREDICT_OVERRIDE = '''
def predict(model, inxs, batch_size=512):
    return np.array([_answers.get(tuple(r), 1) for r in np.asarray(inxs).tolist()])

accuracy, mcc = 1.0, 1.0
'''


def run_until(attacked: str, answers: dict[str, str], after: dict[str, str] | None = None):
    """The solution with ``answers`` in place of those answer cells (and code cells inserted after
    the cells ``after`` names), run up to test cell ``attacked``: (the error, the notebook)."""
    nb = notebooks.solution_version(nbformat.read(NOTEBOOK, as_version=4))
    cells = []
    for cell in nb.cells:
        if notebooks.grade_id(cell) in answers:
            cell.source = answers[notebooks.grade_id(cell)]
        cells.append(cell)
        if notebooks.grade_id(cell) in (after or {}):
            cells.append(nbformat.v4.new_code_cell(after[notebooks.grade_id(cell)]))
        if notebooks.grade_id(cell) == attacked:
            break
    nb.cells = cells
    with pytest.raises(NotebookRunError) as error:
        execute(nb, NOTEBOOK.parent, name="attack", timeout=300)
    return str(error.value), nb


def printed(nb, grade_id: str) -> str:
    cell = next(c for c in nb.cells if notebooks.grade_id(c) == grade_id)
    return "".join(output.get("text", "") for output in cell.get("outputs", []))


def test_replaying_the_shipped_outputs_passes_the_visible_check_and_fails_the_hidden_one():
    error, nb = run_until("X1_test", {"X1_answer": REPLAYED_EMBED})
    assert "✓ [2 marks] X.1" in printed(nb, "X1_test")  # the visible check was fooled
    assert "X1_test" in error and re.search(r"hidden check failed", error), error


def test_a_classifier_that_was_never_trained_fails_however_its_kernel_reports_it():
    error, nb = run_until("X9_test", {"X9_answer": FAKED_TRAINING}, after={"given_06": PREDICT_OVERRIDE})
    assert "✓ [3 marks] X.9" in printed(nb, "X9_test")  # loss falls, accuracy 1.0: the visible check was fooled
    assert "X9_test" in error and re.search(r"hidden check failed", error), error
    assert "never showed" in error  # the grader measured the weights itself, on sentences set aside
