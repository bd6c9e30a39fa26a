"""Robot input: nothing wrong is accepted silently, nothing crashes (issue 10, section 2).

Each case is one bad input and asserts the exit status (1 for bad input, never a signal) and the
error or warning text, with line numbers counted in the test from the text it wrote.
"""
import json
import math

import pytest

from conftest import ROBOTS, run_thunder


def error_line(proc):
    assert proc.returncode == 1, (proc.returncode, proc.stderr)   # not a crash (negative = signal)
    err = [line for line in proc.stderr.splitlines() if not line.startswith("warning: ")]
    assert len(err) == 1 and err[0].startswith("thunder: error: "), proc.stderr
    return err[0]


def line_of(text, needle, start=0):
    """1-based line of the first `needle` at or after line `start` (1-based)."""
    lines = text.splitlines()
    return next(i + 1 for i in range(start, len(lines)) if needle in lines[i])


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


RRR = (ROBOTS / "RRR.yaml").read_text()
# seaRRR.yaml's inertias (all entries 1) are not positive definite: made diagonal here, so that
# the elastic findings are the only ones.
SEA = ((ROBOTS / "seaRRR.yaml").read_text().replace("Ixy: 1.0", "Ixy: 0.0").replace("Ixz: 1.0", "Ixz: 0.0")
       .replace("Iyz: 1.0", "Iyz: 0.0"))


def test_self_referential_anchor_is_an_error_not_a_crash(tmp_path):
    f = write(tmp_path, "a.yaml", "a: &L [1, *L]\n")
    line = error_line(run_thunder("check", f, check=False))
    assert f"{f}:1: " in line and "nested more than 64 levels" in line


def test_alias_bomb_is_refused(tmp_path):
    # 10 levels of 10 aliases each: 10^10 values once expanded, from a few hundred bytes.
    text = "l0: &l0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
    for k in range(1, 10):
        text += f"l{k}: &l{k} [" + ", ".join([f"*l{k - 1}"] * 10) + "]\n"
    assert len(text) < 700
    f = write(tmp_path, "bomb.yaml", text)
    # The count in the message is taken while expanding, so the refusal came before the 10^10
    # values (no clock: an expanding reader would only end at conftest.HANG_GUARD).
    line = error_line(run_thunder("check", f, check=False))
    assert "values after expanding aliases" in line and "1000000" in line


def test_huge_file_is_refused_unread(tmp_path):
    f = tmp_path / "huge.yaml"
    with open(f, "w") as fh:
        fh.write("num_joints: 3\n")
        fh.write("# " + "x" * (17 << 20) + "\n")
    line = error_line(run_thunder("check", f, check=False))
    assert "the file is 17 MiB" in line and "over 16 MiB are refused" in line


@pytest.mark.parametrize("what", ["mass", "num_joints", "link1 block"])
def test_duplicate_keys_are_errors_with_both_lines(tmp_path, what):
    if what == "mass":
        first = line_of(RRR, "mass:")
        text = RRR.replace("      mass: 1.0\n", "      mass: 1.0\n      mass: 7.0\n", 1)
        second, key = first + 1, "mass"
    elif what == "num_joints":
        text = RRR.replace("num_joints: 3\n", "num_joints: 3\nnum_joints: 2\n", 1)
        first = line_of(RRR, "num_joints:")
        second, key = first + 1, "num_joints"
    else:
        start, end = line_of(RRR, "  link1:"), line_of(RRR, "  link2:")
        block = "\n".join(RRR.splitlines()[start - 1:end - 1]) + "\n"
        text = RRR.replace(block, block + block, 1)
        first, second, key = start, end, "link1"
    f = write(tmp_path, "dup.yaml", text)
    line = error_line(run_thunder("check", f, check=False))
    assert f"{f}:{second}: duplicate key '{key}' (first on line {first}, again on line {second})" in line


@pytest.mark.parametrize("typo,key,meant", [
    ("gravity:", "gravty", "gravity"), ("Ln_to_EE:", "Ln_to_ee", "Ln_to_EE"), ("  DH:", "DH_", "DH"),
])
def test_unknown_keys_warn_with_the_closest_key_and_fail_with_strict(tmp_path, typo, key, meant):
    lead = typo[:len(typo) - len(typo.lstrip())]
    text = RRR.replace(typo, lead + key + ":", 1)
    f = write(tmp_path, "typo.yaml", text)
    n = line_of(text, lead + key + ":")
    proc = run_thunder("check", f, check=False)
    if key == "DH_":   # a required key misspelled: the missing one is the error, the typo a hint
        assert proc.returncode == 1 and "missing required key 'DH'" in proc.stderr
        return
    assert proc.returncode == 0
    assert f"warning: {f}:{n}: " in proc.stderr and f"unknown key '{key}'; did you mean '{meant}'? (ignored)" in proc.stderr
    line = error_line(run_thunder("check", f, "--strict", check=False))
    assert f"{f}:{n}: " in line and f"unknown key '{key}'" in line and "[--strict]" in line


def test_a_misspelled_optional_key_does_not_silently_change_the_model(tmp_path):
    # gravty: the default gravity would be used without a word; now the warning says so.
    text = RRR.replace("gravity:", "gravty:", 1).replace("value: [0, 0, -9.81]", "value: [0, 0, -1.62]")
    f = write(tmp_path, "moon.yaml", text)
    proc = run_thunder("check", f, "--json")
    assert "unknown key 'gravty'" in proc.stderr
    assert [g["value"] for g in json.loads(proc.stdout)["gravity"]] == [0, 0, -9.81]


def test_anchored_constants_and_the_shared_thunder_files_give_no_unknown_key_warning():
    for f in ["RRR.yaml", "seaRRR.yaml", "franka.yaml"]:
        for folder in [ROBOTS, ROBOTS.parents[1] / "shared" / "thunder_configs"]:
            if (folder / f).exists():
                proc = run_thunder("check", folder / f)
                assert "unknown key" not in proc.stderr, (folder / f, proc.stderr)
    assert "PI_2: &PI_2" in RRR


@pytest.mark.parametrize("field,old,new,message", [
    ("Mm", "Mm: 1.0", "Mm: -1.0", "motor inertia Mm must be positive, got -1"),
    ("K", "K: [1.0]", "K: [-2.0]", "stiffness K must be positive, got -2"),
    ("Mm", "Mm: 1.0", "Mm: 0", "motor inertia Mm must be positive, got 0"),
])
def test_negative_motor_inertia_and_stiffness_are_treated_like_negative_mass(tmp_path, field, old, new, message):
    assert old in SEA
    f = write(tmp_path, "sea.yaml", SEA.replace(old, new, 1))
    path = "elastic.joints.joint1." + ("Mm" if field == "Mm" else "K[0]")
    proc = run_thunder("check", f)
    assert f"warning: {f}: {path}: {message}" in proc.stderr
    line = error_line(run_thunder("check", f, "--strict", check=False))
    assert f"{path}: {message}" in line and "[--strict]" in line


def _urdf(joints_xml, links=("base", "l1", "l2", "hand", "f1", "f2")):
    inertial = ('<inertial><origin xyz="0 0 0"/><mass value="{m}"/>'
                '<inertia ixx="0.1" iyy="0.1" izz="0.1" ixy="0" ixz="0" iyz="0"/></inertial>')
    masses = {"base": None, "l1": 2.0, "l2": 1.0, "hand": None, "f1": 0.5, "f2": 0.5}
    body = "".join(f'<link name="{l}">{inertial.format(m=masses[l]) if masses[l] else ""}</link>' for l in links)
    return f'<robot name="grip">{body}{joints_xml}</robot>'


def _joint(name, type_, parent, child, xyz="0 0 0", axis="0 0 1", extra=""):
    return (f'<joint name="{name}" type="{type_}"><parent link="{parent}"/><child link="{child}"/>'
            f'<origin xyz="{xyz}"/><axis xyz="{axis}"/><limit lower="-1" upper="1" effort="1" velocity="1"/>'
            f'{extra}</joint>')


def test_a_mimic_joint_is_modelled_as_a_coupling_not_an_independent_joint(tmp_path):
    xml = _urdf(_joint("j1", "revolute", "base", "l1") +
                _joint("j2", "revolute", "l1", "l2", "0 0 0.5", extra='<mimic joint="j1" multiplier="-1" offset="0.2"/>'),
                links=("base", "l1", "l2"))
    spec = json.loads(run_thunder("check", write(tmp_path, "mimic.urdf", xml), "--json").stdout)
    j2 = spec["joints"][1]
    assert (j2["mimic"], j2["mimic_multiplier"], j2["mimic_offset"]) == (0, -1, 0.2)
    assert (spec["n"], spec["nq"], spec["nv"]) == (2, 1, 1)


def test_a_tool_joint_that_mimics_a_moving_joint_is_refused(tmp_path):
    xml = _urdf(_joint("j1", "revolute", "base", "l1") + _joint("hand_joint", "fixed", "l1", "hand", "0 0 0.5") +
                _joint("finger1", "prismatic", "hand", "f1", axis="0 1 0") +
                _joint("finger2", "prismatic", "hand", "f2", axis="0 -1 0", extra='<mimic joint="j1"/>'),
                links=("base", "l1", "hand", "f1", "f2"))
    line = error_line(run_thunder("check", write(tmp_path, "m.urdf", xml), "--ee", "hand", check=False))
    assert "joint[finger2].mimic" in line and "is locked" in line and "mimics joint j1, which moves" in line


def test_a_mimic_joint_in_a_locked_tool_is_locked_at_its_offset(tmp_path):
    # finger2 = 2 * finger1 + 0.1; finger1 is locked at 0, so finger2 sits 0.1 along its axis (-y).
    xml = _urdf(_joint("j1", "revolute", "base", "l1") + _joint("hand_joint", "fixed", "l1", "hand", "0 0 0.5") +
                _joint("finger1", "prismatic", "hand", "f1", axis="0 1 0") +
                _joint("finger2", "prismatic", "hand", "f2", axis="0 -1 0",
                       extra='<mimic joint="finger1" multiplier="2" offset="0.1"/>'),
                links=("base", "l1", "hand", "f1", "f2"))
    proc = run_thunder("check", write(tmp_path, "grip.urdf", xml), "--json", "--ee", "hand")
    assert "joint finger2 (prismatic) is locked at its mimic offset" in proc.stderr
    link = json.loads(proc.stdout)["links"][0]
    # CoM of l1 (2 kg at 0), f1 (0.5 kg at (0, 0, 0.5)) and f2 (0.5 kg at (0, -0.1, 0.5)), in l1's frame
    want = [0.0, 0.5 * -0.1 / 3.0, (0.5 * 0.5 + 0.5 * 0.5) / 3.0]
    assert link["mass"]["value"] == pytest.approx(3.0, abs=1e-15)
    for got, w in zip(link["com"], want):
        assert got["value"] == pytest.approx(w, abs=1e-15)


def _chain_yaml(n):
    dh, links = [], []
    for k in range(n):
        dh += [0.1, math.pi / 2 if k % 2 else 0.0, 0.0, 0.0]
        links.append(f"  link{k + 1}:\n    inertial:\n      mass: 1.0\n      CoM_x: 0.0\n      CoM_y: 0.0\n"
                     "      CoM_z: 0.05\n      Ixx: 0.01\n      Ixy: 0.0\n      Ixz: 0.0\n      Iyy: 0.01\n"
                     "      Iyz: 0.0\n      Izz: 0.01\n")
    return (f"num_joints: {n}\ntype_joints: [{', '.join(['R'] * n)}]\n"
            f"kinematics:\n  DH: [{', '.join(map(repr, dh))}]\ndynamics:\n" + "".join(links))


def test_a_huge_chain_is_refused_with_an_estimate_before_casadi_runs(tmp_path):
    f = write(tmp_path, "chain200.yaml", _chain_yaml(200))
    assert run_thunder("check", f).returncode == 0       # describing it is fine
    # refused from the estimate, before CasADi builds anything (no clock: see the alias bomb)
    line = error_line(run_thunder("gen", f, "-o", tmp_path / "out", check=False))
    assert "chain200 has 200 joints" in line and "estimated to take" in line and "--ignore-cost" in line
    # the estimate is the fit written in cli/cost.h: 33 s * (200/30)^2.85 = 2.0 h
    assert "2.0 h" in line
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["chain200.yaml"]


def test_thunders_own_coulomb_keys_are_known(tmp_path):
    """coulomb_friction / coulomb_smoothing and friction.Dc are keys of Thunder's format: no
    unknown-key warning."""
    text = (ROBOTS / "RRR.yaml").read_text()
    text = "coulomb_friction: true\ncoulomb_smoothing: 0.01\n" + text
    text = text.replace("    friction:\n", "    friction:\n      Dc: 0.1\n")
    proc = run_thunder("check", write(tmp_path, "coulomb.yaml", text))
    assert "unknown key" not in proc.stderr, proc.stderr
    assert "coulomb" in proc.stdout.lower()  # the summary shows the model is on
