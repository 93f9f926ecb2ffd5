"""Helpers for the deep-learning course notebooks.

Modules, one concern each: ``grading`` (marks and answer checks), ``timing``,
``text`` (tokenizers, vocabularies, padding), ``data`` (data sets in the
``tiny`` and ``full`` modes), ``cache`` (downloads), ``synthetic`` (the tiny
sets), ``models``. This file gives seeding and device choice.
"""
from __future__ import annotations

import os
import random

import numpy as np
import torch

__all__ = ["seed_everything", "get_device"]


def seed_everything(seed: int = 0) -> None:
    """Seed Python, NumPy and PyTorch (CPU and every GPU) for a reproducible run."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)


def get_device() -> torch.device:
    """CUDA when a GPU is present, else the CPU (``COURSE_DEVICE`` overrides)."""
    if name := os.environ.get("COURSE_DEVICE"):
        return torch.device(name)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")
