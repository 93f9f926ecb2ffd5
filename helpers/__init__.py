"""Helpers for the deep-learning course notebooks.

Modules, one concern each: ``settings`` (every ``COURSE_*`` environment
variable), ``datasets`` (one module per data set: its real format, its
generated ``tiny`` stand-in and its loader), ``data`` (all the loaders and the
data mode in one import), ``cache`` (downloads), ``grading`` (marks and answer
checks), ``gradcheck`` (numerical gradients, ``rel_error``), ``timing``,
``text`` (tokenizers, vocabularies, padding), ``models``, and assignment 4's
numpy pieces: ``layers``, ``optim`` (update rules), ``captioning_solver``.
This file gives seeding and device choice (torch is imported when they are
called, so that ``helpers.settings`` stays quick to import).
"""
from __future__ import annotations

import os
import random

from .settings import device_override

__all__ = ["seed_everything", "get_device"]


def seed_everything(seed: int = 0) -> None:
    """Seed Python, NumPy and PyTorch (CPU and every GPU) for a reproducible run."""
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)


def get_device():
    """The ``torch.device`` to run on: CUDA when a GPU is present, else the CPU (``COURSE_DEVICE`` overrides)."""
    import torch

    if name := device_override():
        return torch.device(name)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")
