"""Answers without the work earn nothing from the Transformer notebook's checks, though all but one
pass the visible check, and a right answer the visible checks did not foresee earns its marks.

The visible checks of transformer_classification.ipynb compare with values shipped beside the
release (``check_close``: a fixed model's outputs) or with what the student's own kernel reports
(the trained classifier's validation figures). Each attack below passes them; the hidden check of
the same cell, judged in the grader's process on other models, or on the student's weights and
``train_epoch`` run on the grader's sentences, must fail it. Most were found by a red team told to
break this grader. The notebook runs in a real kernel up to the attacked cell, with the grader's
judge, as nbgrader's autograde runs it (the sandbox is tested on the probe assignment).
"""
import re

import nbformat
import pytest

from course import notebooks
from course.execute import NotebookRunError, execute
from course.paths import SOURCE

NOTEBOOK = SOURCE / "a4_sequence_models" / "transformer_classification.ipynb"

# X.1: an embed that answers the visible check with the values shipped for it, and nothing otherwise.
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

# X.1: every position up to max_length added: right only for sentences of that length.
EMBED_OF_MAX_LENGTH = '''
def embed(self, inputs):
    return self.embedding_voc(inputs) + self.embedding_pos.weight  # (N, T, H) + (max_length, H)

ClassificationTransformer.embed = embed
'''

# X.3: a MultiheadAttention that never holds the model's weights: its forward borrows the model's.
BORROWED_MULTIHEAD = '''
def to_multihead(model):
    class Borrowed(nn.MultiheadAttention):
        def forward(self, query, key, value, key_padding_mask=None, need_weights=True, **kwargs):
            seen = {}
            hook = model.norm_mh.register_forward_pre_hook(lambda module, args: seen.setdefault("sum", args[0]))
            model.multi_head_attention(query, key_padding_mask)
            hook.remove()
            return seen["sum"] - query, None
    return Borrowed(model.hidden_dim, 2, batch_first=True)
'''

# X.7: a forward that does nothing cannot depend on the padding (the visible check, too, asks that
# forward agree with the four methods on a sentence without pads).
CONSTANT_FORWARD = '''
def forward(self, inputs):
    return torch.full((inputs.shape[0], 1), 0.5)

ClassificationTransformer.forward = forward
'''

# X.8: a right MCC in float32 (torch's default), about 1e-7 from the float64 one.
FLOAT32_MATTHEWS = '''
def matthews(predictions, labels):
    p = torch.as_tensor(np.asarray(predictions)).float()
    y = torch.as_tensor(np.asarray(labels)).float()
    tp, tn = (p * y).sum(), ((1 - p) * (1 - y)).sum()
    fp, fn = (p * (1 - y)).sum(), ((1 - p) * y).sum()
    denominator = torch.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    return float((tp * tn - fp * fn) / denominator) if denominator > 0 else 0.0
'''

# X.9: no training: a loss that falls, and the validation labels it was shown, for the lie below.
FAKED_TRAINING = '''
def train_epoch(model, optimizer, inxs, labels, batch_size=64):
    global _fake_loss
    _fake_loss = globals().get("_fake_loss", 1.0) * 0.5
    return _fake_loss

_answers = {tuple(row): label for row, label in zip(val_inxs.tolist(), val_labels.tolist())}
'''
# ... told after the given cell that defined predict: the visible figures are perfect.
PREDICT_OVERRIDE = '''
def predict(model, inxs, batch_size=512):
    return np.array([_answers.get(tuple(r), 1) for r in np.asarray(inxs).tolist()])

accuracy, mcc = 1.0, 1.0
'''

# X.9: a train_epoch that trains, in order, and returns the sum of its batches' losses, not the mean.
SUMMED_LOSSES = '''
def train_epoch(model, optimizer, inxs, labels, batch_size=64):
    inxs, labels = torch.as_tensor(inxs), torch.as_tensor(labels, dtype=torch.float32)
    total = 0.0
    for batch in torch.arange(len(inxs)).split(batch_size):
        loss = nn.functional.binary_cross_entropy(model(inxs[batch]).view(-1), labels[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item()
    return total
'''


def run(attacked: str, answers: dict[str, str], after: dict[str, str] | None = None):
    """The solution with ``answers`` in place of those answer cells (and code cells inserted after
    the cells ``after`` names), run up to test cell ``attacked``: (the error or None, the notebook)."""
    nb = notebooks.solution_version(nbformat.read(NOTEBOOK, as_version=4))
    cells = []
    for cell in nb.cells:
        if notebooks.grade_id(cell) in ("given_04", "X7_test") and attacked in ("X8_test", "X9_test"):
            continue  # the padding figures: not what these attacks need
        if notebooks.grade_id(cell) in answers:
            cell.source = answers[notebooks.grade_id(cell)]
        cells.append(cell)
        if notebooks.grade_id(cell) in (after or {}):
            cells.append(nbformat.v4.new_code_cell(after[notebooks.grade_id(cell)]))
        if notebooks.grade_id(cell) == attacked:
            break
    nb.cells = cells
    try:
        execute(nb, NOTEBOOK.parent, name="attack", timeout=300)
    except NotebookRunError as error:
        return str(error), nb
    return None, nb


def printed(nb, grade_id: str) -> str:
    cell = next(c for c in nb.cells if notebooks.grade_id(c) == grade_id)
    return "".join(output.get("text", "") for output in cell.get("outputs", []))


@pytest.mark.parametrize("cell, answers, after", [
    ("X1_test", {"X1_answer": REPLAYED_EMBED}, None),
    ("X1_test", {"X1_answer": EMBED_OF_MAX_LENGTH}, None),
    ("X3_test", {"X3_answer": BORROWED_MULTIHEAD}, None),
    ("X7_test", {}, {"X6_test": CONSTANT_FORWARD}),
    ("X9_test", {"X9_answer": FAKED_TRAINING}, {"given_06": PREDICT_OVERRIDE}),
    ("X9_test", {"X9_answer": SUMMED_LOSSES}, None),
], ids=["replayed outputs", "positions of max_length", "borrowed attention", "constant forward",
        "faked training", "summed losses"])
def test_an_answer_without_the_work_earns_nothing(cell, answers, after):
    error, nb = run(cell, answers, after)
    assert error and cell in error, f"{cell} passed: {printed(nb, cell)!r}"  # the cell failed: no marks
    if re.search(r"✓ \[\d+ marks\] X\.\d", printed(nb, cell)):  # the visible check was fooled
        assert "HiddenCheckFailed" in error, error  # and the hidden one was not
    else:
        assert cell == "X7_test", f"the visible check of {cell} was not fooled: {printed(nb, cell)!r}"


def test_a_right_answer_in_float32_earns_the_mcc_marks():
    error, nb = run("X8_test", {"X8_answer": FLOAT32_MATTHEWS})
    assert error is None and "✓ [2 marks] X.8" in printed(nb, "X8_test"), error
