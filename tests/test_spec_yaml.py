"""The thunder YAML reader: values against the files read independently with PyYAML, errors for
bad input (file, line, field), inertial parameter files and physical-consistency warnings.

Numbers are compared exactly: both sides parse the same decimal text to the nearest double.
Values computed here (rotated/merged inertia) are compared to 1e-12 relative: a few roundings.
"""
import json
import math

import numpy as np
import pytest
import yaml

from conftest import ROBOTS, run_thunder

INERTIAL_KEYS = ["mass", "CoM_x", "CoM_y", "CoM_z", "Ixx", "Ixy", "Ixz", "Iyy", "Iyz", "Izz"]


def check_json(path, *extra):
    proc = run_thunder("check", path, "--json", *extra)
    return json.loads(proc.stdout), proc


def load_yaml(path):
    with open(path) as f:
        return yaml.safe_load(f)


def values(ss):
    return [s["value"] for s in ss]


def flags(ss):
    return [int(s["symbolic"]) for s in ss]


# ---------------------------------------------------------------------------------------------
# The shared configs load, with the file's numbers.

@pytest.mark.parametrize("robot", ["RRR", "seaRRR", "franka"])
def test_shared_config_matches_file(robot):
    path = ROBOTS / f"{robot}.yaml"
    ref = load_yaml(path)
    spec, _ = check_json(path)
    n = ref["num_joints"]
    assert spec["name"] == robot
    assert spec["format"] == "thunder-yaml"
    assert spec["source_file"] == str(path)
    assert spec["n"] == n and len(spec["joints"]) == n and len(spec["links"]) == n
    assert spec["base_link"] == "link0" and spec["ee_link"] == "ee"

    # Kinematics: DH rows and flags, in file order.
    dh = [x for j in spec["joints"] for x in values(j["dh"])]
    assert dh == [float(x) for x in ref["kinematics"]["DH"]]
    assert [x for j in spec["joints"] for x in flags(j["dh"])] == ref["kinematics"]["symb"]
    for i, j in enumerate(spec["joints"]):
        assert j["name"] == f"joint{i + 1}"
        assert j["origin"] == "DH" and j["axis"] == [0, 0, 1]
        t = ref["type_joints"][i]
        assert j["type"] == t[0]
        assert j["elastic"] == (t.endswith("_SEA") and bool(ref.get("ELASTIC_MODEL", True)))
        assert [s["field"] for s in j["dh"]] == [f"kinematics.DH[{4 * i + c}]" for c in range(4)]

    assert values(spec["gravity"]) == [float(x) for x in ref["gravity"]["value"]]
    assert flags(spec["gravity"]) == ref["gravity"]["symb"]
    for key, name in [("base", "Base_to_L0"), ("ee", "Ln_to_EE")]:
        assert values(spec[key]["tr"]) == [float(x) for x in ref[name]["tr"]]
        assert values(spec[key]["ypr"]) == [float(x) for x in ref[name]["ypr"]]
        assert flags(spec[key]["tr"]) + flags(spec[key]["ypr"]) == ref[name]["symb"]
        assert spec[key]["ypr"][2]["field"] == f"{name}.ypr[2]"

    # Dynamics: inertial keys by name (franka.yaml lists them in another order), friction.
    dl_order = ref.get("Dl_order", len(ref["dynamics"]["link1"].get("friction", {}).get("Dl", [])))
    assert spec["Dl_order"] == dl_order
    for i, link in enumerate(spec["links"]):
        r = ref["dynamics"][f"link{i + 1}"]
        assert link["name"] == f"link{i + 1}"
        got = [link["mass"]] + link["com"] + link["inertia"]
        assert values(got) == [float(r["inertial"][k]) for k in INERTIAL_KEYS]
        assert flags(got) == r["inertial"]["symb"]
        assert [s["field"] for s in got] == [f"dynamics.link{i + 1}.inertial.{k}" for k in INERTIAL_KEYS]
        if dl_order:
            assert values(link["friction"]) == [float(x) for x in r["friction"]["Dl"][:dl_order]]
            assert flags(link["friction"]) == r["friction"]["symb"][:dl_order]
            assert link["friction"][1]["field"] == f"dynamics.link{i + 1}.friction.Dl[1]"
        else:
            assert link["friction"] == []

    # Elastic joints.
    assert spec["elastic_model"] == bool(ref.get("ELASTIC_MODEL", False))
    if spec["elastic_model"]:
        el = ref["elastic"]
        assert (spec["K_order"], spec["D_order"], spec["Dm_order"]) == (el["K_order"], el["D_order"], el["Dm_order"])
        sea = [i for i, t in enumerate(ref["type_joints"]) if t.endswith("_SEA")]
        assert [e["joint"] for e in spec["elastic"]] == sea
        for e, (key, r) in zip(spec["elastic"], el["joints"].items()):  # matched by position
            for k in ["K", "D", "Dm"]:
                assert values(e[k]) == [float(x) for x in r[k]]
                assert flags(e[k]) == r[f"{k}_symb"]
            assert e["Mm"]["value"] == float(r["Mm"]) and int(e["Mm"]["symbolic"]) == r["Mm_symb"]
            assert e["Mm"]["field"] == f"elastic.joints.{key}.Mm"
    else:
        assert spec["elastic"] == []


def test_seaRRR_elastic_values():
    spec, _ = check_json(ROBOTS / "seaRRR.yaml")
    assert [j["elastic"] for j in spec["joints"]] == [True, False, False]
    (e,) = spec["elastic"]
    assert e["joint"] == 0 and values(e["K"]) == [1.0] and e["D"] == [] and values(e["Dm"]) == [0.1]
    assert e["K"][0]["field"] == "elastic.joints.joint1.K[0]"


def test_name_option():
    spec, _ = check_json(ROBOTS / "RRR.yaml", "-n", "myrobot")
    assert spec["name"] == "myrobot"


# ---------------------------------------------------------------------------------------------
# Inertial parameter files (franka_inertial.yaml format).

def inertia(v):
    xx, xy, xz, yy, yz, zz = v
    return np.array([[xx, xy, xz], [xy, yy, yz], [xz, yz, zz]])


def test_franka_with_inertial_file():
    ref = load_yaml(ROBOTS / "franka_inertial.yaml")
    spec, proc = check_json(ROBOTS / "franka.yaml", "--par", ROBOTS / "franka_inertial.yaml")
    assert spec["warnings"] == [] and "warning" not in proc.stderr
    for i, link in enumerate(spec["links"]):
        r = ref[f"link{i + 1}"]
        assert link["mass"]["value"] == float(r["mass"])
        assert values(link["com"]) == [float(x) for x in r["origin"]["xyz"]]
        assert values(link["inertia"]) == [float(r["inertia"][k]) for k in ["xx", "xy", "xz", "yy", "yz", "zz"]]
        # The field still names the parameter of the robot file.
        assert link["mass"]["field"] == f"dynamics.link{i + 1}.inertial.mass"
    # link7's CoM differs between the two files: the parameter file wins.
    assert spec["links"][6]["com"][2]["value"] == 6.1597e-02


def rot(r, p, y):
    cr, sr, cp, sp, cy, sy = math.cos(r), math.sin(r), math.cos(p), math.sin(p), math.cos(y), math.sin(y)
    Rz = np.array([[cy, -sy, 0], [sy, cy, 0], [0, 0, 1]])
    Ry = np.array([[cp, 0, sp], [0, 1, 0], [-sp, 0, cp]])
    Rx = np.array([[1, 0, 0], [0, cr, -sr], [0, sr, cr]])
    return Rz @ Ry @ Rx


def body(xyz, rpy, mass, I):
    xx, yy, zz, xy, xz, yz = I
    return {"origin": {"xyz": list(xyz), "rpy": list(rpy)}, "mass": mass,
            "inertia": {"xx": xx, "yy": yy, "zz": zz, "xy": xy, "xz": xz, "yz": yz},
            "friction": {"d1": 0.5, "d2": 0.05, "d3": 9.0}}


def test_inertial_file_rotation_friction_and_ee_merge(tmp_path):
    # RRR with Ln_to_EE tr [1, 0, 0], ypr [0, 0, -pi/2]; Dl_order 2.
    par = {"link0": body([0, 0, 0], [0, 0, 0], 1.0, [1, 1, 1, 0, 0, 0])}
    links = [([0.1, 0.2, 0.3], [0.3, -0.2, 0.7], 2.0, [0.3, 0.2, 0.25, 0.01, -0.02, 0.03]),
             ([0.0, 0.1, 0.0], [0, 0, 0], 1.5, [0.1, 0.1, 0.1, 0, 0, 0]),
             ([0.2, 0.0, -0.1], [0, 0.5, 0], 3.0, [0.2, 0.3, 0.4, 0, 0, 0])]
    for k, b in enumerate(links):
        par[f"link{k + 1}"] = body(*b)
    ee = body([0.05, 0.0, 0.02], [0.1, 0.2, 0.3], 0.5, [0.01, 0.02, 0.015, 0.001, 0.0, 0.0])
    ee["use_EE"] = 1
    par["end_effector"] = ee
    p = tmp_path / "par.yaml"
    p.write_text(yaml.safe_dump(par))
    spec, _ = check_json(ROBOTS / "RRR.yaml", "--par", p)
    robot = load_yaml(ROBOTS / "RRR.yaml")

    def as_matrix(b):
        xx, yy, zz, xy, xz, yz = b[3]
        return rot(*b[1]) @ np.array([[xx, xy, xz], [xy, yy, yz], [xz, yz, zz]]) @ rot(*b[1]).T

    for k in range(2):
        link = spec["links"][k]
        assert link["mass"]["value"] == links[k][2]
        assert values(link["com"]) == links[k][0]
        np.testing.assert_allclose(inertia(values(link["inertia"])), as_matrix(links[k]), rtol=1e-12, atol=1e-15)
        assert values(link["friction"]) == [0.5, 0.05]  # first Dl_order = 2 of d1, d2, d3
        assert flags(link["friction"]) == [0, 0]
        assert flags([link["mass"]]) == [1]  # symbolic flags of the robot file are kept

    # Link 3 merged with the EE body (given in the EE frame).
    tr = np.array(robot["Ln_to_EE"]["tr"], dtype=float)
    yaw, pitch, roll = robot["Ln_to_EE"]["ypr"]
    R = rot(roll, pitch, yaw)
    m1, c1, I1 = links[2][2], np.array(links[2][0]), as_matrix(links[2])
    m2 = 0.5
    c2 = tr + R @ np.array([0.05, 0.0, 0.02])
    I2 = R @ as_matrix((None, [0.1, 0.2, 0.3], None, [0.01, 0.02, 0.015, 0.001, 0.0, 0.0])) @ R.T
    m = m1 + m2
    c = (m1 * c1 + m2 * c2) / m

    def shift(mass, d):
        return mass * (d @ d * np.eye(3) - np.outer(d, d))

    I = I1 + shift(m1, c1 - c) + I2 + shift(m2, c2 - c)
    link = spec["links"][2]
    assert link["mass"]["value"] == pytest.approx(m, rel=1e-15)
    np.testing.assert_allclose(values(link["com"]), c, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(inertia(values(link["inertia"])), I, rtol=1e-12, atol=1e-15)


def test_inertial_file_errors(tmp_path):
    par = load_yaml(ROBOTS / "franka_inertial.yaml")
    del par["link4"]["inertia"]["yz"]
    p = tmp_path / "par.yaml"
    p.write_text(yaml.safe_dump(par, sort_keys=False))
    proc = run_thunder("check", ROBOTS / "franka.yaml", "--par", p, check=False)
    assert proc.returncode == 1
    assert str(p) in proc.stderr and "link4.inertia.yz" in proc.stderr
    # A robot file passed as --par.
    proc = run_thunder("check", ROBOTS / "franka.yaml", "--par", ROBOTS / "RRR.yaml", check=False)
    assert proc.returncode == 1 and "not an inertial parameter file" in proc.stderr


def test_inertial_file_as_robot_is_an_error():
    proc = run_thunder("check", ROBOTS / "franka_inertial.yaml", check=False)
    assert proc.returncode == 1
    assert "this is an inertial parameter file, not a robot description; pass it with --par" in proc.stderr


# The other per-link layouts thunder_dynamics has written: flat (its v0.1 test robots R15/R30,
# the dynamics block of a v0.2 file) and first moments (Robot::save_par_REG).

FLAT = [dict(zip(INERTIAL_KEYS, v)) for v in (
    [2.0, 0.1, -0.2, 0.3, 0.3, 0.01, -0.02, 0.2, 0.03, 0.25],
    [1.5, 0.0, 0.1, 0.0, 0.1, 0.0, 0.0, 0.12, 0.0, 0.11],
    [3.0, 0.2, 0.0, -0.1, 0.2, 0.001, 0.002, 0.3, -0.003, 0.4])]


def assert_link_values(link, d):
    """The spec's link equals the flat parameters d (CoM, inertia about the CoM)."""
    assert link["mass"]["value"] == pytest.approx(d["mass"], rel=1e-15)
    np.testing.assert_allclose(values(link["com"]), [d["CoM_x"], d["CoM_y"], d["CoM_z"]], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(values(link["inertia"]), [d[k] for k in ("Ixx", "Ixy", "Ixz", "Iyy", "Iyz", "Izz")],
                               rtol=1e-12, atol=1e-15)


def test_v01_file_with_flat_inertial_block(tmp_path):
    """thunder_dynamics' testRobots/R15.yaml: version 0.1, `inertial:` with link1..linkn as flat
    mass, CoM_x, ..., Izz and no link0."""
    text = ("version: 0.1\nnum_joints: 3\ntype_joints: ['R', 'R', 'R']\n"
            "DH: [0, 0, 1, 0,  0, 1.5707963267948966, 0, 0,  0, -1.5707963267948966, 2, 0]\n"
            "gravity: [0, 0, -9.81]\nBase_to_L0:\n  tr: [0, 0, 0]\n  ypr: [0, 0, 0]\n"
            "Ln_to_EE:\n  tr: [1, 0, 0]\n  ypr: [0, 0, -1.5707963267948966]\ninertial:\n")
    for k, d in enumerate(FLAT):
        text += f"  link{k + 1}:\n" + "".join(f"    {key}: {v}\n" for key, v in d.items())
    p = write(tmp_path, text, "R3.yaml")
    spec, proc = check_json(p)
    assert "warning" not in proc.stderr
    for link, d in zip(spec["links"], FLAT):
        assert_link_values(link, d)
    # an unknown key in the flat form is an error naming it
    bad = write(tmp_path, text.replace("    Iyz: 0.0\n", "    Iyy_z: 0.0\n", 1), "bad.yaml")
    proc = run_thunder("check", bad, check=False)
    assert proc.returncode == 1
    assert "inertial.link2.Iyy_z: unknown inertial key 'Iyy_z'" in proc.stderr


@pytest.mark.parametrize("form", ["dynamics_flat", "dynamics_first_moments", "top_flat", "dynamics_lists"])
def test_par_file_in_thunders_saved_layouts(tmp_path, form):
    links = {}
    for k, d in enumerate(FLAT):
        if form == "dynamics_first_moments":
            m, c = d["mass"], np.array([d["CoM_x"], d["CoM_y"], d["CoM_z"]])
            Ic = inertia([d[k] for k in ("Ixx", "Ixy", "Ixz", "Iyy", "Iyz", "Izz")])
            Io = Ic + m * (c @ c * np.eye(3) - np.outer(c, c))  # about the link frame's origin
            entry = {k: float(v) for k, v in {
                "mass": m, "m_CoM_x": m * c[0], "m_CoM_y": m * c[1], "m_CoM_z": m * c[2], "Ixx": Io[0, 0],
                "Ixy": Io[0, 1], "Ixz": Io[0, 2], "Iyy": Io[1, 1], "Iyz": Io[1, 2], "Izz": Io[2, 2]}.items()}
        elif form == "dynamics_lists":  # thunder 1.0's CoM: [..] and I: [..]
            entry = {"mass": d["mass"], "CoM": [d["CoM_x"], d["CoM_y"], d["CoM_z"]],
                     "I": [d[k] for k in ("Ixx", "Ixy", "Ixz", "Iyy", "Iyz", "Izz")]}
        else:
            entry = dict(d)
        fr = [0.7 + k, 0.07 * (k + 1)]
        if form == "top_flat":
            links[f"link{k + 1}"] = {**entry, "Dl": fr}
        elif form in ("dynamics_flat", "dynamics_lists"):
            links[f"link{k + 1}"] = {"inertial": entry, "friction": {"Dl": fr}}
        else:  # save_par_REG writes no friction: the robot's stays
            links[f"link{k + 1}"] = {"inertial": entry}
    par = {"dynamics": links} if form.startswith("dynamics") else links
    p = tmp_path / "par.yaml"
    p.write_text(yaml.safe_dump(par))
    spec, _ = check_json(ROBOTS / "RRR.yaml", "--par", p)
    robot = load_yaml(ROBOTS / "RRR.yaml")
    for k, (link, d) in enumerate(zip(spec["links"], FLAT)):
        assert_link_values(link, d)
        kept = robot["dynamics"][f"link{k + 1}"]["friction"]["Dl"]
        assert values(link["friction"]) == (kept if form == "dynamics_first_moments" else [0.7 + k, 0.07 * (k + 1)])
        assert link["mass"]["field"] == f"dynamics.link{k + 1}.inertial.mass"


TWO_LINK_URDF = """<?xml version="1.0"?>
<robot name="two">
  <link name="base"/>
  <link name="upper"><inertial><origin xyz="0.1 0 0"/><mass value="1"/>
    <inertia ixx="0.1" ixy="0" ixz="0" iyy="0.1" iyz="0" izz="0.1"/></inertial></link>
  <link name="lower"><inertial><origin xyz="0 0.2 0"/><mass value="2"/>
    <inertia ixx="0.2" ixy="0" ixz="0" iyy="0.2" iyz="0" izz="0.2"/></inertial></link>
  <joint name="j1" type="revolute"><parent link="base"/><child link="upper"/><axis xyz="0 0 1"/></joint>
  <joint name="j2" type="revolute"><parent link="upper"/><child link="lower"/><axis xyz="0 1 0"/></joint>
</robot>
"""


def test_par_file_over_a_urdf_names_links_by_name_and_may_leave_some_out(tmp_path):
    urdf = write(tmp_path, TWO_LINK_URDF, "two.urdf")
    p = tmp_path / "par.yaml"
    p.write_text(yaml.safe_dump({"lower": {**FLAT[0]}}))   # only the second body, by its URDF name
    spec, _ = check_json(urdf, "--par", p)
    assert_link_values(spec["links"][1], FLAT[0])
    assert spec["links"][0]["mass"]["value"] == 1.0   # left out: the URDF's values stay
    np.testing.assert_allclose(values(spec["links"][0]["com"]), [0.1, 0, 0])
    p.write_text(yaml.safe_dump({"link1": {**FLAT[1]}, "link2": {**FLAT[2]}}))   # or by number: every link
    spec, _ = check_json(urdf, "--par", p)
    assert_link_values(spec["links"][0], FLAT[1])
    assert_link_values(spec["links"][1], FLAT[2])
    p.write_text(yaml.safe_dump({"link1": {**FLAT[1]}}))   # thunder's numbering lists them all, as thunder reads it
    proc = run_thunder("check", urdf, "--par", p, check=False)
    assert proc.returncode == 1 and "missing required key 'link2'" in proc.stderr, proc.stderr
    for bad, message in (({"lowr": FLAT[0]}, "no link named 'lowr' in the robot"),
                         ({"lowr": FLAT[0]}, "did you mean 'lower'"),
                         ({"lower": FLAT[0], "link2": FLAT[1]}, "link 2 is given twice")):
        p.write_text(yaml.safe_dump(bad))
        proc = run_thunder("check", urdf, "--par", p, check=False)
        assert proc.returncode == 1 and message in proc.stderr, proc.stderr


def test_first_moments_without_mass_are_an_error(tmp_path):
    par = {"dynamics": {f"link{k + 1}": {"inertial": {"mass": 0.0 if k == 1 else 1.0, "m_CoM_x": 0.1,
                                                      "m_CoM_y": 0, "m_CoM_z": 0, "Ixx": 1, "Ixy": 0, "Ixz": 0,
                                                      "Iyy": 1, "Iyz": 0, "Izz": 1},
                                         "friction": {"Dl": [0, 0]}} for k in range(3)}}
    p = tmp_path / "par.yaml"
    p.write_text(yaml.safe_dump(par))
    proc = run_thunder("check", ROBOTS / "RRR.yaml", "--par", p, check=False)
    assert proc.returncode == 1
    assert "dynamics.link2.inertial.m_CoM_x: first moments m_CoM_* without mass" in proc.stderr


# ---------------------------------------------------------------------------------------------
# Dl_order rules.

RRR_TEXT = (ROBOTS / "RRR.yaml").read_text()


def write(tmp_path, text, name="robot.yaml"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_Dl_order_explicit_keeps_first(tmp_path):
    p = write(tmp_path, RRR_TEXT.replace("num_joints: 3", "num_joints: 3\nDl_order: 1"))
    spec, _ = check_json(p)
    assert spec["Dl_order"] == 1
    assert [values(l["friction"]) for l in spec["links"]] == [[0.1]] * 3


def test_Dl_order_zero_and_absent_friction(tmp_path):
    p = write(tmp_path, RRR_TEXT.replace("num_joints: 3", "num_joints: 3\nDl_order: 0"))
    spec, _ = check_json(p)
    assert spec["Dl_order"] == 0 and all(l["friction"] == [] for l in spec["links"])


def test_defaults_for_optional_sections(tmp_path):
    text = RRR_TEXT
    for section in ["gravity:", "Base_to_L0:", "Ln_to_EE:"]:
        start = text.index(section)
        end = text.index("\n\n", start)
        text = text[:start] + text[end:]
    text = text.replace("  symb: [0,0,0,0, 0,0,0,0, 0,0,0,0]\n", "")
    spec, _ = check_json(write(tmp_path, text))
    assert values(spec["gravity"]) == [0, 0, -9.81] and flags(spec["gravity"]) == [0, 0, 0]
    for key in ["base", "ee"]:
        assert values(spec[key]["tr"]) + values(spec[key]["ypr"]) == [0] * 6
        assert flags(spec[key]["tr"]) + flags(spec[key]["ypr"]) == [0] * 6
    assert all(flags(j["dh"]) == [0] * 4 for j in spec["joints"])


# ---------------------------------------------------------------------------------------------
# Bad input: one error line naming file, line and field.

SEA_TEXT = (ROBOTS / "seaRRR.yaml").read_text()


def line_of(text, marker, nth=0):
    lines = [i + 1 for i, l in enumerate(text.splitlines()) if marker in l]
    return lines[nth]


def replace_nth(text, old, new, nth):
    idx = -1
    for _ in range(nth + 1):
        idx = text.index(old, idx + 1)
    return text[:idx] + new + text[idx + len(old):]


# (id, base text, mutation, field in the message, marker of the expected line, words expected)
CASES = [
    ("missing_num_joints", RRR_TEXT, lambda t: t.replace("num_joints: 3\n", ""), "num_joints",
     "version: 0.2", "missing required key"),
    ("missing_type_joints", RRR_TEXT, lambda t: t.replace("type_joints: ['R', 'R', 'R']\n", ""), "type_joints",
     "version: 0.2", "missing required key"),
    ("missing_DH", RRR_TEXT, lambda t: t.replace("  DH: [0,  0,      1, 0,\n       0,  *PI_2,  0, 0,\n"
                                               "       1,  0,      0, 0]\n", ""), "kinematics.DH",
     "symb: [0,0,0,0, 0,0,0,0, 0,0,0,0]", "missing required key"),
    ("missing_dynamics", RRR_TEXT, lambda t: t[:t.index("dynamics:")], "dynamics", "version: 0.2",
     "missing required key"),
    ("missing_link", RRR_TEXT, lambda t: t[:t.index("  link3:")], "dynamics.link3", "  link1:",
     "missing required key"),
    ("missing_inertial", RRR_TEXT, lambda t: t.replace("  link2:\n    inertial:", "  link2:\n    inertialx:"),
     "dynamics.link2.inertial", "inertialx:", "missing required key"),
    ("missing_inertial_key", RRR_TEXT, lambda t: replace_nth(t, "      Iyz: 1.0\n", "", 1),
     "dynamics.link2.inertial.Iyz", ("symb: [1,1,1,1,1,1,1,1,1,1]", 1), "missing required key"),
    ("unknown_inertial_key", RRR_TEXT, lambda t: replace_nth(t, "      Iyz: 1.0\n", "      Iyz: 1.0\n      Ixyz: 2\n", 2),
     "dynamics.link3.inertial.Ixyz", "Ixyz", "unknown inertial key"),
    ("DH_length", RRR_TEXT, lambda t: t.replace("1,  0,      0, 0]", "1,  0,      0]"), "kinematics.DH",
     "DH: [0,", "expected 12"),
    ("DH_symb_length", RRR_TEXT, lambda t: t.replace("symb: [0,0,0,0, 0,0,0,0, 0,0,0,0]", "symb: [0,0,0,0]"),
     "kinematics.symb", "symb: [0,0,0,0]", "expected 12 flags"),
    ("inertial_symb_length", RRR_TEXT, lambda t: t.replace("symb: [1,1,1,1,1,1,1,1,1,1]", "symb: [1,1]", 1),
     "dynamics.link1.inertial.symb", "symb: [1,1]", "expected 10 flags"),
    ("gravity_length", RRR_TEXT, lambda t: t.replace("value: [0, 0, -9.81]", "value: [0, -9.81]"),
     "gravity.value", "value: [0, -9.81]", "expected 3"),
    ("pose_symb_length", RRR_TEXT, lambda t: t.replace("symb: [1,1,1, 0,0,0]", "symb: [1,1,1]"),
     "Ln_to_EE.symb", "symb: [1,1,1]", "expected 6 flags"),
    ("type_joints_length", RRR_TEXT, lambda t: t.replace("['R', 'R', 'R']", "['R', 'R']"), "type_joints",
     "type_joints:", "expected 3 joint types"),
    ("unknown_joint_type", RRR_TEXT, lambda t: t.replace("['R', 'R', 'R']", "['R', 'X', 'R']"), "type_joints[1]",
     "type_joints:", "allowed: R, P, R_SEA, P_SEA"),
    ("non_numeric", RRR_TEXT, lambda t: replace_nth(t, "CoM_y: 1.0", "CoM_y: abc", 1),
     "dynamics.link2.inertial.CoM_y", "CoM_y: abc", "expected a number, got 'abc'"),
    ("non_numeric_list", RRR_TEXT, lambda t: t.replace("ypr: [0, 0, 0]", "ypr: [0, zero, 0]"),
     "Base_to_L0.ypr[1]", "zero", "expected a number"),
    ("nan", RRR_TEXT, lambda t: replace_nth(t, "mass: 1.0", "mass: .nan", 2), "dynamics.link3.inertial.mass",
     ".nan", "finite"),
    ("inf", RRR_TEXT, lambda t: t.replace("1,  0,      0, 0]", "1,  0,      -.inf, 0]"), "kinematics.DH[10]",
     "-.inf", "finite"),
    ("negative_num_joints", RRR_TEXT, lambda t: t.replace("num_joints: 3", "num_joints: -3"), "num_joints",
     "num_joints: -3", "positive integer"),
    ("fractional_num_joints", RRR_TEXT, lambda t: t.replace("num_joints: 3", "num_joints: 2.5"), "num_joints",
     "num_joints: 2.5", "positive integer"),
    ("zero_num_joints", RRR_TEXT, lambda t: t.replace("num_joints: 3", "num_joints: 0"), "num_joints",
     "num_joints: 0", "positive integer"),
    ("symb_flag", RRR_TEXT, lambda t: t.replace("symb: [0,0,0]", "symb: [0,2,0]"), "gravity.symb[1]",
     "symb: [0,2,0]", "0 or 1"),
    ("Dl_order_negative", RRR_TEXT, lambda t: t.replace("num_joints: 3", "num_joints: 3\nDl_order: -1"), "Dl_order",
     "Dl_order: -1", "non-negative integer"),
    ("Dl_order_too_big", RRR_TEXT, lambda t: t.replace("num_joints: 3", "num_joints: 3\nDl_order: 3"),
     "dynamics.link1.friction.Dl", "Dl: [0.1, 0.01]", "expected 3 coefficients"),
    ("friction_symb_length", RRR_TEXT, lambda t: t.replace("symb: [0,0]\n", "symb: [0]\n", 1),
     "dynamics.link1.friction.symb", "symb: [0]", "flags"),
    # v0.x entries are the elastic joints in type_joints order (by position, as thunder reads
    # them): one entry too few or too many is an error, a key naming another joint is not.
    ("elastic_missing_entry", SEA_TEXT, lambda t: t.replace("['R_SEA', 'R', 'R']", "['R_SEA', 'R', 'P_SEA']"),
     "elastic.joints", "joint1: ", "expected 2 entries"),
    ("elastic_extra_entry", SEA_TEXT, lambda t: t.replace("    joint1: \n", "    joint2: {K: [1], Dm: [1], Mm: 1}\n    joint1: \n"),
     "elastic.joints", "joint2: ", "expected 1 entries"),
    ("elastic_K_length", SEA_TEXT, lambda t: t.replace("K: [1.0]", "K: []"), "elastic.joints.joint1.K",
     "K: []", "expected 1 coefficients"),
    ("elastic_order_fraction", SEA_TEXT, lambda t: t.replace("K_order: 1", "K_order: 1.5"), "elastic.K_order",
     "K_order: 1.5", "non-negative integer"),
    ("elastic_missing_Mm", SEA_TEXT, lambda t: t.replace("      Mm: 1.0\n", ""), "elastic.joints.joint1.Mm",
     "K: [1.0]", "missing required key"),
    ("elastic_model_bool", SEA_TEXT, lambda t: t.replace("ELASTIC_MODEL: true", "ELASTIC_MODEL: maybe"),
     "ELASTIC_MODEL", "ELASTIC_MODEL: maybe", "true or false"),
    ("elastic_section_missing", SEA_TEXT, lambda t: t[:t.index("elastic:")], "elastic", "version: 0.3",
     "missing required key"),
    ("not_a_list", RRR_TEXT, lambda t: t.replace("value: [0, 0, -9.81]", "value: 9.81"), "gravity.value",
     "value: 9.81", "expected a list"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input(tmp_path, case):
    _, base, mutate, field, marker, words = case
    text = mutate(base)
    assert text != base
    p = write(tmp_path, text)
    proc = run_thunder("check", p, check=False)
    assert proc.returncode == 1, proc.stdout
    err = proc.stderr.strip()
    assert "\n" not in err and err.startswith("thunder: error: ")
    marker, nth = marker if isinstance(marker, tuple) else (marker, 0)
    line = line_of(text, marker, nth)
    assert f"{p}:{line}: {field}: " in err, err
    assert words in err


def test_missing_file(tmp_path):
    p = tmp_path / "nope.yaml"
    proc = run_thunder("check", p, check=False)
    assert proc.returncode == 1 and f"{p}: cannot open file" in proc.stderr


def test_not_yaml(tmp_path):
    p = write(tmp_path, "num_joints: 3\nkinematics:\n  DH: [1, 2\n  symb: [0]\n")
    proc = run_thunder("check", p, check=False)
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"thunder: error: {p}:") and "not valid YAML" in proc.stderr
    line = int(proc.stderr.split(f"{p}:")[1].split(":")[0])
    assert 3 <= line <= 4


def test_top_level_not_a_map(tmp_path):
    p = write(tmp_path, "- 1\n- 2\n")
    proc = run_thunder("check", p, check=False)
    assert proc.returncode == 1 and f"{p}:1: expected a YAML map" in proc.stderr


def test_unknown_extension(tmp_path):
    p = write(tmp_path, RRR_TEXT, name="robot.txt")
    proc = run_thunder("check", p, check=False)
    assert proc.returncode == 1 and "unknown robot file type '.txt'" in proc.stderr


# ---------------------------------------------------------------------------------------------
# Physical consistency.

def test_RRR_inertia_warning_and_strict():
    proc = run_thunder("check", ROBOTS / "RRR.yaml")
    warnings = [l for l in proc.stderr.splitlines() if l.startswith("warning: ")]
    assert len(warnings) == 3
    for k, w in enumerate(warnings):
        assert f"RRR.yaml: dynamics.link{k + 1}.inertial: inertia not positive definite" in w
    spec, _ = check_json(ROBOTS / "RRR.yaml")
    assert len(spec["warnings"]) == 3 and "positive definite" in spec["warnings"][0]
    proc = run_thunder("check", ROBOTS / "RRR.yaml", "--strict", check=False)
    assert proc.returncode == 1
    assert "dynamics.link1.inertial: inertia not positive definite" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_franka_has_no_warnings_even_strict():
    proc = run_thunder("check", ROBOTS / "franka.yaml", "--strict")
    assert proc.stderr == ""


def set_link2(text, mass, diag):
    text = replace_nth(text, "mass: 1.0", f"mass: {mass}", 1)
    for k, v in zip(["Ixx", "Iyy", "Izz"], diag):
        text = replace_nth(text, f"{k}: 1.0", f"{k}: {v}", 1)
    for k in ["Ixy", "Ixz", "Iyz"]:
        text = replace_nth(text, f"{k}: 1.0", f"{k}: 0.0", 1)
    return text


def test_triangle_inequality_and_mass_warnings(tmp_path):
    p = write(tmp_path, set_link2(RRR_TEXT, 0.0, [1.0, 1.0, 3.0]))
    spec, _ = check_json(p)
    link2 = [w for w in spec["warnings"] if "link2" in w]
    assert any("dynamics.link2.inertial.mass: mass must be positive, got 0" in w for w in link2)
    assert any("dynamics.link2.inertial: inertia violates the triangle inequality" in w for w in link2)


def test_strict_judges_after_par_file(tmp_path):
    # RRR's own inertia warns; a parameter file with valid bodies makes --strict pass.
    par = {f"link{k}": body([0, 0, 0], [0, 0, 0], 1.0, [0.1, 0.1, 0.1, 0, 0, 0]) for k in range(4)}
    p = write(tmp_path, yaml.safe_dump(par), name="par.yaml")
    proc = run_thunder("check", ROBOTS / "RRR.yaml", "--par", p, "--strict")
    assert "warning" not in proc.stderr
