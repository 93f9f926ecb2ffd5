"""What the hidden checks of theory.ipynb (assignment 4) share: the references and random cases.

Runs in the grader's process (``course.judge``), never in the student's kernel;
``tests/test_lessons_a4_theory.py`` uses the same references.

1. Parity with a one-unit RNN: y_t = act(W[0] y_{t-1} + W[1] x_t + b), y_0 = 0,
   read as 1 when y_t > 1/2. The activation is the student's code, so the
   grader computes every pre-activation itself and asks the kernel only for
   act's values, one step at a time (``run_rnn``).
2. Parity with an LSTM: the standard equations, with real sigmoid and tanh
   (or, ``ideal=True``, a step for the sigmoid and the sign for tanh), every
   gate reading [h_{t-1}, x_t]; C_0 = h_0 = 0; read as 1 when h_t > 1/2.
   Weights: {gate: ([w_h, w_x], b)} for the gates forget, input, output,
   candidate.
3. Beam search on a bigram table P[prev, next] (token 0 is <eos>; the first
   token's probabilities are row 0), with the stopping rule and length
   normalisation log p / length^alpha.
4. The gradient dh_t/dh_0 = (W^T)^t of h_t = W^T h_{t-1}, and its spectral norm.
"""
from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from course.judge import close

__all__ = ["all_bit_strings", "parity", "fixed_long_strings", "rnn_outputs", "RNN_LENGTH", "rnn_cases", "rnn_problem",
           "GATES", "SEED_LSTM", "SOLUTION_LSTM", "sigmoid", "run_lstm", "count_wrong", "parse_lstm_weights",
           "lstm_cases", "lstm_problem", "lstm_count_cases", "count_problem", "random_table", "beam_search",
           "beam_cases", "beam_problem", "TRAP", "trap_problem", "matrix_with_eigenvalues", "jacobian",
           "gradient_norms", "random_matrices"]


# ---------------------------------------------------------------- bit strings
def all_bit_strings(length: int) -> np.ndarray:
    """Every string of `length` bits, one a row: int array [2^length, length], in binary counting order."""
    numbers = np.arange(2 ** length)[:, None]
    return (numbers >> np.arange(length - 1, -1, -1)) & 1


def parity(bits: np.ndarray) -> np.ndarray:
    """The parity of each prefix: [N, T] bits -> [N, T] of 0 and 1 (1 when the prefix holds an odd number of 1s)."""
    return np.cumsum(np.asarray(bits), axis=1) % 2


# ---------------------------------------------------------------- 1. the vanilla RNN
RNN_LENGTH = 100  # the long random strings' length


def rnn_outputs(act: Callable[[list[float]], list], W, b: float, bits: np.ndarray, lengths=None) -> np.ndarray:
    """y_1..y_T of the one-unit RNN on each row of bits [N, T], y_0 = 0: [N, T] floats.

    act takes the list of one step's pre-activations and returns act of each: in the grader, it asks the
    student's kernel, once a step. lengths [N]: each row's length (its padding is not run, and its
    outputs stay 0); None: every row is T bits.
    """
    bits = np.asarray(bits, dtype=np.float64)
    lengths = np.full(len(bits), bits.shape[1]) if lengths is None else np.asarray(lengths)
    y = np.zeros(len(bits))
    outputs = np.zeros(bits.shape)
    for t in range(bits.shape[1]):
        active = lengths > t
        z = W[0] * y[active] + W[1] * bits[active, t] + b
        values = np.asarray(act([float(v) for v in z]), dtype=np.float64).reshape(-1)
        if values.shape != z.shape:
            raise AssertionError(f"the activation should give one number for each of {len(z)} inputs")
        y[active] = values
        outputs[active, t] = values
    return outputs


def fixed_long_strings(length: int) -> np.ndarray:
    """The long strings every hidden check runs, whatever the draw: a 1 then length - 1 zeros (the state must
    hold a 1), all 1s, all 0s, and 1010...: [4, length]."""
    one_then_zeros = np.zeros(length, dtype=np.int64)
    one_then_zeros[0] = 1
    return np.stack([one_then_zeros, np.ones(length, dtype=np.int64), np.zeros(length, dtype=np.int64),
                     np.arange(length) % 2 == 0]).astype(np.int64)


def rnn_cases(rng: np.random.Generator, n_long: int = 24) -> tuple[np.ndarray, np.ndarray]:
    """(bits [4096 + 4 + n_long, RNN_LENGTH], lengths): every string of 12 bits (their prefixes are every
    string up to 12 bits, so the outputs after each bit cover them all), padded with zeros, then
    fixed_long_strings and n_long random strings of RNN_LENGTH bits, the share of 1s random per string."""
    short = np.zeros((4096, RNN_LENGTH), dtype=np.int64)
    short[:, :12] = all_bit_strings(12)
    long = (rng.random((n_long, RNN_LENGTH)) < rng.uniform(0.1, 0.9, size=(n_long, 1))).astype(np.int64)
    long = np.concatenate([fixed_long_strings(RNN_LENGTH), long])
    return np.concatenate([short, long]), np.array([12] * 4096 + [RNN_LENGTH] * len(long))


def rnn_problem(outputs: np.ndarray, bits: np.ndarray, lengths: np.ndarray) -> str | None:
    """What is wrong with the RNN's outputs [N, T] on rnn_cases' strings (None: nothing)."""
    outputs, bits, lengths = np.asarray(outputs, dtype=np.float64), np.asarray(bits), np.asarray(lengths)
    short, long = lengths == 12, lengths > 12
    if not np.all(np.isfinite(outputs)):
        return "the network's output becomes nan or inf on some strings"
    read = (outputs > 0.5).astype(np.int64)
    wrong_short = read[short, :12] != parity(bits[short, :12])
    if wrong_short.any():
        row, col = np.argwhere(wrong_short)[0]
        string = "".join(map(str, bits[short][row, :col + 1]))
        return (f"the network's output is read wrong after {int(wrong_short.sum())} of the 49,152 bits of the "
                f"4,096 strings of 12 bits, for instance at the end of {string}")
    wrong_long = (read[long] != parity(bits[long])).any(axis=1)
    if wrong_long[0]:
        return (f"the network gets every string up to 12 bits right, but after a 1 followed by {bits.shape[1] - 1} "
                f"0s its output has lost the 1: does its state drift?")
    if wrong_long.any():
        return (f"the network gets every string up to 12 bits right, but goes wrong on {int(wrong_long.sum())} of "
                f"{len(wrong_long)} long strings of {bits.shape[1]} bits (random, all 1s, all 0s, alternating): does its "
                f"state drift?")
    return None


# ---------------------------------------------------------------- 2. the LSTM
GATES = ("forget", "input", "output", "candidate")
# The seed's weights, ([w_h, w_x], b) a gate: right with step activations only.
SEED_LSTM = {"forget": ([0.0, -1.0], 1.0), "input": ([0.0, 1.0], 0.0),
             "output": ([0.0, 0.0], 1.0), "candidate": ([-1.0, 0.0], 1.0)}
# Saturating weights: f ~ 1 - x, i ~ x, o ~ 1, candidate ~ +1 when h_{t-1} < 1/2, else -1,
# so C flips between about +1 and -1 at each 1, and h = tanh(C) ~ +-0.76.
SOLUTION_LSTM = {"forget": ([0.0, -40.0], 20.0), "input": ([0.0, 40.0], -20.0),
                 "output": ([0.0, 0.0], 20.0), "candidate": ([-40.0, 0.0], 20.0)}


def sigmoid(z):
    """1 / (1 + e^-z) without overflow: 0.5 (1 + tanh(z / 2))."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=np.float64)))


def run_lstm(bits: np.ndarray, weights: dict, ideal: bool = False) -> np.ndarray:
    """h_1..h_T of the one-unit LSTM on each row of bits [N, T], C_0 = h_0 = 0: [N, T] floats.

    ideal: a step (1 for z > 0, else 0) in place of the sigmoid and the sign in place of tanh.
    """
    gate, squash = (lambda z: (z > 0).astype(np.float64), np.sign) if ideal else (sigmoid, np.tanh)
    bits = np.asarray(bits, dtype=np.float64)
    h, c = np.zeros(len(bits)), np.zeros(len(bits))
    hs = []
    for t in range(bits.shape[1]):
        z = {g: w[0] * h + w[1] * bits[:, t] + b for g, (w, b) in weights.items()}
        f, i, o = gate(z["forget"]), gate(z["input"]), gate(z["output"])
        c = f * c + i * squash(z["candidate"])
        h = o * squash(c)
        hs.append(h)
    return np.stack(hs, axis=1)


def count_wrong(weights: dict, ideal: bool = False, max_len: int = 12) -> int:
    """How many outputs are read wrong (h_t > 1/2 against the parity) over every string of 1 to max_len bits,
    counting the output after each bit of each string: sum of T 2^T outputs in all (90,114 for 12)."""
    wrong = 0
    for length in range(1, max_len + 1):
        bits = all_bit_strings(length)
        wrong += int(((run_lstm(bits, weights, ideal) > 0.5) != parity(bits)).sum())
    return wrong


def parse_lstm_weights(answer) -> dict | str:
    """The kernel's lstm weights as {gate: ([w_h, w_x], b)} of floats, or what is wrong with them."""
    if not isinstance(answer, dict) or set(answer) != set(GATES):
        return f"the weights should be a dict with the keys {', '.join(repr(g) for g in GATES)}"
    weights = {}
    for gate in GATES:
        try:
            w, b = answer[gate]
            w = np.asarray(w, dtype=np.float64).reshape(-1)
            b = np.asarray(b, dtype=np.float64).reshape(-1)
        except (TypeError, ValueError):
            return f"the {gate!r} gate should be a pair (W, b): W two numbers (for h_t-1 and x_t), b one number"
        if w.shape != (2,) or b.shape != (1,) or not (np.all(np.isfinite(w)) and np.isfinite(b[0])):
            return f"the {gate!r} gate should be a pair (W, b): W two finite numbers (for h_t-1 and x_t), b one"
        weights[gate] = ([float(w[0]), float(w[1])], float(b[0]))
    return weights


def lstm_cases(rng: np.random.Generator, n_long: int = 64, length: int = 300) -> np.ndarray:
    """fixed_long_strings, then random strings of `length` bits, the share of 1s random per string (some
    with long runs of 0s): [4 + n_long, length]."""
    random = (rng.random((n_long, length)) < rng.uniform(0.02, 0.9, size=(n_long, 1))).astype(np.int64)
    return np.concatenate([fixed_long_strings(length), random])


def lstm_problem(weights: dict, long_bits: np.ndarray) -> str | None:
    """What is wrong with LSTM weights under real activations (None: nothing)."""
    wrong = count_wrong(weights)
    if wrong:
        return f"with real sigmoid and tanh, {wrong} of the 90,114 outputs on the strings up to 12 bits are read wrong"
    bad = ((run_lstm(long_bits, weights) > 0.5) != parity(long_bits)).any(axis=1)
    if bad.any():
        if bad[0]:
            return (f"every string up to 12 bits is right, but after a 1 followed by {long_bits.shape[1] - 1} 0s the "
                    f"output has lost the 1: the cell leaks (is the forget gate close enough to 1?)")
        return (f"every string up to 12 bits is right, but {int(bad.sum())} of {len(bad)} long strings of "
                f"{long_bits.shape[1]} bits go wrong: does the cell forget, or drift?")
    return None


def lstm_count_cases(rng: np.random.Generator, n: int = 8) -> list[tuple[dict, bool, int]]:
    """(weights, ideal, max_len) cases for count_wrong: random weights, scaled versions of the seed's and
    the solution's, both kinds of activation; max_len 3..10."""
    cases = []
    for k in range(n):
        if k % 4 == 0:
            scale = float(rng.uniform(0.5, 8.0))
            weights = {g: ([scale * w[0], scale * w[1]], scale * b) for g, (w, b) in SEED_LSTM.items()}
        else:
            weights = {g: ([float(v) for v in rng.normal(0, 3, size=2)], float(rng.normal(0, 2))) for g in GATES}
        cases.append((weights, bool(k % 2), int(rng.integers(3, 11))))
    return cases


def count_problem(answers, cases) -> str | None:
    """What is wrong with count_wrong's answers on lstm_count_cases (None: nothing)."""
    if not isinstance(answers, list) or len(answers) != len(cases):
        return "count_wrong should answer each case with one number"
    for got, (weights, ideal, max_len) in zip(answers, cases):
        want = count_wrong(weights, ideal, max_len)
        try:
            got = float(np.asarray(got, dtype=np.float64).reshape(-1)[0]) if np.size(got) == 1 else None
        except (TypeError, ValueError):
            got = None
        if got is None:
            return "count_wrong should return one number (a count)"
        if got != want:
            kind = "step and sign" if ideal else "real sigmoid and tanh"
            return (f"count_wrong gives a wrong count for random weights with {kind} activations and "
                    f"max_len={max_len}: count every output of every string of 1 to max_len bits")
    return None


# ---------------------------------------------------------------- 3. beam search
def random_table(rng: np.random.Generator, vocab: int) -> np.ndarray:
    """A random bigram table [vocab, vocab]: rows sum to 1, every entry above 0.01, <eos> (token 0) somewhat rare."""
    logits = rng.normal(0.0, 1.5, size=(vocab, vocab))
    logits[:, 0] -= 1.0
    table = np.exp(logits)
    table /= table.sum(axis=1, keepdims=True)
    table = 0.01 + (1 - 0.01 * vocab) * table
    return table / table.sum(axis=1, keepdims=True)


def beam_search(P, width: int, max_len: int, alpha: float = 0.0, stop_early: bool = True):
    """The reference beam search: (best finished hypothesis as a list of tokens ending in 0, its score, steps).

    score = log p / length^alpha; the beam keeps the `width` best unfinished hypotheses (by log p);
    with stop_early, it stops after a step where the best finished score is at least every beam score.
    """
    log_P = np.log(np.asarray(P, dtype=np.float64))
    beam = [([], 0.0)]
    best, best_score, step = None, -math.inf, 0
    for step in range(1, max_len + 1):
        extensions = [(tokens + [v], log_p + log_P[tokens[-1] if tokens else 0, v])
                      for tokens, log_p in beam for v in range(log_P.shape[1])]
        for tokens, log_p in extensions:
            if tokens[-1] == 0 and log_p / step ** alpha > best_score:
                best, best_score = tokens, log_p / step ** alpha
        unfinished = [e for e in extensions if e[0][-1] != 0]
        beam = sorted(unfinished, key=lambda e: -e[1])[:width]
        if stop_early and (not beam or best_score >= max(log_p for _, log_p in beam) / step ** alpha):
            break
    return best, best_score, step


def beam_cases(rng: np.random.Generator, n: int = 40) -> list[list]:
    """[P, width, max_len, alpha, stop_early] cases: random tables of 3 to 7 tokens, widths 1 to 4, both
    rules, alpha 0 or 0.5..1."""
    cases = []
    for k in range(n):
        P = random_table(rng, int(rng.integers(3, 8)))
        alpha = 0.0 if k % 3 else float(rng.uniform(0.5, 1.0))
        cases.append([P, int(rng.integers(1, 5)), int(rng.integers(3, 13)), alpha, bool(k % 4)])
    return cases


def beam_problem(answer, case) -> str | None:
    """What is wrong with beam_search's answer on one case (None: nothing), never the expected values."""
    P, width, max_len, alpha, stop_early = case
    what = (f"a random table of {len(P)} tokens, width={width}, max_len={max_len}, alpha={alpha:.2f}, "
            f"stop_early={stop_early}")
    if not isinstance(answer, (list, tuple)) or len(answer) != 3:
        return f"beam_search should return (tokens, score, steps); on {what} it returned something else"
    tokens, score, steps = answer
    want_tokens, want_score, want_steps = beam_search(P, width, max_len, alpha, stop_early)
    try:
        tokens = [int(t) for t in np.asarray(tokens).reshape(-1)]
        score, steps = float(score), int(steps)
    except (TypeError, ValueError):
        return f"beam_search should return a list of tokens, a number and a count; on {what} it did not"
    if tokens != want_tokens:
        return f"beam_search returns the wrong hypothesis on {what}"
    if not math.isclose(score, want_score, rel_tol=1e-6, abs_tol=1e-9):
        return f"beam_search returns the right tokens but the wrong score on {what}"
    if steps != want_steps:
        rule = "the stopping rule stops too early or too late" if stop_early else "without stop_early, run every step"
        return f"beam_search takes a wrong number of steps on {what}: {rule}"
    return None


TRAP = {"width": 2, "max_len": 10, "alpha": 1.0}  # the settings of the trap exercise


def trap_problem(P) -> str | None:
    """What is wrong with a table meant to make the stopping rule fail under normalisation (None: nothing)."""
    try:
        P = np.asarray(P, dtype=np.float64)
    except (TypeError, ValueError):
        return "the table should be a square array of numbers"
    if P.ndim != 2 or P.shape[0] != P.shape[1] or not 2 <= len(P) <= 10:
        return "the table should be a square array, from 2 x 2 to 10 x 10"
    if not (np.all(np.isfinite(P)) and np.all(P > 0) and np.allclose(P.sum(axis=1), 1, rtol=0, atol=1e-6)):
        return "every entry of the table should be above 0, and every row should sum to 1"
    early = beam_search(P, TRAP["width"], TRAP["max_len"], TRAP["alpha"], stop_early=True)
    full = beam_search(P, TRAP["width"], TRAP["max_len"], TRAP["alpha"], stop_early=False)
    if early[0] == full[0] or not full[1] > early[1] + 1e-6:  # rounding alone (ties) does not count
        return ("with this table the stopping rule still returns the same hypothesis as the full search, or one "
                "that scores the same")
    return None


# ---------------------------------------------------------------- 4. exploding and vanishing gradients
def matrix_with_eigenvalues(eigenvalues, seed: int = 0) -> np.ndarray:
    """A diagonalisable matrix Q diag(eigenvalues) Q^-1, Q random (well conditioned) from the seed."""
    eigenvalues = np.asarray(eigenvalues, dtype=np.float64)
    rng = np.random.default_rng(seed)
    Q = np.eye(len(eigenvalues)) + 0.3 * rng.normal(size=(len(eigenvalues), len(eigenvalues)))
    return Q @ np.diag(eigenvalues) @ np.linalg.inv(Q)


def jacobian(W, t: int) -> np.ndarray:
    """dh_t/dh_0 of h_t = W^T h_{t-1}: (W^T)^t, [n, n], entry [i, j] = d h_t[i] / d h_0[j]."""
    return np.linalg.matrix_power(np.asarray(W, dtype=np.float64).T, int(t))


def gradient_norms(W, T: int) -> np.ndarray:
    """The spectral norm of dh_t/dh_0 for t = 0..T: [T + 1]."""
    return np.array([np.linalg.norm(jacobian(W, t), 2) for t in range(int(T) + 1)])


def random_matrices(rng: np.random.Generator, n: int = 8) -> list[np.ndarray]:
    """Random diagonalisable matrices of sizes 2..6, non-symmetric, largest |eigenvalue| from 0.5 to 1.5."""
    matrices = []
    for _ in range(n):
        size = int(rng.integers(2, 7))
        eigenvalues = rng.uniform(-1, 1, size=size) * float(rng.uniform(0.5, 1.5))
        matrices.append(matrix_with_eigenvalues(eigenvalues, seed=int(rng.integers(1 << 30))))
    return matrices
