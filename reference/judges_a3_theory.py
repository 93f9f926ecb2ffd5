"""What the hidden checks of theory.ipynb (assignment 3) share: the references and random cases.

Runs in the grader's process (``course.judge``), never in the student's kernel;
``tests/test_lessons_a3_theory.py`` uses the same references.

The recurrent network of section 2: integer inputs x_1..x_T, a scalar hidden
state with h_0 = 0, all biases zero, input weight 1, recurrent weight -1 and
output weight 1000, so

    h_t = x_t - h_{t-1},    y_t = sigmoid(1000 h_t).

For an even length T = 2N, h_T = sum over k of (x_2k - x_2k-1): the inputs at
even positions (counted from 1) minus those at odd positions.
"""
from __future__ import annotations

import numpy as np

from course.judge import close

__all__ = ["sigmoid", "network_states", "network_output", "closed_form_output", "random_sequences",
           "output_problem", "token_norms", "base_vectors", "tokens", "softmax_rows", "self_attention",
           "attention_cases", "attention_problem"]


# ---------------------------------------------------------------- section 2: the recurrence
def sigmoid(z):
    """1 / (1 + e^-z) without overflow for any z: 0.5 (1 + tanh(z / 2)); exactly 0.5 at 0."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=np.float64)))


def network_states(xs) -> list[int]:
    """The hidden states h_1..h_T of the network on the integers xs, in exact integer arithmetic."""
    states, h = [], 0
    for x in xs:
        h = int(x) - h
        states.append(h)
    return states


def network_output(xs) -> float:
    """The output y_T of the last step, by running the recurrence."""
    return float(sigmoid(1000 * network_states(xs)[-1]))


def closed_form_output(xs) -> float:
    """y_T for an even-length xs without the recurrence: even positions' sum minus odd positions'."""
    xs = [int(x) for x in xs]
    return float(sigmoid(1000 * (sum(xs[1::2]) - sum(xs[0::2]))))


def random_sequences(rng: np.random.Generator, n: int = 300) -> list[list[int]]:
    """Even-length integer sequences (lengths 2..40, values -50..50 but the last one, which is moved
    to make a third of them ties (the even positions sum to the odd positions) and a third
    differences of +1 or -1; the rest free), and a few small cases."""
    seqs = []
    for i in range(n):
        length = 2 * int(rng.integers(1, 21))
        xs = [int(x) for x in rng.integers(-50, 51, size=length)]
        want = {0: 0, 1: int(rng.choice([-1, 1]))}.get(i % 3)
        if want is not None:  # move the last input (an even position) to reach the wanted difference
            diff = sum(xs[1::2]) - sum(xs[0::2])
            xs[-1] += want - diff
        seqs.append(xs)
    return seqs + [[0, 0], [-1, 3], [3, -1], [5, 5], [0, 1], [1, 0], [-50, 50] * 20]


def _number(value) -> float | None:
    """One number from the kernel (a number, or an array of one element), else None."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return float(array.reshape(-1)[0]) if array.size == 1 else None


def output_problem(answers, seqs) -> str | None:
    """What is wrong with final_output's answers on seqs (None: nothing), never the expected values."""
    if not isinstance(answers, list) or len(answers) != len(seqs):
        return "final_output should answer each sequence with one number"
    numbers = [_number(a) for a in answers]
    if any(n is None for n in numbers):
        return "final_output should return one number (the probability y_T) for each sequence"
    wrong = [xs for xs, n in zip(seqs, numbers) if not abs(n - network_output(xs)) <= 1e-9]
    if wrong:
        first = ", ".join(map(str, wrong[0][:8])) + (", ..." if len(wrong[0]) > 8 else "")
        return (f"final_output differs from the network's last output on {len(wrong)} of {len(seqs)} "
                f"random sequences (even lengths 2 to 40, integers mostly from -50 to 50, ties and "
                f"differences of 1 among them), for instance on [{first}] (length {len(wrong[0])})")
    return None


# ---------------------------------------------------------------- section 3: self-attention
def token_norms(beta: float) -> list[float]:
    """||x1||, ||x2||, ||x3|| for x1 = d + b, x2 = a, x3 = c + b, base vectors orthogonal of norm beta."""
    return [np.sqrt(2) * beta, beta, np.sqrt(2) * beta]


def base_vectors(beta: float, seed: int = 0) -> np.ndarray:
    """Four orthogonal vectors of R^4 of norm beta, as rows a, b, c, d: [4, 4], a random rotation
    of beta times the standard basis (the same for a given seed)."""
    q, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(4, 4)))
    return beta * q.T


def tokens(beta: float, seed: int = 0) -> np.ndarray:
    """The three tokens x1 = d + b, x2 = a, x3 = c + b as rows: [3, 4]."""
    a, b, c, d = base_vectors(beta, seed)
    return np.stack([d + b, a, c + b])


def softmax_rows(scores: np.ndarray) -> np.ndarray:
    """Softmax of each row of a [n, m] array, stable: each row's maximum is subtracted first."""
    z = np.exp(scores - scores.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def self_attention(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Self-attention without weights (queries = keys = values = the rows of X [n, d]):
    (outputs [n, d], attention weights [n, n]), in float64."""
    X = np.asarray(X, dtype=np.float64)
    weights = softmax_rows(X @ X.T)
    return weights @ X, weights


def attention_cases(rng: np.random.Generator, n_cases: int = 12) -> list[np.ndarray]:
    """Random token matrices [n, d] of random shapes (n 1..8, d 1..10) and scales; the last
    ones share a large component that makes every score above 700 (a softmax that does not
    subtract the maximum overflows on them), while their weights stay far from 0 and 1."""
    cases = []
    for _ in range(n_cases):
        n, d = int(rng.integers(1, 9)), int(rng.integers(1, 11))
        cases.append(rng.normal(size=(n, d)) * float(rng.choice([0.3, 1.0, 3.0])))
    for _ in range(3):
        n, d = int(rng.integers(2, 8)), int(rng.integers(2, 9))
        u = rng.normal(size=d)
        u /= np.linalg.norm(u)
        small = rng.normal(size=(n, d))
        small -= np.outer(small @ u, u)  # orthogonal to u: every score is big^2 + small_i . small_j
        cases.append(small + float(rng.uniform(27, 40)) * u)
    return cases


def attention_problem(answer, X: np.ndarray) -> str | None:
    """What is wrong with self_attention's answer (Y, A) on X (None: nothing), never the expected values."""
    shape = f"X of shape {X.shape}"
    if not isinstance(answer, (list, tuple)) or len(answer) != 2:
        return f"self_attention should return the pair (Y, A); it returned something else for {shape}"
    Y, A = self_attention(X)
    got_Y, got_A = answer
    try:
        finite = bool(np.all(np.isfinite(np.asarray(got_A, dtype=np.float64))))
    except (TypeError, ValueError):
        return f"A should be an array of numbers, of shape (n, n), for {shape}"
    if not finite:
        big = " (its dot products reach past 700)" if (X @ X.T).max() > 700 else ""
        return f"some attention weights are nan or inf for {shape}{big}: subtract each row's maximum score first"
    if not close(got_A, A, rtol=1e-3, atol=1e-6):
        return f"the attention weights A are wrong (or not of shape (n, n)) for a random {shape}"
    if not close(got_Y, Y, rtol=1e-3, atol=1e-5):
        return f"the outputs Y are wrong (or not of shape (n, d)) for a random {shape}"
    return None
