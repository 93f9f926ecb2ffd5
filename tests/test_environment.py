"""environment.yml (conda) and requirements.txt (pip) list the same packages; torch stays pinned."""
import re

import yaml

from course.paths import ROOT


def names(lines):
    return {re.split(r"[<>=!~\[ ]", line.strip(), maxsplit=1)[0].lower(): line.strip()
            for line in lines if line.strip() and not line.strip().startswith(("#", "-"))}


def test_environment_yml_mirrors_requirements():
    requirements = names((ROOT / "requirements.txt").read_text().splitlines())
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert names(pip) == requirements
    assert "-c constraints.txt" in pip and "-e ." in pip
    assert any(str(d).startswith("python=3.11") for d in env["dependencies"])


def test_torch_is_pinned_to_the_cpu_build_on_disk():
    constraints = (ROOT / "constraints.txt").read_text().splitlines()
    assert "torch==2.13.0" in constraints
    assert names((ROOT / "requirements.txt").read_text().splitlines())["torch"] == "torch==2.13.0"
    assert "-c constraints.txt" in (ROOT / "Makefile").read_text()


def test_ipykernel_stays_below_7():
    """ipykernel 7.x lost execute replies when several kernels ran at once (bench/stress_kernels.py)."""
    pins = dict(line.split("==") for line in (ROOT / "constraints.txt").read_text().splitlines()
                if "==" in line and not line.startswith("#"))
    assert int(pins["ipykernel"].split(".")[0]) < 7
    assert names((ROOT / "requirements.txt").read_text().splitlines())["ipykernel"] == "ipykernel<7"
