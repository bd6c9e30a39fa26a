"""`--ee LINK` on a URDF tree is the serial chain base -> LINK (thunder_dynamics' base_link/ee_link):
every joint off that path is locked at its neutral position and the bodies it carries keep their
mass, as Pinocchio's buildReducedModel does. Checked on the example-robot-data trees against
buildReducedModel (M, G, the end-effector placement), and the name mapping of links whose names
are no identifiers (double underscores, '-')."""
import json

import numpy as np
import pytest

from conftest import example_robot_data_dir, run_thunder

pin = pytest.importorskip("pinocchio")

# robot file (under example-robot-data/robots), --ee, joints of the chain
CASES = [
    ("baxter_description/urdf/baxter.urdf", "right_gripper_base_link", 7),
    ("b1_description/urdf/b1-z1.urdf", "link06", 6),
    ("tiago_description/robots/tiago.urdf", "arm_tool_link", 8),
    ("panda_description/urdf/panda.urdf", "panda_hand", 7),
]


def reduced_reference(urdf, ee):
    """Pinocchio's model of the whole URDF with every joint off the path root -> ee locked at the
    neutral configuration (buildReducedModel keeps the locked bodies' inertia)."""
    full = pin.buildModelFromUrdf(str(urdf))
    fid = full.getFrameId(ee)
    path = set()
    j = full.frames[fid].parentJoint
    while j > 0:
        path.add(j)
        j = full.parents[j]
    locked = [j for j in range(1, full.njoints) if j not in path]
    model = pin.buildReducedModel(full, locked, pin.neutral(full))
    return model, model.createData(), model.getFrameId(ee)


@pytest.mark.parametrize("robot,ee,n", CASES, ids=[c[1] for c in CASES])
def test_ee_is_the_chain_with_the_rest_locked(generate, robot, ee, n):
    urdf = example_robot_data_dir() / robot
    model, data, fid = reduced_reference(urdf, ee)
    assert model.nv == n
    g = generate(urdf, "--ee", ee, "--functions", "M,G,T_0_ee")
    assert g["M"].size1_in(0) == n, "the chain base -> ee only, whatever else the tree has"
    rng = np.random.default_rng(3)
    for _ in range(3):
        q = rng.uniform(-1.2, 1.2, n)
        M = pin.crba(model, data, q)
        M = np.triu(M) + np.triu(M, 1).T
        # exact on both sides: 1e-9 relative to the largest entry
        np.testing.assert_allclose(g.call("M", q=q), M, atol=1e-9 * np.abs(M).max())
        G = pin.computeGeneralizedGravity(model, data, q)
        np.testing.assert_allclose(g.call("G", q=q).ravel(), G, atol=1e-9 * max(1.0, np.abs(G).max()))
        pin.framesForwardKinematics(model, data, q)
        np.testing.assert_allclose(g.call("T_0_ee", q=q), data.oMf[fid].homogeneous, atol=1e-9)


def test_ee_locks_and_says_which_joints(tmp_path):
    """Every joint off the chain is named in a warning; without --ee the whole tree moves."""
    urdf = example_robot_data_dir() / "baxter_description/urdf/baxter.urdf"
    chain = json.loads(run_thunder("check", urdf, "--ee", "right_gripper_base_link", "--json").stdout)
    whole = json.loads(run_thunder("check", urdf, "--json").stdout)
    assert chain["nv"] == 7 and whole["nv"] > 7
    warnings = "\n".join(chain["warnings"])
    assert "head_pan" in warnings and "left_s0" in warnings and "off the chain" in warnings
    # the locked gripper below the end effector stays as mass of the last body (buildReducedModel)
    model, _, _ = reduced_reference(urdf, "right_gripper_base_link")
    assert [l["mass"]["value"] for l in chain["links"]] == pytest.approx(
        [model.inertias[j].mass for j in range(1, model.njoints)], rel=1e-12)


def test_double_underscore_links_generate(generate):
    """hextilt's links are named flying_arm_5__link_1 ...: CasADi refuses '__' in a function name,
    so the generated names use single '_' and the manifest keeps the original link name."""
    urdf = example_robot_data_dir() / "hextilt_description/urdf/hextilt_flying_arm_5.urdf"
    g = generate(urdf, "--frames", "flying_arm_5__gripper", "--functions", "T_w_flying_arm_5_gripper")
    assert "T_w_flying_arm_5_gripper" in g.names()
    frames = {f["name"]: f["id"] for f in g.manifest["frames"]}
    assert frames == {"flying_arm_5__gripper": "flying_arm_5_gripper"}
    model = pin.buildModelFromUrdf(str(urdf))
    data = model.createData()
    q = np.random.default_rng(0).uniform(-1, 1, model.nq)
    pin.framesForwardKinematics(model, data, q)
    T = data.oMf[model.getFrameId("flying_arm_5__gripper")].homogeneous
    np.testing.assert_allclose(g.call("T_w_flying_arm_5_gripper", q=q), T, atol=1e-9)


COLLIDING = """<robot name="twins">
  <link name="base"/>
  <link name="ee-1"><inertial><mass value="1"/><inertia ixx="1" ixy="0" ixz="0" iyy="1" iyz="0" izz="1"/></inertial></link>
  <link name="ee_1"><inertial><mass value="1"/><inertia ixx="1" ixy="0" ixz="0" iyy="1" iyz="0" izz="1"/></inertial></link>
  <joint name="a" type="revolute"><parent link="base"/><child link="ee-1"/><axis xyz="0 0 1"/></joint>
  <joint name="b" type="revolute"><parent link="base"/><child link="ee_1"/><axis xyz="0 0 1"/></joint>
</robot>
"""


def test_colliding_identifiers_name_both_and_their_origin(tmp_path):
    urdf = tmp_path / "twins.urdf"
    urdf.write_text(COLLIDING)
    proc = run_thunder("gen", urdf, "-o", tmp_path / "out", "--functions", "M", check=False)
    assert proc.returncode != 0
    err = proc.stderr
    assert "'ee-1'" in err and "'ee_1'" in err and "T_w_ee_1" in err
    assert "generated by default" in err and "rename" in err and "named in --frames" not in err
    proc = run_thunder("gen", urdf, "-o", tmp_path / "out", "--frames", "ee-1,ee_1", "--functions", "M", check=False)
    assert proc.returncode != 0 and "named in --frames" in proc.stderr
    # one of them alone is fine
    run_thunder("gen", urdf, "-o", tmp_path / "out", "--frames", "ee-1", "--functions", "T_w_ee_1")


def test_ee_on_a_mimic_chain(tmp_path):
    """--ee panda_leftfinger: finger_joint2, off the chain, mimics finger_joint1 on it: it cannot be
    locked while its master moves, and the error says what to do. TIAGo Pro's fingertip hangs on
    joints that mimic gripper_left_finger_joint, which is off the chain: that master keeps moving
    (the chain is not frozen), and its other followers are refused the same way."""
    panda = example_robot_data_dir() / "panda_description/urdf/panda.urdf"
    proc = run_thunder("check", panda, "--ee", "panda_leftfinger", check=False)
    assert proc.returncode == 1 and "mimics joint panda_finger_joint1, which moves" in proc.stderr
    assert "lock panda_finger_joint1 too" in proc.stderr
    tiago = example_robot_data_dir() / "tiago_pro_description/robots/tiago_pro.urdf"
    proc = run_thunder("check", tiago, "--ee", "gripper_left_fingertip_left_link", check=False)
    assert proc.returncode == 1 and "which moves" in proc.stderr and "Traceback" not in proc.stderr
