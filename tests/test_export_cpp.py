"""The C++ and CasADi exporters, checked on a generated output folder.

Output folders under test (each a parameter of the `out_dir` fixture):
  * `thunder gen robots/RRR.yaml -o OUT`;
  * the hand-made toy FunctionSet of tests/cpp/export_toy.cpp (`thunder-unit-tests export-toy
    OUT`: several outputs, sparse outputs, a function without inputs, partly symbolic par_DYN);
  * `thunder gen robots/seaRRR.yaml --symb DYN,K,Dm,Mm` (elastic variables and parameters);
  * any folder named by $THUNDER_EXPORT_DIR.

What is checked: manifest.json against the .casadi files (names, shapes, n_instructions, param
flags and sizes), the parameter file against the manifest, the generated C++ library (built
standalone with CMake) against CasADi's evaluation of the .casadi files at random inputs and
random parameter values, save_par/load_conf round trips and errors, and the setters' size checks.
"""
import json
import glob
import math
import os
import pathlib
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest
import yaml

casadi = pytest.importorskip("casadi")

from conftest import HANG_GUARD, ROBOTS, ROOT, edge_values, run_thunder  # noqa: E402

# The C library runs the same CasADi expression graph, operation by operation, in double precision
# (no -ffast-math, no FMA contraction on the default x86-64 target): the results agree to a few
# ulps. 1e-12 relative to the output's magnitude leaves room for libm differences.
RTOL = 1e-12


# ---------------------------------------------------------------------------------------------
# Output folders

def _unit_tests_bin():
    exe = os.environ.get("THUNDER_UNIT_TESTS") or shutil.which("thunder-unit-tests")
    if exe:
        return exe
    found = sorted(glob.glob(str(ROOT / "build" / "*" / "thunder-unit-tests")),
                   key=os.path.getmtime)
    return found[-1] if found else None


def _tail(text, n=800):
    return text[-n:].strip()


GENERATED = {
    "RRR": ("RRR.yaml", ()),
    # elastic variables (x, dx, ddx) and every SEA parameter set symbolic
    "seaRRR": ("seaRRR.yaml", ("--symb", "DYN,K,Dm,Mm")),
}


@pytest.fixture(scope="module", params=["RRR", "seaRRR", "toy", "env"])
def out_dir(request, tmp_path_factory):
    kind = request.param
    if kind == "env":
        d = os.environ.get("THUNDER_EXPORT_DIR")
        if not d:
            pytest.skip("THUNDER_EXPORT_DIR is not set (optional: an extra output folder to check)")
        return pathlib.Path(d).resolve()
    out = tmp_path_factory.mktemp(f"export_{kind}")
    if kind in GENERATED:
        robot, args = GENERATED[kind]
        run_thunder("gen", ROBOTS / robot, "-o", out, *args, timeout=HANG_GUARD)
    else:
        exe = _unit_tests_bin()
        if not exe:
            pytest.skip("thunder-unit-tests not found (set THUNDER_UNIT_TESTS or build the project)")
        proc = subprocess.run([exe, "export-toy", str(out)], capture_output=True, text=True,
                              timeout=HANG_GUARD)
        assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def manifest(out_dir):
    import json
    with open(out_dir / "manifest.json") as f:
        return json.load(f)


def _identifier(robot):
    return re.sub(r"[^A-Za-z0-9_]", "_", robot) or "robot"


def _cmeel_prefix():
    for p in sys.path:
        d = pathlib.Path(p) / "cmeel.prefix"
        if d.is_dir():
            return d
    return None


class Built:
    """The generated library, built standalone, and its example program."""

    def __init__(self, out_dir, manifest):
        self.out_dir = out_dir
        self.cls = "thunder_" + _identifier(manifest["robot"])
        self.src = out_dir / "cpp"
        self.build = self.src / "build"
        self.example = self.build / f"{self.cls}_example"

    def run(self, *args, stdin="", check=True):
        proc = subprocess.run([str(self.example), *map(str, args)], input=stdin,
                              capture_output=True, text=True, timeout=HANG_GUARD)
        if check and proc.returncode != 0:
            raise AssertionError(f"{self.example.name} {' '.join(map(str, args))} failed "
                                 f"({proc.returncode}):\n{proc.stderr}")
        return proc


def _build(out_dir, manifest):
    """Configures and builds OUT/cpp with CMake as its README says: a Built."""
    cmake = shutil.which("cmake")
    if not cmake:
        pytest.skip("cmake not found")
    b = Built(out_dir, manifest)
    configure = [cmake, "-S", str(b.src), "-B", str(b.build)]
    prefix = _cmeel_prefix()
    if prefix:
        configure.append(f"-DCMAKE_PREFIX_PATH={prefix}")
    for cmd in (configure, [cmake, "--build", str(b.build), "-j", str(os.cpu_count() or 2)]):
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=HANG_GUARD)
        assert proc.returncode == 0, f"{' '.join(cmd)}:\n{_tail(proc.stdout, 4000)}\n{proc.stderr}"
    assert b.example.exists()
    return b


@pytest.fixture(scope="module")
def built(out_dir, manifest):
    return _build(out_dir, manifest)


# ---------------------------------------------------------------------------------------------
# Helpers

def _params(manifest):
    return {p["name"]: p for p in manifest["params"]}


def _load(out_dir, fn):
    return casadi.Function.load(str(out_dir / fn["file"]))


def _param_input(pset, full, n):
    """What a function input named after `pset` receives: the symbolic elements, or the full
    vector (the par_DYN <-> par_REG maps); the sizes tell which (docs/FUNCTIONS.md)."""
    symb = [i for i, s in enumerate(pset["symbolic"]) if s]
    if n == len(symb):
        return np.asarray(full)[symb]
    assert n == len(full), f"{pset['name']}: input of {n} elements, set of {len(full)}"
    return np.asarray(full)


def _casadi_eval(out_dir, manifest, fn, variables, params):
    f = _load(out_dir, fn)
    psets = _params(manifest)
    args = {}
    for inp in fn["inputs"]:
        n = inp["shape"][0] * inp["shape"][1]
        if inp["param"]:
            v = _param_input(psets[inp["name"]], params[inp["name"]], n)
        else:
            v = variables[inp["name"]]
        args[inp["name"]] = casadi.DM(np.asarray(v, dtype=float).reshape(inp["shape"], order="F"))
    res = f.call(args)
    return {o["name"]: np.array(res[o["name"]].full()) for o in fn["outputs"]}


def _parse_example(stdout):
    params, outputs = {}, {}
    for line in stdout.splitlines():
        tok = line.split()
        if not tok:
            continue
        if tok[0] == "param":
            n = int(tok[2])
            params[tok[1]] = np.array([float(x) for x in tok[3:]])
            assert len(params[tok[1]]) == n, line[:200]
        else:
            rows, cols = int(tok[2]), int(tok[3])
            vals = np.array([float(x) for x in tok[4:]])
            assert len(vals) == rows * cols, line[:200]
            outputs[(tok[0], tok[1])] = vals.reshape((rows, cols), order="F")
    return params, outputs


def _help_inputs(built):
    """(kind, name, size) in the order the example reads stdin."""
    out = []
    for line in built.run("--help").stdout.splitlines():
        tok = line.split()
        if len(tok) == 3 and tok[0] in ("variable", "param"):
            out.append((tok[0], tok[1], int(tok[2])))
    return out


def _yaml_number(v):
    """A value of a parameter file as a float (PyYAML reads YAML 1.1: "1e+20" is a string)."""
    special = {".nan": math.nan, ".inf": math.inf, "-.inf": -math.inf}
    if isinstance(v, str) and v.lower() in special:
        return special[v.lower()]
    return float(v)


def _read_par_file(path):
    with open(path) as f:
        data = yaml.safe_load(f) or {}
    return {s: {k: _yaml_number(v) for k, v in (elems or {}).items()} for s, elems in data.items()}


def _write_par_file(path, sets):
    with open(path, "w") as f:
        f.write("# test parameters\n")
        for name, elems in sets.items():
            f.write(f"{name}:\n")
            for k, v in elems.items():
                f.write(f"  {k}: {float(v)!r}\n")


def _random_params(manifest, rng):
    """Random values near the defaults (masses stay positive, so par_REG -> par_DYN works) for
    the symbolic elements; the folded ones keep their values (changing one is an error)."""
    out = {}
    for p in manifest["params"]:
        d = np.asarray(p["values"], dtype=float)
        r = d * rng.uniform(0.5, 1.5, d.shape) + 0.05 * rng.uniform(0.1, 1, d.shape)
        out[p["name"]] = np.where(np.asarray(p["symbolic"], bool), r, d)
    return out


def _map(out_dir, manifest, name):
    fn = next((f for f in manifest["functions"] if f["name"] == name), None)
    return None if fn is None else _load(out_dir, fn)


def _assert_close(actual, expected, what, rtol=RTOL):
    actual, expected = np.asarray(actual, float), np.asarray(expected, float)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    scale = max(1.0, float(np.max(np.abs(expected)))) if expected.size else 1.0
    err = float(np.max(np.abs(actual - expected))) if expected.size else 0.0
    assert err <= rtol * scale, f"{what}: max error {err:.3g} (scale {scale:.3g})"


# ---------------------------------------------------------------------------------------------
# Manifest, .casadi files, parameter file

def test_manifest_matches_casadi_files(out_dir, manifest):
    assert manifest["thunder_manifest"] == 1
    assert isinstance(manifest["n_joints"], int) and manifest["n_joints"] > 0
    psets = _params(manifest)
    assert len(psets) == len(manifest["params"]), "duplicate parameter set names"
    for p in manifest["params"]:
        n = len(p["elements"])
        assert len(p["values"]) == n and len(p["symbolic"]) == n, p["name"]
        assert len(set(p["elements"])) == n, f"{p['name']}: duplicate element names"
    names = [f["name"] for f in manifest["functions"]]
    assert len(set(names)) == len(names), "duplicate function names"
    assert sorted(p.name for p in (out_dir / "casadi").glob("*.casadi")) == \
        sorted(f"{n}.casadi" for n in names)
    for fn in manifest["functions"]:
        assert fn["file"] == f"casadi/{fn['name']}.casadi"
        f = _load(out_dir, fn)
        assert f.name() == fn["name"]
        assert f.n_instructions() == fn["n_instructions"], fn["name"]
        assert [i["name"] for i in fn["inputs"]] == f.name_in(), fn["name"]
        assert [o["name"] for o in fn["outputs"]] == f.name_out(), fn["name"]
        for k, inp in enumerate(fn["inputs"]):
            assert list(f.size_in(k)) == inp["shape"], (fn["name"], inp["name"])
            assert inp["param"] == (inp["name"] in psets), (fn["name"], inp["name"])
            if inp["param"]:
                p = psets[inp["name"]]
                n = inp["shape"][0] * inp["shape"][1]
                assert inp["shape"][1] == 1
                assert n in (sum(p["symbolic"]), len(p["elements"])), (fn["name"], inp["name"])
        for k, out in enumerate(fn["outputs"]):
            assert list(f.size_out(k)) == out["shape"], (fn["name"], out["name"])


def test_par_file_matches_manifest(out_dir, manifest):
    path = out_dir / f"{manifest['robot']}_par.yaml"
    assert path.exists(), f"{path.name} missing"
    data = _read_par_file(path)
    assert list(data) == [p["name"] for p in manifest["params"]]
    for p in manifest["params"]:
        assert list(data[p["name"]]) == p["elements"]
        assert [data[p["name"]][e] for e in p["elements"]] == p["values"], p["name"]


def test_cpp_folder_layout(out_dir, manifest):
    cls = "thunder_" + _identifier(manifest["robot"])
    cpp = out_dir / "cpp"
    for name in (f"{cls}.h", f"{cls}.cpp", "example.cpp", "CMakeLists.txt"):
        assert (cpp / name).exists(), name
    for fn in manifest["functions"]:
        assert (cpp / f"{cls}_{fn['name']}.c").exists(), fn["name"]


# ---------------------------------------------------------------------------------------------
# The generated C++ library against CasADi

def test_example_lists_inputs(built, manifest):
    inputs = _help_inputs(built)
    params = [(name, size) for kind, name, size in inputs if kind == "param"]
    assert params == [(p["name"], len(p["elements"])) for p in manifest["params"]]
    variables = {name: size for kind, name, size in inputs if kind == "variable"}
    used = {}
    for fn in manifest["functions"]:
        for inp in fn["inputs"]:
            if not inp["param"]:
                used[inp["name"]] = inp["shape"][0] * inp["shape"][1]
    assert variables == used


def test_defaults(built, manifest):
    params, _ = _parse_example(built.run("--no-eval").stdout)
    for p in manifest["params"]:
        assert list(params[p["name"]]) == p["values"], p["name"]


@pytest.mark.parametrize("seed", [0, 1, *(f"edge{k}" for k in range(len(edge_values())))])
def test_cpp_matches_casadi(built, out_dir, manifest, seed):
    """Random variables, or (edgeK) every variable at the K-th edge value: exact zeros of both
    signs, ties and thresholds that random draws never reach (conftest.edge_values)."""
    rng = np.random.default_rng(seed if isinstance(seed, int) else 2)
    inputs = _help_inputs(built)
    edge = None if isinstance(seed, int) else edge_values()[int(seed[4:])]
    variables = {name: rng.uniform(-1.0, 1.0, size) if edge is None else np.full(size, edge)
                 for kind, name, size in inputs if kind == "variable"}
    given = _random_params(manifest, rng)
    dyn_to_reg = _map(out_dir, manifest, "par_DYN_to_REG")
    if dyn_to_reg is not None and "par_REG" in given:
        # par_REG is derived: give the one that belongs to par_DYN (setting it recomputes par_DYN).
        given["par_REG"] = np.array(dyn_to_reg(given["par_DYN"]).full()).ravel()
    stdin = " ".join(repr(float(x)) for kind, name, _ in inputs
                     for x in (variables[name] if kind == "variable" else given[name]))
    params, outputs = _parse_example(built.run(stdin=stdin).stdout)

    for name, v in given.items():
        if name in ("par_DYN", "par_REG") and dyn_to_reg is not None:
            _assert_close(params[name], v, name)  # through par_REG -> par_DYN
        else:
            assert np.array_equal(params[name], v), name
    for fn in manifest["functions"]:
        ref = _casadi_eval(out_dir, manifest, fn, variables, params)
        for out in fn["outputs"]:
            key = (fn["name"], out["name"])
            assert key in outputs, f"no output {key} from the example"
            _assert_close(outputs[key], ref[out["name"]], f"{fn['name']}.{out['name']}")
    assert len(outputs) == sum(len(fn["outputs"]) for fn in manifest["functions"])


# ---------------------------------------------------------------------------------------------
# Parameter files through the C++ class

def test_save_par_load_conf_roundtrip(built, out_dir, manifest, tmp_path):
    rng = np.random.default_rng(7)
    values = _random_params(manifest, rng)
    sets = {p["name"]: dict(zip(p["elements"], values[p["name"]]))
            for p in manifest["params"] if p["name"] != "par_REG"}
    f1, f2, f3 = tmp_path / "in.yaml", tmp_path / "saved.yaml", tmp_path / "saved_again.yaml"
    _write_par_file(f1, sets)

    params, _ = _parse_example(built.run("--par", f1, "--save-par", f2, "--no-eval").stdout)
    for name, elems in sets.items():
        assert list(params[name]) == list(elems.values()), name
    dyn_to_reg = _map(out_dir, manifest, "par_DYN_to_REG")
    if dyn_to_reg is not None and "par_REG" in params:
        _assert_close(params["par_REG"], np.array(dyn_to_reg(params["par_DYN"]).full()).ravel(),
                      "par_REG recomputed from par_DYN")

    saved = _read_par_file(f2)
    assert list(saved) == [p["name"] for p in manifest["params"]]
    for p in manifest["params"]:
        assert list(saved[p["name"]]) == p["elements"]
        assert np.array_equal([saved[p["name"]][e] for e in p["elements"]], params[p["name"]])

    params2, _ = _parse_example(built.run("--par", f2, "--save-par", f3, "--no-eval").stdout)
    for name in params:
        assert np.array_equal(params2[name], params[name]), name
    assert f3.read_text().splitlines()[1:] == f2.read_text().splitlines()[1:]


def test_load_conf_par_REG_only_recomputes_par_DYN(built, out_dir, manifest, tmp_path):
    dyn_to_reg = _map(out_dir, manifest, "par_DYN_to_REG")
    if dyn_to_reg is None or _map(out_dir, manifest, "par_REG_to_DYN") is None:
        pytest.skip("no par_DYN <-> par_REG maps in this FunctionSet")
    psets = _params(manifest)
    dyn = _random_params(manifest, np.random.default_rng(3))["par_DYN"]
    reg = np.array(dyn_to_reg(dyn).full()).ravel()
    f = tmp_path / "reg.yaml"
    _write_par_file(f, {"par_REG": dict(zip(psets["par_REG"]["elements"], reg))})
    params, _ = _parse_example(built.run("--par", f, "--no-eval").stdout)
    assert np.array_equal(params["par_REG"], reg)
    _assert_close(params["par_DYN"], dyn, "par_DYN from par_REG")


def test_load_conf_subset_keeps_the_rest(built, manifest, tmp_path):
    # the last set with a symbolic element, and its first symbolic element
    p = next((p for p in reversed(manifest["params"]) if any(p["symbolic"]) and p["name"] != "par_REG"), None)
    if p is None:
        pytest.skip("no symbolic parameter element")
    i = p["symbolic"].index(True)
    f = tmp_path / "one.yaml"
    _write_par_file(f, {p["name"]: {p["elements"][i]: 123.25}})
    params, _ = _parse_example(built.run("--par", f, "--no-eval").stdout)
    assert params[p["name"]][i] == 123.25
    assert [v for k, v in enumerate(params[p["name"]]) if k != i] == [v for k, v in enumerate(p["values"]) if k != i]


@pytest.mark.parametrize("case", ["set", "element", "value"])
def test_load_conf_errors_name_file_and_key(built, manifest, tmp_path, case):
    p = manifest["params"][0]
    f = tmp_path / f"bad_{case}.yaml"
    if case == "set":
        text, key = "par_NOPE:\n  a: 1\n", "par_NOPE"
    elif case == "element":
        text, key = f"{p['name']}:\n  link99.nope: 1\n", "link99.nope"
    else:
        text, key = f"{p['name']}:\n  {p['elements'][0]}: abc\n", p["elements"][0]
    f.write_text(text)
    proc = built.run("--par", f, "--no-eval", check=False)
    assert proc.returncode != 0
    assert str(f) in proc.stderr and key in proc.stderr, proc.stderr
    if case != "set":
        assert f"{f}:2:" in proc.stderr, proc.stderr


# ---------------------------------------------------------------------------------------------
# The class's API, through a tiny program compiled against the library

def test_setters_check_sizes(built, manifest, tmp_path):
    variables = [name for kind, name, _ in _help_inputs(built) if kind == "variable"]
    first_set = manifest["params"][0]["name"]
    named = "\n".join(
        f'  expect_throw([&] {{ r.set_{v}(Eigen::VectorXd::Zero(r.variable_size("{v}") + 1)); }},'
        f' "set_{v}: expected a vector of size");' for v in variables)
    # The getters with an output argument give what the returning ones give.
    getters = []
    for fn in manifest["functions"][:6]:
        name = fn["name"]
        if len(fn["outputs"]) == 1:
            getters.append(f"  {{ Eigen::MatrixXd a = r.get_{name}(), b(1, 1); r.get_{name}(b); r.get_{name}(b);"
                           f" if (a != b) {{ std::printf(\"get_{name}(out)\\n\"); ++failures; }} }}")
        else:
            getters.append(f"  {{ auto a = r.get_{name}(); std::vector<Eigen::MatrixXd> b; r.get_{name}(b);"
                           f" if (a != b) {{ std::printf(\"get_{name}(out)\\n\"); ++failures; }} }}")
    getters = "\n".join(getters)
    src = f"""
#include <cstdio>
#include <stdexcept>
#include <string>
#include "{built.cls}.h"
static int failures = 0;
template <class F> void expect_throw(F f, const std::string& text) {{
  try {{ f(); }} catch (const std::invalid_argument& e) {{
    if (std::string(e.what()).find(text) == std::string::npos) {{
      std::printf("wrong message: %s (wanted %s)\\n", e.what(), text.c_str()); ++failures; }}
    return; }}
  std::printf("no exception: %s\\n", text.c_str()); ++failures;
}}
int main() {{
  {built.cls} r;
  if (r.get_numJoints() != {manifest["n_joints"]} || {built.cls}::n_joints != {manifest["n_joints"]}) {{
    std::printf("n_joints\\n"); ++failures; }}
  // thunder_dynamics 1.0 names: ndof, jointsName, load_par (false and a message on a bad file)
  if ({built.cls}::ndof != {built.cls}::nv || r.jointsName() != {built.cls}::joint_names()) {{
    std::printf("1.0 names\\n"); ++failures; }}
  {{ std::string err;
    if (r.load_par("/nonexistent/par.yaml", &err) || err.find("cannot read") == std::string::npos) {{
      std::printf("load_par: %s\\n", err.c_str()); ++failures; }} }}
{named}
  expect_throw([&] {{ r.set_{first_set}(Eigen::VectorXd::Zero(r.get_{first_set}().size() + 1)); }},
               "set_{first_set}: expected a vector of size {len(manifest["params"][0]["elements"])}");
  expect_throw([&] {{ r.eval("no_such_function"); }}, "unknown function 'no_such_function'");
{getters}
  Eigen::VectorXd p = r.get_{first_set}();
  if (p.size()) p[0] += 1.0;
  r.set_{first_set}(p);
  if (r.get_{first_set}() != p) {{ std::printf("set/get_{first_set}\\n"); ++failures; }}
  return failures;
}}
"""
    run = _run_program(built, src, tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr


def _run_program(built, src, tmp_path):
    """Compiles `src` (a main() using the generated class) against the built static library with
    the compiler CMake chose, runs it, returns the CompletedProcess."""
    cache = (built.build / "CMakeCache.txt").read_text()
    cxx = re.search(r"^CMAKE_CXX_COMPILER:\w+=(.*)$", cache, re.M).group(1)
    prefix = _cmeel_prefix()
    (tmp_path / "check.cpp").write_text(src)
    cmd = [cxx, "-std=c++17", "-O0", f"-I{built.src}", str(tmp_path / "check.cpp"),
           str(built.build / f"lib{built.cls}.a"), "-o", str(tmp_path / "check")]
    if prefix:
        cmd[3:3] = [f"-I{prefix / 'include' / 'eigen3'}"]
        cmd += [f"-L{prefix / 'lib'}", f"-Wl,-rpath,{prefix / 'lib'}"]
    cmd += ["-lyaml-cpp", "-lm"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=HANG_GUARD)
    assert proc.returncode == 0, proc.stderr
    return subprocess.run([str(tmp_path / "check")], capture_output=True, text=True, timeout=HANG_GUARD)


FLYER_URDF = """<robot name="flyer">
  <link name="base"><inertial><origin xyz="0 0 0"/><mass value="2"/>
    <inertia ixx="0.1" ixy="0" ixz="0" iyy="0.2" iyz="0" izz="0.3"/></inertial></link>
  <joint name="j1" type="revolute"><parent link="base"/><child link="arm"/><origin xyz="0.1 0 0"/>
    <axis xyz="0 0 1"/><limit effort="1" velocity="1" lower="-1" upper="1"/></joint>
  <link name="arm"><inertial><origin xyz="0.1 0 0"/><mass value="1"/>
    <inertia ixx="0.01" ixy="0" ixz="0" iyy="0.01" iyz="0" izz="0.01"/></inertial></link>
</robot>
"""


def test_floating_base_starts_neutral_and_refuses_a_zero_quaternion(tmp_path):
    # The generated rotation of a zero quaternion is the identity: a default q of zeros (what the
    # class and its example started from) was a silent wrong orientation.
    (tmp_path / "flyer.urdf").write_text(FLYER_URDF)
    out = tmp_path / "out"
    run_thunder("gen", tmp_path / "flyer.urdf", "--floating-base", "-o", out, "--targets", "cpp",
                "--functions", "G,integrate", "-q", timeout=HANG_GUARD)
    b = _build(out, json.loads((out / "manifest.json").read_text()))
    # the example starts at the neutral configuration: base quaternion (0, 0, 0, 1)
    help_vars = {name: n for kind, name, n in _help_inputs(b) if kind == "variable"}
    assert help_vars["q"] == 8
    proc = b.run(stdin=" ".join(["0"] * 8), check=False)   # q given with a zero quaternion
    assert proc.returncode == 1 and "q[3:7] (the base quaternion x, y, z, w) is zero" in proc.stderr
    src = f"""
#include <cstdio>
#include <stdexcept>
#include "{b.cls}.h"
int main() {{
  {b.cls} r;
  const Eigen::VectorXd q = r.get_variable("q");
  std::printf("%g %g %g %g\\n", q[3], q[4], q[5], q[6]);
  try {{ r.set_q(Eigen::VectorXd::Zero(8)); }} catch (const std::invalid_argument& e) {{ std::printf("%s\\n", e.what()); }}
  return 0;
}}
"""
    lines = _run_program(b, src, tmp_path).stdout.splitlines()
    assert lines[0].split() == ["0", "0", "0", "1"]
    assert "set_q: q[3:7] (the base quaternion x, y, z, w) is zero" in lines[1]
