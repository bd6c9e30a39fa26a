"""Shared test fixtures: where the `thunder` executable and the bundled robots are."""
import os
import pathlib
import shutil
import subprocess
import threading

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
ROBOTS = ROOT / "robots"

# Bound on every subprocess a test starts (seconds). A hang guard, not a speed check: tests never
# time anything against the clock, and a 2-core machine running CI beside other builds (load 10
# and more) must still finish well inside it. CI's own 90-minute limit is the outer bound.
HANG_GUARD = 3600


def thunder_bin() -> str:
    """The `thunder` executable under test: $THUNDER_BIN, else the one on PATH, else the one beside
    this Python (`.venv/bin/python -m pytest` without an activated venv)."""
    import sys
    beside = pathlib.Path(sys.executable).parent / "thunder"
    exe = os.environ.get("THUNDER_BIN") or shutil.which("thunder") or (str(beside) if beside.is_file() else None)
    if not exe:
        raise RuntimeError("thunder executable not found: install the project or set THUNDER_BIN")
    return exe


def run_in_threads(work, n):
    """Runs work(0) .. work(n - 1) on n threads at once and returns the exceptions they raised
    (the test asserts there are none: an exception inside a thread would otherwise be lost)."""
    errors = []

    def guarded(i):
        try:
            work(i)
        except Exception as e:  # noqa: BLE001 - returned to the test
            errors.append(e)
    threads = [threading.Thread(target=guarded, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def run_thunder(*args, check=True, cwd=None, timeout=HANG_GUARD, env=None):
    """Runs `thunder ARGS...`; returns the CompletedProcess (text mode)."""
    proc = subprocess.run([thunder_bin(), *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout, env=env)
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


def recompute_artifacts(out, paths=None, manifest_stamp=False):
    """Sets manifest.json's size and sha256 of `paths` (every listed file when None) to the files'
    current ones, keeping the rest of the manifest byte for byte: what someone who recomputes the
    checksums after editing a file gets, so that only the runtime's own checks can tell.
    manifest_stamp: also rewrite torch/manifest.sha256 for the manifest as it is now (an edited
    manifest then passes thunder_torch's manifest check too)."""
    import hashlib
    import json
    out = pathlib.Path(out)
    mf = out / "manifest.json"
    data = mf.read_bytes()
    i = data.rfind(b',\n  "artifacts": [')
    assert i > 0, f"{mf}: no artifacts entry"
    if manifest_stamp and (out / "torch" / "manifest.sha256").exists():
        stamp = hashlib.sha256(data[:i] + b"\n}\n").hexdigest()
        (out / "torch" / "manifest.sha256").write_text(stamp + "\n")
        paths = None if paths is None else [*paths, "torch/manifest.sha256"]
    arts = json.loads(data)["artifacts"]
    for a in arts:
        if paths is None or a["path"] in paths:
            b = (out / a["path"]).read_bytes()
            a["size"], a["sha256"] = len(b), hashlib.sha256(b).hexdigest()
    mf.write_bytes(data[:i] + b',\n  "artifacts": ' + json.dumps(arts).encode() + b"\n}\n")


def pytest_addoption(parser):
    parser.addoption("--slow", action="store_true", default=False,
                     help="also run the slow group (tests marked slow: full native function sets, "
                          "big trees, the mutation check); bash scripts/run_tests.sh --slow")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--slow") or os.environ.get("THUNDER_TEST_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow group: run with `bash scripts/run_tests.sh --slow` (or THUNDER_TEST_SLOW=1)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


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


# Native kernel builds shared by every test file (test_native, test_native_kernels, ...): the
# slowest thing the suite does is compiling kernels, so each robot is compiled once per session,
# -O1, with the CUDA sources written but not compiled (NVCC=none; the host emulation tests
# compile them as C++). The Panda gets a subset that reaches every kind of function the kernels
# meet (no variables: T_0; kinematics with sin/cos; a pseudo-inverse solve; M, C, G, Yr with a
# broadcast parameter input; ABA forward dynamics and M_inv; the manifold's integrate; a division
# by a parameter: par_REG_to_DYN). Every CasADi operation reaches the SIMD and CUDA emitters in
# test_op_table; the whole Panda set is built in the slow group (test_native_kernels).
PANDA_NATIVE_FUNCTIONS = "T_0,J_ee_pinv,M,C,G,Yr,FD,M_inv,integrate,par_REG_to_DYN"
NATIVE_ROBOTS = {
    # key: (robot file, robot identifier, arguments)
    "rrr": ("RRR.yaml", "RRR", ("--symb", "DYN")),
    "searrr": ("seaRRR.yaml", "seaRRR", ("--symb", "DYN,K,Dm,Mm")),
    "panda": ("franka.yaml", "franka", ("--symb", "DYN", "--functions", PANDA_NATIVE_FUNCTIONS)),
    "panda_all": ("franka.yaml", "franka", ("--symb", "DYN")),
}
_native_cache = {}


def shared_tmp(tmp_path_factory, name):
    """A folder under the session's temporary root that every pytest-xdist worker of this run
    sees (the workers' own roots are its subfolders), for outputs built once per run."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    return base / name


def native_output(tmp_path_factory, key, kernels="simd"):
    """The output folder of `thunder gen ROBOT --targets casadi,native --native-opt 1
    --native-kernels KERNELS` for NATIVE_ROBOTS[key], built once per test run: the first worker
    that needs it builds it under a file lock, the others wait and reuse it."""
    from filelock import FileLock
    ck = (key, kernels)
    if ck not in _native_cache:
        robot, _, args = NATIVE_ROBOTS[key]
        folder = shared_tmp(tmp_path_factory, f"native_{key}_{kernels}")
        out = folder / "out"
        folder.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(folder) + ".lock"):
            if not (out / "manifest.json").is_file():   # written last, after every library
                folder.mkdir(exist_ok=True)
                env = dict(os.environ, NVCC="none")
                run_thunder("gen", ROBOTS / robot, "-o", out, "--targets", "casadi,native", "--native-opt", "1",
                            "--native-kernels", kernels, *args, env=env)
        _native_cache[ck] = out
    return _native_cache[ck]
