"""URDF -> RobotSpec, checked against Pinocchio's own URDF parser (kinematics and merged inertias)
and on small hand-written URDFs (trees, chain selection with --ee, fixed-joint merging, locking,
mimic joints, floating bases, errors).

Tolerances: both sides compose the same few float64 rotations and translations (ours goes through
an rpy round trip where fixed joints are folded in), so frames agree to ~1e-15; 1e-12 leaves
room for the accumulation over 7 joints without hiding a wrong convention (which shows at 1e-2).
"""
import json
import re
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from conftest import Generated, example_robot_data_dir, run_thunder
from spec_helpers import forward_kinematics, gravity_torques, link_inertia, spec_check, spec_json

pin = pytest.importorskip("pinocchio")

TOL = 1e-12


def iiwa_urdf():
    """A plain (xacro-expanded) KUKA LBR iiwa 14 URDF: example-robot-data has none, the
    Robotics Toolbox data wheel (rtbdata) ships one."""
    import pathlib
    for p in sys.path:
        f = pathlib.Path(p) / "rtbdata/xacro/kuka_description/kuka_lbr_iiwa/urdf/lbr_iiwa_14_r820.urdf"
        if f.is_file():
            return f
    pytest.skip("no iiwa URDF installed (rtbdata)")


def robot_urdf(which):
    if which == "panda":
        return example_robot_data_dir() / "panda_description/urdf/panda.urdf"
    if which == "ur5":
        return example_robot_data_dir() / "ur_description/urdf/ur5_robot.urdf"
    if which == "iiwa":
        return iiwa_urdf()
    raise ValueError(which)


# (robot, extra CLI args, expected EE link, joints Pinocchio must lock to get the same chain)
CASES = [
    ("panda", ["--ee", "panda_hand"], "panda_hand", ["panda_finger_joint1", "panda_finger_joint2"]),
    ("ur5", [], "wrist_3_link", []),
    ("ur5", ["--ee", "tool0"], "tool0", []),
    ("iiwa", [], "link_7", []),
    ("iiwa", ["--ee", "tool0"], "tool0", []),
]
IDS = [f"{r}{'-' + a[1] if a and r != 'panda' else ''}" for r, a, _, _ in CASES]


def pinocchio_model(path, locked):
    model = pin.buildModelFromUrdf(str(path))
    if locked:
        ids = [model.getJointId(name) for name in locked]
        model = pin.buildReducedModel(model, ids, pin.neutral(model))
    return model


def pin_configuration(model, spec, q):
    """Pinocchio's q for the spec's joint values (continuous joints are (cos, sin) there)."""
    qp = pin.neutral(model)
    for j, qi in zip(spec["joints"], q):
        jm = model.joints[model.getJointId(j["name"])]
        if jm.nq == 1:
            qp[jm.idx_q] = qi
        else:
            qp[jm.idx_q:jm.idx_q + 2] = [np.cos(qi), np.sin(qi)]
    return qp


@pytest.mark.parametrize("robot,args,ee,locked", CASES, ids=IDS)
def test_chain_matches_pinocchio_kinematics(robot, args, ee, locked):
    path = robot_urdf(robot)
    spec = spec_json(path, *args)
    model = pinocchio_model(path, locked)
    data = model.createData()
    assert spec["format"] == "urdf"
    assert spec["ee_link"] == ee
    assert spec["n"] == model.njoints - 1 == len(spec["links"])
    # The same joints in the same order (Pinocchio numbers a chain's joints base to tip).
    assert [j["name"] for j in spec["joints"]] == list(model.names)[1:]
    assert all(j["origin"] == "xyz_rpy" and j["type"] in ("R", "P") for j in spec["joints"])
    ee_frame = model.getFrameId(ee, pin.BODY)
    rng = np.random.default_rng(7)
    for _ in range(10):
        q = rng.uniform(-np.pi, np.pi, spec["n"])
        pin.forwardKinematics(model, data, pin_configuration(model, spec, q))
        pin.updateFramePlacements(model, data)
        frames, T_ee = forward_kinematics(spec, q)
        for i, T in enumerate(frames):
            np.testing.assert_allclose(T, data.oMi[i + 1].homogeneous, atol=TOL, rtol=0,
                                       err_msg=f"frame of joint {spec['joints'][i]['name']}")
        np.testing.assert_allclose(T_ee, data.oMf[ee_frame].homogeneous, atol=TOL, rtol=0)


@pytest.mark.parametrize("robot,args,ee,locked", CASES, ids=IDS)
def test_merged_inertias_match_pinocchio(robot, args, ee, locked):
    """Pinocchio merges fixed-joint (and locked) bodies into the parent joint's body, expressed in
    the joint frame, which is the URDF child link frame: the same as a spec link."""
    path = robot_urdf(robot)
    spec = spec_json(path, *args)
    model = pinocchio_model(path, locked)
    for i, link in enumerate(spec["links"]):
        m, c, I = link_inertia(link)
        Y = model.inertias[i + 1]
        assert m == pytest.approx(Y.mass, abs=TOL), link["name"]
        np.testing.assert_allclose(c, Y.lever, atol=TOL, rtol=0, err_msg=link["name"])
        np.testing.assert_allclose(I, Y.inertia, atol=TOL, rtol=0, err_msg=link["name"])
    # Total moving mass = all URDF masses minus what is fixed to the world (Pinocchio's universe).
    urdf_total = sum(float(m.get("value")) for m in ET.parse(path).getroot().iter("mass"))
    spec_total = sum(link["mass"]["value"] for link in spec["links"])
    assert spec_total == pytest.approx(urdf_total - model.inertias[0].mass, abs=TOL)


@pytest.mark.parametrize("robot,args,ee,locked", CASES, ids=IDS)
def test_gravity_torques_match_pinocchio(robot, args, ee, locked):
    """G(q) from the spec alone (numpy) against pin.computeGeneralizedGravity: checks masses and
    CoMs together with the kinematics they hang on."""
    path = robot_urdf(robot)
    spec = spec_json(path, *args)
    model = pinocchio_model(path, locked)
    data = model.createData()
    rng = np.random.default_rng(3)
    for _ in range(5):
        q = rng.uniform(-np.pi, np.pi, spec["n"])
        G = pin.computeGeneralizedGravity(model, data, pin_configuration(model, spec, q))
        np.testing.assert_allclose(gravity_torques(spec, q), G, atol=1e-10, rtol=0)


def test_panda_defaults():
    """Without --ee the Panda URDF is a tree: the arm and its two fingers, the second finger a
    mimic of the first (one degree of freedom for both), as Pinocchio's mimic model."""
    spec = spec_json(robot_urdf("panda"))
    assert spec["name"] == "panda"
    assert spec["base_link"] == "panda_link0"
    assert [link["name"] for link in spec["links"]] == [f"panda_link{i}" for i in range(1, 8)] + [
        "panda_leftfinger", "panda_rightfinger"]
    assert [s["value"] for s in spec["gravity"]] == [0, 0, -9.81]
    assert not any(s["symbolic"] for s in spec["gravity"])
    assert not spec["has_ee"] and spec["nq"] == spec["nv"] == 8
    j = {x["name"]: x for x in spec["joints"]}
    assert j["panda_finger_joint1"]["parent"] == j["panda_finger_joint2"]["parent"] == 6
    assert j["panda_finger_joint2"]["mimic"] == 7 and j["panda_finger_joint2"]["mimic_multiplier"] == 1
    model = pin.buildModelFromUrdf(str(robot_urdf("panda")), mimic=True)
    assert (model.nq, model.nv) == (8, 8)


def test_panda_ee_locks_the_fingers():
    spec = spec_json(robot_urdf("panda"), "--ee", "panda_hand")
    assert spec["n"] == 7 and spec["ee_link"] == "panda_hand"
    # panda_link7 -> link8 (0.107 along z) -> hand (yaw -pi/4): Ln_to_EE.
    assert [s["value"] for s in spec["ee"]["tr"]] == pytest.approx([0, 0, 0.107], abs=1e-15)
    assert [s["value"] for s in spec["ee"]["ypr"]] == pytest.approx([-np.pi / 4, 0, 0], abs=1e-15)
    w = spec["warnings"]
    for finger in ("panda_finger_joint1", "panda_finger_joint2"):
        assert any(f"joint {finger} (prismatic) is locked at" in m and "below the end effector panda_hand" in m
                   for m in w), w


def test_panda_tcp_as_ee_with_the_fingers_locked():
    """panda_hand_tcp is a sibling of the fingers (all hang off panda_hand): --ee is the chain
    base -> tcp, so the fingers, off that chain, are locked (the mimic finger at its offset, like
    its master); without --ee they are a branch of the tree; --lock says the same explicitly."""
    path = robot_urdf("panda")
    tree = spec_json(path)
    assert tree["n"] == 9 and tree["nv"] == 8
    chain = spec_json(path, "--ee", "panda_hand_tcp")
    assert chain["ee_link"] == "panda_hand_tcp" and chain["n"] == 7 and chain["nv"] == 7
    proc = spec_check(path, "--ee", "panda_hand_tcp", "--lock", "panda_finger_joint1")
    assert proc.returncode == 0, proc.stderr
    spec = json.loads(proc.stdout)
    assert spec["ee_link"] == "panda_hand_tcp" and spec["n"] == 7
    assert any("panda_finger_joint1" in m and "locked at 0" in m for m in spec["warnings"])
    # The mimic finger is locked at its offset (0 here), like its master.
    assert any("panda_finger_joint2" in m and "locked at its mimic offset" in m for m in spec["warnings"])
    # hand (yaw -pi/4 after 0.107) then tcp 0.1034 along z.
    assert [s["value"] for s in spec["ee"]["tr"]] == pytest.approx([0, 0, 0.107 + 0.1034], abs=1e-15)


# ---------------------------------------------------------------------------------------------
# Small hand-written URDFs

def link(name, mass=None, com="0 0 0", rpy="0 0 0", inertia=(1, 0, 0, 1, 0, 1)):
    if mass is None:
        return f'  <link name="{name}"/>\n'
    ixx, ixy, ixz, iyy, iyz, izz = inertia
    return (f'  <link name="{name}">\n    <inertial>\n      <origin xyz="{com}" rpy="{rpy}"/>\n'
            f'      <mass value="{mass}"/>\n'
            f'      <inertia ixx="{ixx}" ixy="{ixy}" ixz="{ixz}" iyy="{iyy}" iyz="{iyz}" izz="{izz}"/>\n'
            f'    </inertial>\n  </link>\n')


def joint(name, type, parent, child, xyz="0 0 0", rpy="0 0 0", axis="0 0 1"):
    ax = f'    <axis xyz="{axis}"/>\n' if axis is not None else ""
    if type in ("revolute", "prismatic"):  # urdfdom (Pinocchio's parser) requires limits there
        ax += '    <limit lower="-3" upper="3" effort="1" velocity="1"/>\n'
    return (f'  <joint name="{name}" type="{type}">\n    <origin xyz="{xyz}" rpy="{rpy}"/>\n'
            f'    <parent link="{parent}"/>\n    <child link="{child}"/>\n{ax}  </joint>\n')


def robot(*parts, name="toy"):
    return f'<?xml version="1.0"?>\n<robot name="{name}">\n' + "".join(parts) + "</robot>\n"


def write(tmp_path, text, name="toy.urdf"):
    f = tmp_path / name
    f.write_text(text)
    return f


def line_of(text, needle):
    """1-based line of the first line containing `needle`."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_fixed_joints_fold_into_the_next_origin_and_side_bodies_merge(tmp_path):
    text = robot(
        link("world"), link("base", 1.0), link("l1", 2.0, com="0.1 0 0"), link("flange"),
        link("l2", 3.0, com="0 0.2 0", rpy="0.3 0.2 0.1", inertia=(0.4, 0.01, 0.02, 0.5, 0.03, 0.6)),
        link("sensor", 0.5, com="0 0 0.05"), link("tip"),
        joint("world_base", "fixed", "world", "base", xyz="1 2 3", rpy="0 0 1.0"),
        joint("j1", "continuous", "base", "l1", xyz="0 0 0.3", axis="0 0 2"),
        joint("l1_flange", "fixed", "l1", "flange", xyz="0.2 0 0", rpy="0.5 -0.4 0.3"),
        joint("j2", "prismatic", "flange", "l2", xyz="0 0.1 0", rpy="0.1 0.2 0.3", axis="1 1 0"),
        joint("l1_sensor", "fixed", "l1", "sensor", xyz="0 0.3 0", rpy="0 1.2 0"),
        joint("l2_tip", "fixed", "l2", "tip", xyz="0 0 0.4", rpy="0.7 0 0"))
    f = write(tmp_path, text)
    spec = spec_json(f)
    assert spec["base_link"] == "world" and spec["ee_link"] == "l2"  # tip hangs from l2 by a fixed joint
    assert [j["type"] for j in spec["joints"]] == ["R", "P"]
    assert spec["joints"][0]["axis"] == pytest.approx([0, 0, 1])
    assert spec["joints"][1]["axis"] == pytest.approx([2 ** -0.5, 2 ** -0.5, 0])
    assert spec["warnings"] == []
    model = pin.buildModelFromUrdf(str(f))
    data = model.createData()
    for q in ([0.3, 0.2], [-2.0, -0.7]):
        pin.forwardKinematics(model, data, pin_configuration(model, spec, q))
        pin.updateFramePlacements(model, data)
        frames, T_ee = forward_kinematics(spec, q)
        for i, T in enumerate(frames):
            np.testing.assert_allclose(T, data.oMi[i + 1].homogeneous, atol=TOL, rtol=0)
        np.testing.assert_allclose(T_ee, data.oMf[model.getFrameId("l2", pin.BODY)].homogeneous, atol=TOL)
    for i, lk in enumerate(spec["links"]):
        m, c, I = link_inertia(lk)
        Y = model.inertias[i + 1]
        assert m == pytest.approx(Y.mass, abs=TOL)
        np.testing.assert_allclose(c, Y.lever, atol=TOL, rtol=0)
        np.testing.assert_allclose(I, Y.inertia, atol=TOL, rtol=0)
    assert spec["links"][0]["mass"]["value"] == pytest.approx(2.5)  # l1 + sensor


def test_base_option_and_tool_below_the_ee(tmp_path):
    text = robot(
        link("world"), link("stand", 5.0), link("base"), link("l1", 1.0), link("l2", 1.0),
        link("grip", 0.2, com="0 0 0.1"), link("finger", 0.1),
        joint("w", "fixed", "world", "stand", xyz="0 0 1"),
        joint("s", "fixed", "stand", "base", xyz="0 0 0.5", rpy="0 0 0.5"),
        joint("j1", "revolute", "base", "l1", xyz="0 0 0.1"),
        joint("j2", "revolute", "l1", "l2", xyz="0 0 0.2", axis="0 1 0"),
        joint("g", "revolute", "l2", "grip", xyz="0 0 0.1"),
        joint("f", "prismatic", "grip", "finger", xyz="0 0.02 0.05", axis="0 1 0"))
    f = write(tmp_path, text)
    spec = spec_json(f, "--base", "base", "--ee", "l2")
    assert (spec["base_link"], spec["ee_link"], spec["n"]) == ("base", "l2", 2)
    assert [s["value"] for s in spec["base"]["tr"]] == pytest.approx([0, 0, 1.5])
    assert [s["value"] for s in spec["base"]["ypr"]] == pytest.approx([0.5, 0, 0])
    assert spec["links"][1]["mass"]["value"] == pytest.approx(1.3)  # l2 + grip + finger
    assert len(spec["warnings"]) == 2
    assert "joint g (revolute) is locked at 0: it is below the end effector l2" in spec["warnings"][0]
    assert "joint f (prismatic) is locked at 0: it is below the end effector l2" in spec["warnings"][1]
    # Default chain: goes on to grip (its one movable child), f is the tool joint.
    spec = spec_json(f)
    assert (spec["base_link"], spec["ee_link"], spec["n"]) == ("world", "finger", 4)


def test_name_option(tmp_path):
    f = write(tmp_path, robot(link("a"), link("b", 1.0), joint("j", "revolute", "a", "b"), name="urdfname"))
    assert spec_json(f)["name"] == "urdfname"
    assert spec_json(f, "--name", "other")["name"] == "other"


def test_two_arms_on_one_base_are_a_tree(tmp_path):
    """Two arms on one fixed base are both modelled (a tree); --lock removes one arm's joint."""
    text = robot(link("base"), link("a1", 1.0), link("b1", 1.0), link("a2", 1.0),
                 joint("ja", "revolute", "base", "a1"), joint("jb", "revolute", "base", "b1"),
                 joint("ja2", "revolute", "a1", "a2"))
    f = write(tmp_path, text)
    spec = spec_json(f)
    # Depth first, children in joint-name order: ja, ja2 (below a1), then jb.
    assert [(j["name"], j["parent"]) for j in spec["joints"]] == [("ja", -1), ("ja2", 0), ("jb", -1)]
    assert not spec["has_ee"]
    locked = spec_json(f, "--lock", "jb")
    assert [j["name"] for j in locked["joints"]] == ["ja", "ja2"] and locked["has_ee"]
    assert any("joint jb" in w and "--lock" in w for w in locked["warnings"])


def test_joint_order_is_pinocchios(tmp_path):
    """Children are visited in the order of their joints' names, as Pinocchio does (urdfdom keeps
    joints in a map), not in file order."""
    text = robot(link("base"), link("z", 1.0), link("y", 1.0), link("x", 1.0),
                 joint("j_c", "revolute", "base", "z"), joint("j_b", "prismatic", "base", "y"),
                 joint("j_a", "revolute", "y", "x"))
    f = write(tmp_path, text)
    spec = spec_json(f)
    model = pin.buildModelFromUrdf(str(f))
    assert [j["name"] for j in spec["joints"]] == list(model.names)[1:] == ["j_b", "j_a", "j_c"]
    assert [j["parent"] for j in spec["joints"]] == [-1, 0, -1]


def test_base_below_a_movable_joint_locks_it(tmp_path):
    """--base below the root locks the joints above it at 0 (TIAGo's arm from its torso)."""
    text = robot(link("world"), link("torso", 1.0), link("arm", 1.0), link("head", 1.0),
                 joint("lift", "prismatic", "world", "torso", xyz="0 0 1"),
                 joint("arm_joint", "revolute", "torso", "arm"), joint("head_joint", "revolute", "torso", "head"))
    f = write(tmp_path, text)
    spec = spec_json(f, "--base", "torso")
    assert [j["name"] for j in spec["joints"]] == ["arm_joint", "head_joint"]
    assert [s["value"] for s in spec["base"]["tr"]] == [0, 0, 1]
    assert any("joint lift" in w and "above the base link torso" in w for w in spec["warnings"])


def test_floating_root_joint_makes_a_free_flyer(tmp_path):
    text = robot(link("world"), link("base", 2.0), link("l1", 1.0),
                 joint("free", "floating", "world", "base", axis=None), joint("j1", "revolute", "base", "l1"))
    f = write(tmp_path, text)
    for args in ([], ["--base", "base"]):
        spec = spec_json(f, *args)
        assert spec["floating_base"] and (spec["nq"], spec["nv"]) == (8, 7)
        assert [(j["name"], j["type"], j["parent"]) for j in spec["joints"]] == [
            ("free", "free", -1), ("j1", "R", 0)]  # the URDF's name for it, as Pinocchio
        assert spec["links"][0]["mass"]["value"] == 2.0
    # --floating-base on a URDF without a world link: the root floats.
    g = write(tmp_path, robot(link("base", 2.0), link("l1", 1.0), joint("j1", "revolute", "base", "l1")))
    spec = spec_json(g, "--floating-base")
    assert spec["floating_base"] and spec["links"][0]["name"] == "base"


# ----- bad input: each is an error naming file, line and field --------------------------------

def assert_error(proc, f, line, field, *words):
    assert proc.returncode != 0
    msg = proc.stderr
    loc = f"{f}:{line}: " if line else f"{f}"
    assert loc in msg, msg
    if field:
        assert field in msg, msg
    for w in words:
        assert w in msg, msg


def two_joint_robot(j2_type="revolute", j2_xyz="0 0 0.2", j2_rpy="0 0 0", j2_axis="0 1 0", l2_mass="1.0"):
    return robot(link("base"), link("l1", 1.0), link("l2", l2_mass),
                 joint("j1", "revolute", "base", "l1", xyz="0 0 0.1"),
                 joint("j2", j2_type, "l1", "l2", xyz=j2_xyz, rpy=j2_rpy, axis=j2_axis))


def test_error_missing_file(tmp_path):
    f = tmp_path / "nope.urdf"
    assert_error(spec_check(f), f, None, None, "cannot open")


def test_error_not_xml(tmp_path):
    text = '<?xml version="1.0"?>\n<robot name="x">\n  <link name="a">\n</robot>\n'
    f = write(tmp_path, text)
    proc = spec_check(f)
    assert proc.returncode != 0
    assert re.search(re.escape(str(f)) + r":\d+: .*not a valid XML file", proc.stderr), proc.stderr


def test_error_xacro_says_to_expand_it(tmp_path):
    text = robot(link("a"), link("b", 1.0), joint("j", "revolute", "a", "b"))
    f = write(tmp_path, text, "toy.urdf.xacro")
    proc = spec_check(f)
    assert proc.returncode != 0 and "xacro FILE.xacro > FILE.urdf" in proc.stderr, proc.stderr
    text = text.replace('<mass value="1.0"/>', '<mass value="${m}"/>')
    f = write(tmp_path, text)
    assert_error(spec_check(f), f, line_of(text, "${m}"), "link[b].inertial.mass.value",
                 "an unexpanded xacro expression")


def test_a_line_break_inside_a_number_attribute_is_whitespace(tmp_path):
    """Unitree's dex2_5 hand URDFs break an <inertia> element's line inside ixz="...\\r\\n";
    XML reads the break as a space, urdfdom rejects the number and Pinocchio then builds the link
    without inertia. Thunder reads the number."""
    text = robot(link("a"), link("b", 1.0, inertia=(0.3, 0.01, -3.261e-5, 0.2, 0.0, 0.1)),
                 joint("j", "revolute", "a", "b"))
    f = tmp_path / "crlf.urdf"
    f.write_bytes(text.replace('ixz="-3.261e-05"', 'ixz="-3.261e-05\r\n"').encode())
    assert b'ixz="-3.261e-05\r\n"' in f.read_bytes()
    spec = spec_json(f)
    assert [s["value"] for s in spec["links"][0]["inertia"]] == [0.3, 0.01, -3.261e-05, 0.2, 0.0, 0.1]


def test_an_undeclared_world_parent_is_the_fixed_root(tmp_path):
    """Drake's URDFs attach to "world" without declaring it (its implicit world body); urdfdom
    refuses them. Thunder takes it as a massless root: the same robot as with <link name="world"/>."""
    declared = robot(link("world"), link("b", 1.0, com="0.1 0 0"), link("c", 0.5, com="0 0.2 0"),
                     joint("fix", "fixed", "world", "b", xyz="0 0 0.5"), joint("j", "revolute", "b", "c", axis="0 1 0"))
    implicit = declared.replace('  <link name="world"/>\n', "")
    a, b = spec_json(write(tmp_path, declared, "declared.urdf")), spec_json(write(tmp_path, implicit))
    assert a["joints"] == b["joints"] and a["links"] == b["links"] and b["base_link"] == "world"
    proc = spec_check(write(tmp_path, implicit.replace('"world"', '"nowhere"', 1)))  # any other name: an error
    assert proc.returncode != 0 and "no link named 'nowhere'" in proc.stderr


def test_error_no_robot(tmp_path):
    f = write(tmp_path, '<?xml version="1.0"?>\n<model name="x"/>\n')
    assert_error(spec_check(f), f, 2, "robot", "<robot>")


def test_error_link_child_of_two_joints(tmp_path):
    text = robot(link("a"), link("b", 1.0), link("c", 1.0),
                 joint("j1", "revolute", "a", "b"), joint("j2", "revolute", "b", "c"),
                 joint("j3", "revolute", "a", "c"))
    f = write(tmp_path, text)
    assert_error(spec_check(f), f, line_of(text, 'name="j3"'), "joint[j3].child", "loop")


def test_error_cycle(tmp_path):
    text = robot(link("a"), link("b", 1.0), link("c", 1.0), link("d", 1.0),
                 joint("j1", "revolute", "a", "b"), joint("j2", "revolute", "c", "d"),
                 joint("j3", "revolute", "d", "c"))
    f = write(tmp_path, text)
    proc = spec_check(f)
    assert_error(proc, f, None, None, "cycle")
    assert re.search(r":\d+: joint\[j[23]\]", proc.stderr), proc.stderr


def chained_mimic_urdf():
    """j2 mimics j1, j3 mimics j2 (as the thumbs of Unitree's Inspire hands), on a bent chain."""
    text = robot(link("base"), link("l1", 1.0, com="0.1 0 0"), link("l2", 0.7, com="0 0.2 0.1"),
                 link("l3", 0.4, com="0.05 0.1 0", inertia=(0.2, 0.01, 0, 0.3, 0.02, 0.1)),
                 joint("j1", "revolute", "base", "l1", axis="0 1 0"),
                 joint("j2", "revolute", "l1", "l2", xyz="0.3 0 0", rpy="0.2 0 0.4", axis="1 0 0"),
                 joint("j3", "revolute", "l2", "l3", xyz="0 0.25 0", axis="0 0.6 0.8"))
    text = text.replace('<joint name="j2" type="revolute">\n',
                        '<joint name="j2" type="revolute">\n    <mimic joint="j1" multiplier="-0.5" offset="0.3"/>\n')
    return text.replace('<joint name="j3" type="revolute">\n',
                        '<joint name="j3" type="revolute">\n    <mimic joint="j2" multiplier="2" offset="0.1"/>\n')


def test_mimic_of_a_mimic_follows_the_end_of_the_chain(tmp_path):
    """q3 = 2 q2 + 0.1 and q2 = -0.5 q1 + 0.3 give q3 = -q1 + 0.7. Pinocchio's mimic model refuses
    such chains; the reference is its model without mimic joints at q_full(q1), M = Sᵀ M_full S."""
    text = chained_mimic_urdf()
    f = write(tmp_path, text)
    spec = spec_json(f)
    j = {x["name"]: x for x in spec["joints"]}
    assert spec["nq"] == spec["nv"] == 1
    assert j["j2"]["mimic"] == j["j3"]["mimic"] == 0
    assert j["j3"]["mimic_multiplier"] == pytest.approx(-1.0, abs=1e-15)
    assert j["j3"]["mimic_offset"] == pytest.approx(0.7, abs=1e-15)
    out = tmp_path / "out"
    run_thunder("gen", f, "-o", out, "--targets", "casadi", "--functions", "M,G", "-q")
    g = Generated(out)
    model = pin.buildModelFromUrdf(str(f), mimic=False)
    data = model.createData()
    S = np.array([[1.0], [-0.5], [-1.0]])   # d(q1, q2, q3)/dq1
    for q1 in (-0.7, 0.2, 1.3):
        q = np.array([q1, -0.5 * q1 + 0.3, -q1 + 0.7])
        M = pin.crba(model, data, q)
        M = np.triu(M) + np.triu(M, 1).T
        np.testing.assert_allclose(np.array(g["M"](q1)), S.T @ M @ S, rtol=1e-12, atol=1e-14)
        G = pin.computeGeneralizedGravity(model, data, q)
        np.testing.assert_allclose(np.array(g["G"](q1)).ravel(), S.T @ G, rtol=1e-12, atol=1e-13)


def planar_urdfs(normal):
    """A chain with a planar joint (plane normal `normal`) in the middle, and the same robot with the
    planar joint written out as Thunder models it: prismatic along e1, e2 (e1 the x axis projected
    onto the plane, the y axis if the normal is within 25 degrees of x; e2 = n x e1), then a
    continuous joint about n, massless links between them."""
    n = np.array(normal, float) / np.linalg.norm(normal)
    a = np.array([1.0, 0, 0]) if abs(n[0]) < 0.9 else np.array([0, 1.0, 0])
    e1 = a - (a @ n) * n
    e1 /= np.linalg.norm(e1)
    e2 = np.cross(n, e1)
    vec = lambda v: " ".join(repr(float(x)) for x in v)  # noqa: E731
    common = [link("base"), link("l1", 1.2, com="0.1 0 0.05", inertia=(0.1, 0.01, 0, 0.2, 0, 0.15)),
              link("l2", 0.8, com="0 0.1 0.2", inertia=(0.05, 0, 0.01, 0.06, 0.002, 0.04)),
              link("l3", 0.5, com="0.05 0.05 0", inertia=(0.02, 0, 0, 0.03, 0, 0.01)),
              joint("j1", "revolute", "base", "l1", axis="0 1 0"),
              joint("j3", "revolute", "l2", "l3", xyz="0.2 0 0.1", axis="1 0 0")]
    planar = robot(*common, joint("p", "planar", "l1", "l2", xyz="0.3 0 0.1", rpy="0.2 -0.1 0.4",
                                  axis=vec(normal)))
    explicit = robot(*common, link("mx"), link("my"),
                     joint("p_x", "prismatic", "l1", "mx", xyz="0.3 0 0.1", rpy="0.2 -0.1 0.4", axis=vec(e1)),
                     joint("p_y", "prismatic", "mx", "my", axis=vec(e2)),
                     joint("p_theta", "revolute", "my", "l2", axis=vec(n)))  # q: the angle, as ours
    return planar, explicit


@pytest.mark.parametrize("normal", [(0, 0, 1), (0, 0.6, 0.8), (1, 0.2, 0)])
def test_planar_joint_is_x_y_theta_in_its_plane(tmp_path, normal):
    """A planar joint moves as Pinocchio's model of the written-out joints (its own
    JointModelPlanar has q = (x, y, cos, sin) and v in the moving frame: other coordinates)."""
    planar, explicit = planar_urdfs(normal)
    f = write(tmp_path, planar)
    proc = spec_check(f)
    assert proc.returncode == 0 and "warning" not in proc.stderr, proc.stderr  # no massless-link warnings
    spec = spec_json(f)
    assert [j["name"] for j in spec["joints"]] == ["j1", "p_x", "p_y", "p_theta", "j3"]
    out = tmp_path / "out"
    run_thunder("gen", f, "-o", out, "--targets", "casadi", "--functions", "M,tau,FD,T_w_l3", "--frames", "l3",
                "-q")
    fn = Generated(out)
    model = pin.buildModelFromUrdf(str(write(tmp_path, explicit, "explicit.urdf")))
    data = model.createData()
    assert model.nq == 5
    rng = np.random.default_rng(2)
    for _ in range(3):
        q, v, a = rng.uniform(-1, 1, 5), rng.uniform(-1, 1, 5), rng.uniform(-1, 1, 5)
        M = pin.crba(model, data, q)
        np.testing.assert_allclose(np.array(fn["M"](q)), np.triu(M) + np.triu(M, 1).T, rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(np.array(fn["tau"](q, v, a)).ravel(), pin.rnea(model, data, q, v, a),
                                   rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(np.array(fn["FD"](q, v, a)).ravel(), pin.aba(model, data, q, v, a),
                                   rtol=1e-10, atol=1e-10)
        pin.framesForwardKinematics(model, data, q)
        np.testing.assert_allclose(np.array(fn["T_w_l3"](q)), data.oMf[model.getFrameId("l3")].homogeneous,
                                   atol=1e-13)


def test_error_mimic_cycle(tmp_path):
    text = chained_mimic_urdf().replace('<joint name="j1" type="revolute">\n',
                                        '<joint name="j1" type="revolute">\n    <mimic joint="j3"/>\n')
    f = write(tmp_path, text)
    assert_error(spec_check(f), f, line_of(text, '<mimic joint="j3"/>'), "joint[j1].mimic.joint",
                 "cycle (j1 -> j3 -> j2 -> j1)")


def test_error_mimic_of_a_missing_joint_names_its_line_and_the_closest_joint(tmp_path):
    """example-robot-data's alex_psyonic_hands.urdf has <mimic joint="index_q1"> in both hands,
    whose joints are Left_index_q1 and Right_index_q1: the error points at the <mimic> line and
    suggests the joint of the same hand."""
    text = robot(link("base"), link("l1", 1.0), link("l2", 1.0), link("r1", 1.0), link("r2", 1.0),
                 joint("Left_index_q1", "revolute", "base", "l1"), joint("Left_index_q2", "revolute", "l1", "l2"),
                 joint("Right_index_q1", "revolute", "base", "r1"), joint("Right_index_q2", "revolute", "r1", "r2"))
    for side in ("Left", "Right"):
        text = text.replace(f'<joint name="{side}_index_q2" type="revolute">\n',
                            f'<joint name="{side}_index_q2" type="revolute">\n    <mimic joint="index_q1"/>\n')
    f = write(tmp_path, text)
    assert_error(spec_check(f), f, line_of(text, '<mimic joint="index_q1"/>'), "joint[Left_index_q2].mimic.joint",
                 "no joint named 'index_q1'", "did you mean 'Left_index_q1'?")
    # Right's mimic alone: the suggestion is the joint of the right hand.
    f = write(tmp_path, text.replace('<mimic joint="index_q1"/>', '<mimic joint="Left_index_q1"/>', 1))
    assert_error(spec_check(f), f, None, "joint[Right_index_q2].mimic.joint", "did you mean 'Right_index_q1'?")


def test_error_missing_link(tmp_path):
    text = robot(link("base"), link("l1", 1.0), joint("j1", "revolute", "base", "ghost"))
    f = write(tmp_path, text)
    assert_error(spec_check(f), f, line_of(text, '<child link="ghost"'), "joint[j1].child.link", "ghost")


def test_error_inner_floating_joint(tmp_path):
    text = robot(link("base", 1.0), link("l1", 1.0), link("l2", 1.0),
                 joint("j1", "revolute", "base", "l1"), joint("free", "floating", "l1", "l2", axis=None))
    f = write(tmp_path, text)
    assert_error(spec_check(f), f, line_of(text, 'name="free"'), "joint[free].type", "only the root may float")


@pytest.mark.parametrize("kind,kwargs,field", [
    ("non-numeric", {"j2_xyz": "0 a 0.2"}, "joint[j2].origin.xyz"),
    ("nan", {"j2_rpy": "0 nan 0"}, "joint[j2].origin.rpy"),
    ("inf", {"j2_axis": "0 inf 0"}, "joint[j2].axis"),
    ("mass", {"l2_mass": "heavy"}, "link[l2].inertial.mass.value"),
    ("count-xyz", {"j2_xyz": "0 0"}, "joint[j2].origin.xyz"),
    ("count-rpy", {"j2_rpy": "0 0 0 0"}, "joint[j2].origin.rpy"),
    ("count-axis", {"j2_axis": "0 1"}, "joint[j2].axis"),
    ("zero-axis", {"j2_axis": "0 0 0"}, "joint[j2].axis"),
    ("unknown-type", {"j2_type": "hinge"}, "joint[j2].type"),
])
def test_error_bad_values(tmp_path, kind, kwargs, field):
    text = two_joint_robot(**kwargs)
    f = write(tmp_path, text)
    needle = {"joint[j2].origin.xyz": 'name="j2"', "joint[j2].origin.rpy": 'name="j2"',
              "joint[j2].axis": "<axis", "link[l2].inertial.mass.value": 'value="heavy"',
              "joint[j2].type": 'name="j2"'}[field]
    line = line_of(text, needle)
    if field.startswith("joint[j2].origin"):
        line += 1  # the <origin> element under the joint
    if field == "joint[j2].axis":
        line = [i for i, s in enumerate(text.splitlines(), 1) if "<axis" in s][1]
    assert_error(spec_check(f), f, line, field, "expected" if kind != "zero-axis" else "non-zero")


def test_error_no_movable_joint(tmp_path):
    text = robot(link("a"), link("b", 1.0), joint("j", "fixed", "a", "b"))
    f = write(tmp_path, text)
    assert_error(spec_check(f), f, None, None, "no movable joint")


def test_error_unknown_ee_link(tmp_path):
    f = write(tmp_path, two_joint_robot())
    assert_error(spec_check(f, "--ee", "nolink"), f, None, "--ee", "nolink")


def test_a_mimic_joint_locked_at_its_nonzero_offset_matches_pinocchio(tmp_path, generate):
    """--lock of a master locks its mimic joint at the mimic offset (here 0.4 rad, about a tilted
    axis, so the sign and the axis of the locked rotation both show in every frame below it).
    Reference: Pinocchio's model without mimic coupling, reduced with the master at 0 and the mimic
    joint at 0.4 (buildReducedModel): the end-effector placement, M and G of the remaining joints."""
    axis = np.array([0.6, 0.0, 0.8])
    text = robot(
        link("base"),
        joint("j1", "revolute", "base", "l1", xyz="0 0 0.3"), link("l1", 1.5, com="0.05 0 0.1"),
        joint("j2", "revolute", "l1", "l2", xyz="0.1 0.2 0.3", rpy="0.1 -0.2 0.3", axis="0.6 0 0.8"),
        link("l2", 2.0, com="0.1 -0.05 0.2", inertia=(0.2, 0.01, 0.0, 0.3, 0.02, 0.1)),
        joint("j3", "revolute", "l2", "l3", xyz="0 0.1 0.4", axis="0 1 0"),
        link("l3", 1.0, com="0.2 0.0 0.05", inertia=(0.1, 0.0, 0.01, 0.2, 0.0, 0.15)),
        joint("j4", "revolute", "l3", "l4", xyz="0.3 0 0", axis="1 0 0"), link("l4", 0.5, com="0.05 0.02 0"))
    text = text.replace('<joint name="j2" type="revolute">\n',
                        '<joint name="j2" type="revolute">\n    <mimic joint="j1" multiplier="1" offset="0.4"/>\n')
    urdf = write(tmp_path, text)
    assert np.linalg.norm(axis) == pytest.approx(1.0)
    gen = generate(urdf, "--ee", "l4", "--lock", "j1", "--functions", "T_0_ee,M,G")
    model = pin.buildModelFromUrdf(str(urdf))   # no mimic coupling: j2 an independent joint
    q_ref = pin.neutral(model)
    q_ref[model.joints[model.getJointId("j2")].idx_q] = 0.4
    reduced = pin.buildReducedModel(model, [model.getJointId("j1"), model.getJointId("j2")], q_ref)
    assert reduced.nq == 2
    data = reduced.createData()
    frame = reduced.getFrameId("l4")
    rng = np.random.default_rng(5)
    for _ in range(3):
        q = rng.uniform(-2, 2, 2)
        pin.framesForwardKinematics(reduced, data, q)
        np.testing.assert_allclose(gen.call("T_0_ee", q=q), data.oMf[frame].homogeneous, rtol=0, atol=TOL)
        M = pin.crba(reduced, data, q)
        M = np.triu(M) + np.triu(M, 1).T
        np.testing.assert_allclose(gen.call("M", q=q), M, rtol=0, atol=1e-10)
        np.testing.assert_allclose(gen.call("G", q=q).ravel(), pin.computeGeneralizedGravity(reduced, data, q),
                                   rtol=0, atol=1e-10)
