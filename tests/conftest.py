"""Shared test fixtures: where the `thunder` executable and the bundled robots are."""
import os
import pathlib
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
ROBOTS = ROOT / "robots"


def thunder_bin() -> str:
    """The `thunder` executable under test: $THUNDER_BIN, else the one on PATH."""
    exe = os.environ.get("THUNDER_BIN") or shutil.which("thunder")
    if not exe:
        raise RuntimeError("thunder executable not found: install the project or set THUNDER_BIN")
    return exe


def run_thunder(*args, check=True, cwd=None, timeout=600):
    """Runs `thunder ARGS...`; returns the CompletedProcess (text mode)."""
    proc = subprocess.run([thunder_bin(), *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"thunder {' '.join(map(str, args))} failed ({proc.returncode}):\n"
                             f"{proc.stdout}\n{proc.stderr}")
    return proc


def example_robot_data_dir() -> pathlib.Path:
    """The robots/ folder that the example-robot-data wheel installs under cmeel.prefix."""
    import sys
    for p in sys.path:
        d = pathlib.Path(p) / "cmeel.prefix" / "share" / "example-robot-data" / "robots"
        if d.is_dir():
            return d
    pytest.skip("example-robot-data is not installed")


@pytest.fixture
def thunder():
    return run_thunder


class Generated:
    """The output folder of one `thunder gen` run: manifest and the .casadi functions."""

    def __init__(self, out: pathlib.Path):
        import json
        self.out = out
        self.manifest = json.loads((out / "manifest.json").read_text())
        self._functions = {}

    def __getitem__(self, name):
        import casadi
        if name not in self._functions:
            self._functions[name] = casadi.Function.load(str(self.out / "casadi" / f"{name}.casadi"))
        return self._functions[name]

    def names(self):
        return [f["name"] for f in self.manifest["functions"]]

    def entry(self, name):
        return next(f for f in self.manifest["functions"] if f["name"] == name)

    def param(self, name):
        return next(p for p in self.manifest["params"] if p["name"] == name)

    def call(self, name, params=None, **variables):
        """Evaluates function `name` with inputs by name: variables from keyword arguments
        (those the function doesn't take are ignored), parameter inputs from `params`
        ({set: full vector}) or else the manifest defaults. Returns a numpy array, or a list of
        them for multi-output functions."""
        import numpy as np
        params = params or {}
        args = []
        for i in self.entry(name)["inputs"]:
            if i["param"]:
                p = self.param(i["name"])
                full = np.asarray(params.get(i["name"], p["values"]), float)
                args.append(full[np.asarray(p["symbolic"], bool)])
            else:
                args.append(np.asarray(variables[i["name"]], float))
        out = [np.array(o) for o in self[name].call(args)]
        return out[0] if len(out) == 1 else out


_generated_cache = {}


@pytest.fixture(scope="session")
def generate(tmp_path_factory):
    """generate(robot, *extra_args, targets="casadi") -> Generated, cached per session."""

    def _generate(robot, *args, targets="casadi"):
        key = (str(robot), tuple(map(str, args)), targets)
        if key not in _generated_cache:
            out = tmp_path_factory.mktemp("gen") / "out"
            run_thunder("gen", robot, "-o", out, "--targets", targets, *args)
            _generated_cache[key] = Generated(out)
        return _generated_cache[key]

    return _generate


def edge_values(float32=False):
    """Input values that uniform random draws never give: exact zeros of both signs (sign(0),
    copysign(., -0)), 0.5 in every input at once (ties between inputs for comparisons and
    if_else at equality; 5 * 0.5 = 2.5, a remainder tie), -0.5 and +-1 (thresholds of the toy
    functions). 0.2, a threshold that float32 cannot represent (float32(0.2) > 0.2 in double
    but not in float32), only in float64."""
    return [0.0, -0.0, 0.5, -0.5, 1.0, -1.0] + ([] if float32 else [0.2])


def with_edge_rows(x, batch, float32=False):
    """x (torch tensor of shape (*batch, ...)) with its first rows (flattened batch) replaced by
    rows holding one edge value each; unchanged if the batch is too small to hold them all."""
    import math
    vals = edge_values(float32)
    B = math.prod(batch)
    if B < len(vals):
        return x
    flat = x.reshape(B, *x.shape[len(batch):]).clone()
    for r, v in enumerate(vals):
        flat[r] = v
    return flat.reshape(x.shape)
