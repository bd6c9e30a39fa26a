"""A parameter change that cannot take effect is an error, not a no-op (issue 10, section 3).

An element that is not symbolic is folded into the generated code as a constant: setting it at
run time would change nothing (M stays the same with a link mass of 100). thunder_torch
(`load_par`, assignment, in-place changes, per-call overrides) and the generated C++ class
(`set_par_*`, `load_conf`) refuse such a change with a message that says it was folded and how
to keep it symbolic; the same value as generated is accepted, so the generated parameter file
loads. Parameter files accept finite numbers only, with FILE:LINE: SET.ELEMENT in the error.

Robot under test: two joints, written here, with par_DYN partly symbolic (link1.mass only),
par_gravity partly symbolic (z only) and par_Dl folded entirely.
"""
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

thunder_torch = pytest.importorskip("thunder_torch")

ROBOT = """num_joints: 2
type_joints: ['R', 'R']
Dl_order: 1
kinematics:
  DH: [0, 0, 0.3, 0,  0.4, 1.5707963267948966, 0, 0]
gravity:
  symb: [0, 0, 1]
  value: [0, 0, -9.81]
dynamics:
  link1:
    inertial: {mass: 1.5, CoM_x: 0.1, CoM_y: 0.0, CoM_z: 0.05, Ixx: 0.02, Ixy: 0.0, Ixz: 0.0,
               Iyy: 0.03, Iyz: 0.0, Izz: 0.025, symb: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]}
    friction: {Dl: [0.2]}
  link2:
    inertial: {mass: 0.8, CoM_x: 0.2, CoM_y: 0.01, CoM_z: 0.0, Ixx: 0.01, Ixy: 0.0, Ixz: 0.0,
               Iyy: 0.015, Iyz: 0.0, Izz: 0.012}
    friction: {Dl: [0.3]}
"""
FOLDED = "it was folded into the generated code as the constant"


@pytest.fixture(scope="module")
def gen(tmp_path_factory, generate):
    p = tmp_path_factory.mktemp("robots") / "two.yaml"
    p.write_text(ROBOT)
    return generate(p, targets="cpp,casadi,torch")


@pytest.fixture
def robot(gen):
    return thunder_torch.load(gen.out, dtype=torch.float64)


def par_file(tmp_path, text, name="p.yaml"):
    f = tmp_path / name
    f.write_text(text)
    return f


Q = torch.tensor([0.4, -0.9], dtype=torch.float64)


# ---------------------------------------------------------------------------------------------
# thunder_torch

def test_load_par_of_a_folded_element_is_an_error_and_changes_nothing(robot, tmp_path):
    M = robot.M(Q)
    f = par_file(tmp_path, "par_DYN:\n  link1.mass: 1.5\n  link2.mass: 100\n")
    with pytest.raises(ValueError, match=rf"{f}:3: par_DYN.link2.mass: cannot set it to 100.0: {FOLDED} 0.8 "
                                         r".*--symb DYN"):
        robot.load_par(f)
    assert robot.par_DYN[0].item() == 1.5 and robot.par_DYN[10].item() == 0.8
    assert torch.equal(robot.M(Q), M)


def test_load_par_of_the_generated_file_and_a_saved_one(robot, gen, tmp_path):
    robot.load_par(gen.out / "two_par.yaml")  # folded values equal the generated ones
    f = tmp_path / "saved.yaml"
    robot.save_par(f)
    robot.load_par(f)


def test_load_par_changes_a_symbolic_element(robot, tmp_path):
    """link1.mass is symbolic: M's entry (2,2) does not depend on link 1 (joint 2 moves link 2
    only), entry (1,1) grows by the mass change times the squared CoM distance from axis 1."""
    M = robot.M(Q)
    robot.load_par(par_file(tmp_path, "par_DYN:\n  link1.mass: 2.5\n"))
    M2 = robot.M(Q)
    r2 = 0.1 ** 2  # link 1's CoM (0.1, 0, 0.05) from joint 1's z axis
    torch.testing.assert_close(M2[0, 0] - M[0, 0], torch.tensor(1.0 * r2, dtype=torch.float64), rtol=1e-12, atol=0)
    assert M2[1, 1].item() == M[1, 1].item()


def test_assignment_of_a_folded_element(robot):
    changed = robot.par_Dl.clone()
    changed[1] = 0.5
    with pytest.raises(ValueError, match=rf"par_Dl.link2.Dl1: cannot set it to 0.5: {FOLDED} 0.3 .*--symb Dl"):
        robot.par_Dl = changed
    robot.par_Dl = robot.par_Dl.clone()  # the same values: accepted
    with pytest.raises(ValueError, match="par_REG is derived from par_DYN"):
        robot.par_REG = robot.par_REG.detach()


def test_in_place_change_of_a_folded_element_fails_at_next_use(robot, tmp_path):
    with torch.no_grad():
        robot.par_Dl[0] = 7.0
    with pytest.raises(ValueError, match=rf"par_Dl.link1.Dl1: cannot set it to 7.0: {FOLDED} 0.2"):
        robot.dl(torch.ones(2, dtype=torch.float64))
    with pytest.raises(ValueError, match="par_Dl.link1.Dl1"):
        robot.save_par(tmp_path / "never.yaml")  # would write a value the code does not use
    with torch.no_grad():
        robot.par_Dl[0] = 0.2
    torch.testing.assert_close(robot.dl(torch.ones(2, dtype=torch.float64)),
                               torch.tensor([0.2, 0.3], dtype=torch.float64), rtol=0, atol=0)


def test_in_place_change_of_the_folded_part_of_a_symbolic_set(robot):
    with torch.no_grad():
        robot.par_DYN[0] = 3.0   # symbolic: fine
        robot.par_DYN[1] = 0.7   # link1.CoM_x, folded
    with pytest.raises(ValueError, match=r"par_DYN.link1.CoM_x: cannot set it to 0.7"):
        robot.M(Q)


def test_per_call_override_of_a_folded_set(robot):
    with pytest.raises(ValueError, match=r"dl: par_Dl cannot be overridden: all of it was folded.*--symb Dl"):
        robot.dl(torch.ones(2, dtype=torch.float64), par_Dl=torch.tensor([1.0, 1.0], dtype=torch.float64))


def test_per_call_override_of_a_partly_symbolic_set(robot):
    """gravity z is symbolic, x and y folded: G is linear in gravity, so doubling g doubles G."""
    g2 = torch.tensor([0.0, 0.0, -19.62], dtype=torch.float64)
    torch.testing.assert_close(robot.G(Q, par_gravity=g2), 2 * robot.G(Q), rtol=1e-14, atol=0)
    with pytest.raises(ValueError, match=r"G\(par_gravity=...\): par_gravity.gravity.x: cannot set it to 1.0"):
        robot.G(Q, par_gravity=torch.tensor([1.0, 0.0, -9.81], dtype=torch.float64))


def test_par_REG_file_is_judged_by_the_par_DYN_it_implies(robot, gen, tmp_path):
    reg = gen.param("par_REG")
    same = "par_REG:\n" + "".join(f"  {e}: {v!r}\n" for e, v in zip(reg["elements"], reg["values"]))
    robot.load_par(par_file(tmp_path, same))  # the generated par_REG: par_DYN unchanged
    assert robot.par_DYN[1].item() == 0.1
    values = list(reg["values"])
    values[11] *= 2  # link2.m_CoM_x: implies link2.CoM_x doubled
    changed = "par_REG:\n" + "".join(f"  {e}: {v!r}\n" for e, v in zip(reg["elements"], values))
    with pytest.raises(ValueError, match=r"par_DYN.link2.CoM_x: cannot set it to 0.4"):
        robot.load_par(par_file(tmp_path, changed, "changed.yaml"))


@pytest.mark.parametrize("text", [".nan", "nan", "inf", "-.inf", "'1e999'", "1e999", "true", "'0.5'", "[1]"])
def test_load_par_rejects_what_is_not_a_finite_number(robot, tmp_path, text):
    f = par_file(tmp_path, f"par_gravity:\n  gravity.z: -9.81\npar_DYN:\n  link1.mass: {text}\n")
    with pytest.raises(ValueError, match=rf"{f}:4: par_DYN.link1.mass: expected a finite number"):
        robot.load_par(f)
    assert robot.par_DYN[0].item() == 1.5


def test_load_par_reads_exponents_without_a_dot(robot, tmp_path):
    robot.load_par(par_file(tmp_path, "par_DYN:\n  link1.mass: 2e0\n"))
    assert robot.par_DYN[0].item() == 2.0


# ---------------------------------------------------------------------------------------------
# The generated C++ class, through its example program

@pytest.fixture(scope="module")
def example(gen):
    prefix = next(os.path.join(p, "cmeel.prefix") for p in sys.path if os.path.isdir(os.path.join(p, "cmeel.prefix")))
    build = gen.out / "cpp" / "build"
    if not build.exists():
        subprocess.run(["cmake", "-S", gen.out / "cpp", "-B", build, f"-DCMAKE_PREFIX_PATH={prefix}"],
                       check=True, capture_output=True)
        subprocess.run(["cmake", "--build", build, "-j2"], check=True, capture_output=True)
    return next(build.glob("thunder_*_example"))


def run_example(exe, *args, stdin=""):
    return subprocess.run([str(exe), "--no-eval", *map(str, args)], input=stdin, capture_output=True, text=True)


def stdin_for(exe, values):
    """Numbers for the example's stdin: zeros for variables, then `values` by set (the rest of the
    sets are not given)."""
    listing = subprocess.run([str(exe), "--help"], capture_output=True, text=True).stdout.splitlines()
    out = []
    for line in listing:
        parts = line.split()
        if parts[:1] == ["variable"]:
            out += ["0"] * int(parts[2])
        elif parts[:1] == ["param"]:
            if parts[1] not in values:
                break
            out += [repr(float(v)) for v in values[parts[1]]]
    return " ".join(out)


def test_cpp_load_conf_of_a_folded_element(example, tmp_path):
    f = par_file(tmp_path, "par_Dl:\n  link1.Dl1: 0.2\n  link2.Dl1: 0.25\n")
    proc = run_example(example, "--par", f)
    assert proc.returncode == 1
    assert (f"{f}:3: par_Dl.link2.Dl1: cannot set it to 0.25: {FOLDED} 0.3 at generation (it is not symbolic). "
            "Regenerate with `thunder gen ROBOT --symb Dl`") in proc.stderr


def test_cpp_load_conf_of_the_generated_file(example, gen, tmp_path):
    proc = run_example(example, "--par", gen.out / "two_par.yaml")
    assert proc.returncode == 0, proc.stderr
    proc = run_example(example, "--par", par_file(tmp_path, "par_DYN:\n  link1.mass: 2e0\n"))
    assert proc.returncode == 0 and "param par_DYN 20 2 0.1" in proc.stdout, proc.stderr


def test_cpp_set_par_of_a_folded_element(example, gen):
    dyn = np.array(gen.param("par_DYN")["values"])
    dyn[0] = 4.0  # link1.mass, symbolic
    proc = run_example(example, stdin=stdin_for(example, {"par_DYN": dyn}))
    assert proc.returncode == 0, proc.stderr
    assert "param par_DYN 20 4 " in proc.stdout
    dyn[12] = 0.5  # link2.CoM_y, folded
    proc = run_example(example, stdin=stdin_for(example, {"par_DYN": dyn}))
    assert proc.returncode == 1
    assert f"::set_par_DYN: par_DYN.link2.CoM_y: cannot set it to 0.5: {FOLDED} 0.01" in proc.stderr


def test_cpp_set_par_REG_judged_by_the_par_DYN_it_implies(example, gen):
    dyn = np.array(gen.param("par_DYN")["values"])
    reg = np.array(gen.param("par_REG")["values"])
    reg[11] *= 2  # link2.m_CoM_x
    proc = run_example(example, stdin=stdin_for(example, {"par_DYN": dyn, "par_REG": reg}))
    assert proc.returncode == 1
    assert "::set_par_REG: this par_REG implies par_DYN.link2.CoM_x: cannot set it to 0.4" in proc.stderr


@pytest.mark.parametrize("text", [".nan", ".inf", "-.inf", "nan", "inf", "'1e999'", "1e999", "true", "'0.5'"])
def test_cpp_load_conf_rejects_what_is_not_a_finite_number(example, tmp_path, text):
    f = par_file(tmp_path, f"par_gravity:\n  gravity.z: -9.81\npar_DYN:\n  link1.mass: {text}\n")
    proc = run_example(example, "--par", f)
    assert proc.returncode == 1
    assert f"{f}:4: par_DYN.link1.mass: expected a finite number" in proc.stderr
