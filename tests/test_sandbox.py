"""How the sandbox is put together (no bubblewrap needed: these read its arguments)."""
import json
from types import SimpleNamespace

from course import sandbox


def test_binds_under_tmp_are_not_hidden_by_the_fresh_tmp(tmp_path):
    """A course cloned into /tmp: its .venv and helpers/ are bound after /tmp is made empty."""
    box = sandbox.Sandbox(files={}, env={}, stage=tmp_path, read_only=(tmp_path,),
                          limits=sandbox.Limits(memory=1 << 30, processes=64, cpu_seconds=60))
    spec = json.loads(box.launcher_env(SimpleNamespace(paths={}))[sandbox.SPEC_VAR])
    args = spec["bwrap"]
    fresh_tmp = next(i for i in range(len(args) - 1) if args[i:i + 2] == ["--tmpfs", "/tmp"])
    bound = next(i for i in range(len(args) - 2) if args[i] == "--ro-bind" and args[i + 2] == str(tmp_path.resolve()))
    assert str(tmp_path.resolve()).startswith("/tmp/") and fresh_tmp < bound
