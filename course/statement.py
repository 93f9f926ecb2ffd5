"""Hidden checks read only what the statement names.

A right answer must not lose marks for a reason its author could not see. A
hidden check (``course.judge``) asks the student's kernel questions, code such
as ``one_hot_matrix(sample, v, tokenizer)`` or ``model.embedding.weight``; each
name that code reads from the student's work must be one the release names
before the test cell (in a markdown code span, given code, an answer cell's
stub or a visible check), each attribute read on the student's objects too,
unless every object of a standard kind has it (a tensor's ``shape``, a dict's
``items``), and each call of a function the student writes must fit a signature
the statement gives. ``unseen`` lists the questions that break this.

The questions come from grading a solution (the run notebooks keep what their
hidden checks asked, ``metadata.course.asked``), so checks that build their
questions at grading time are covered too.
"""
from __future__ import annotations

import ast
import builtins
import inspect
import re
from dataclasses import dataclass, field

import numpy as np
import torch

from .notebooks import grade_id, nbgrader_meta

__all__ = ["Statement", "statements", "unseen"]

CODE_SPAN = re.compile(r"`([^`\n]+)`")
IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
CALL_IN_TEXT = re.compile(r"([A-Za-z_]\w*)\(([^()]*)\)")


def _standard_attributes() -> set[str]:
    """Attributes that every object of a standard kind has, so a student cannot name them otherwise."""
    kinds = [torch.nn.Module, torch.Tensor, torch.optim.Optimizer, torch.utils.data.DataLoader,
             torch.utils.data.Dataset, np.ndarray, dict, list, tuple, set, str, int, float]
    from helpers import text, timing
    kinds += [obj for module in (text, timing) for obj in vars(module).values()
              if isinstance(obj, type) and obj.__module__ == module.__name__]
    return {name for kind in kinds for name in dir(kind)}


STANDARD = _standard_attributes()


@dataclass
class Statement:
    """What the release says before a test cell: the names it gives, the signatures of the
    functions it asks for, and the names its given code imports (not the student's to write)."""
    names: set[str] = field(default_factory=set)
    signatures: dict[str, list[inspect.Signature]] = field(default_factory=dict)
    imported: set[str] = field(default_factory=set)

    def copy(self) -> "Statement":
        return Statement(set(self.names), {k: list(v) for k, v in self.signatures.items()}, set(self.imported))

    def add_code(self, source: str, given: bool) -> None:
        try:
            tree = ast.parse(source)
        except SyntaxError:  # a stub with a gap to fill: its words still count
            self.names |= set(IDENTIFIER.findall(source))
            return
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                self.names.add(node.id)
            elif isinstance(node, ast.Attribute):
                self.names.add(node.attr)
            elif isinstance(node, ast.arg):
                self.names.add(node.arg)
            elif isinstance(node, ast.keyword) and node.arg:
                self.names.add(node.arg)
            elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                self.names.add(node.name)
                if isinstance(node, ast.FunctionDef):
                    self._add_signature(node.name, ast.unparse(node.args))
                else:
                    init = next((n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None)
                    if init:  # a class is called with its __init__'s arguments, less self
                        args = ast.unparse(init.args)
                        self._add_signature(node.name, re.sub(r"^\s*self\s*,?\s*", "", args))
            elif isinstance(node, (ast.Import, ast.ImportFrom)) and given:
                for alias in node.names:
                    self.imported.add((alias.asname or alias.name).split(".")[0])
        self.names |= self.imported

    def add_text(self, text: str) -> None:
        for span in CODE_SPAN.findall(text):
            self.names |= set(IDENTIFIER.findall(span))
            for name, params in CALL_IN_TEXT.findall(span):
                self._add_signature(name, params)

    def _add_signature(self, name: str, params: str) -> None:
        try:
            tree = ast.parse(f"def f({params}): pass")
        except SyntaxError:  # a call written in prose (`f(x) > 0`), not a signature
            return
        args = tree.body[0].args
        args.defaults = [ast.Constant(None) for _ in args.defaults]
        args.kw_defaults = [d and ast.Constant(None) for d in args.kw_defaults]
        for arg in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]:
            if arg is not None:
                arg.annotation = None
        namespace: dict = {}
        try:
            exec(compile(ast.fix_missing_locations(tree), "<signature>", "exec"), namespace)
        except SyntaxError:  # a call with an argument twice (`mha(x, x, x)`), not a signature
            return
        self.signatures.setdefault(name, []).append(inspect.signature(namespace["f"]))


def statements(release_nb) -> dict[str, Statement]:
    """For each test cell of a release notebook (by grade id), what the release says up to it,
    the cell's visible checks included."""
    known, out = Statement(), {}
    for cell in release_nb.cells:
        meta = nbgrader_meta(cell)
        if cell.cell_type == "markdown":
            if not meta.get("solution"):  # an answer cell holds the student's words, not ours
                known.add_text(cell.source)
            continue
        known.add_code(cell.source, given=not meta.get("solution"))
        if meta.get("grade") and not meta.get("solution"):
            out[grade_id(cell)] = known.copy()
    return out


def _defined(tree: ast.AST) -> set[str]:
    """Names a snippet binds itself (assignments, loops, comprehensions, imports, defs)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
    return names


def _root(node: ast.AST) -> str | None:
    """The name an attribute chain starts from: ``model`` in ``model.rnn.weight[0].shape``."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _describe(signatures: list[inspect.Signature], name: str) -> str:
    return " or ".join(f"{name}{s}" for s in signatures)


def unseen(code: str, inputs: list[str], known: Statement) -> list[str]:
    """What ``code`` (a hidden check's question, with its input names) reads or calls that
    ``known`` does not give the student; [] if nothing."""
    try:
        tree = ast.parse(code)
    except SyntaxError as error:
        return [f"the question is not Python ({error})"]
    local = _defined(tree) | set(inputs) | set(dir(builtins))
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            if node.id not in local and node.id not in known.names:
                problems.append(f"reads `{node.id}`, a name the statement never gives")
        elif isinstance(node, ast.Attribute):
            root = _root(node)
            if (root and root not in local and root not in known.imported
                    and node.attr not in known.names and node.attr not in STANDARD):
                problems.append(f"reads `.{node.attr}` of the student's `{root}`, an attribute the statement never names")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name = node.func.id
            if name in local or name in known.imported:
                continue
            signatures = known.signatures.get(name)
            if not signatures:
                problems.append(f"calls `{name}(...)`, whose signature the statement never gives")
                continue
            if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
                continue  # *args or **kwargs: the count is not known here
            args, kwargs = [None] * len(node.args), {k.arg: None for k in node.keywords}
            by_name = [k for k in kwargs if not any(_keyword_only(s, k) for s in signatures)]
            if by_name:
                problems.append(f"calls `{ast.unparse(node)}` passing {', '.join(by_name)} by name: a student "
                                f"may name that parameter otherwise; pass it by position")
            elif not any(_binds(s, args, kwargs) for s in signatures):
                problems.append(f"calls `{ast.unparse(node)}`, which does not fit the statement's "
                                f"`{_describe(signatures, name)}`")
    return sorted(set(problems))


def _keyword_only(signature: inspect.Signature, name: str) -> bool:
    parameter = signature.parameters.get(name)
    return parameter is not None and parameter.kind is inspect.Parameter.KEYWORD_ONLY


def _binds(signature: inspect.Signature, args: list, kwargs: dict) -> bool:
    try:
        signature.bind(*args, **kwargs)
        return True
    except TypeError:
        return False
