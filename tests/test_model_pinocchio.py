"""URDF arms from example-robot-data against Pinocchio: frames, Jacobians, M, C, G, RNEA and the
joint-torque regressor.

Pinocchio builds its model from the same URDF on its own (fixed joints merged, bodies combined
by its own code), so agreement checks our reader and our dynamics together. Panda's finger joints
are locked at 0 on both sides (pin.buildReducedModel), as our reader locks the tool below the
end effector. Tolerance: both sides are exact in float64; 1e-9 relative covers operation order.
"""
import pathlib

import numpy as np
import pytest

from conftest import example_robot_data_dir

pin = pytest.importorskip("pinocchio")

RTOL = 1e-9

ROBOTS = {
    "panda": ("panda_description/urdf/panda.urdf", "panda_hand"),
    "ur5": ("ur_description/urdf/ur5_robot.urdf", "wrist_3_link"),
    "xarm7": ("xarm_description/urdf/xarm7.urdf", None),
    "z1": ("z1_description/urdf/z1.urdf", None),
    # example-robot-data ships no iiwa; the Robotics Toolbox's data package does, without
    # inertial data, so it checks kinematics only.
    "iiwa": ("rtbdata:xacro/kuka_description/kuka_lbr_iiwa/urdf/lbr_iiwa_14_r820.urdf", "tool0"),
}


def urdf_path(path):
    if path.startswith("rtbdata:"):
        rtbdata = pytest.importorskip("rtbdata")
        return pathlib.Path(rtbdata.__file__).parent / path[len("rtbdata:"):]
    return example_robot_data_dir() / path


class Reference:
    """Pinocchio's model of the chain our reader selects (same joints, locked tool)."""

    def __init__(self, urdf, ee_link, chain_joints):
        full = pin.buildModelFromUrdf(str(urdf))
        lock = [full.getJointId(name) for name in full.names[1:] if name not in chain_joints]
        self.model = pin.buildReducedModel(full, lock, pin.neutral(full)) if lock else full
        assert [self.model.names[i] for i in range(1, self.model.njoints)] == chain_joints
        self.data = self.model.createData()
        self.ee_frame = self.model.getFrameId(ee_link)
        self.has_inertia = sum(I.mass for I in self.model.inertias) > 0


@pytest.fixture(scope="module", params=sorted(ROBOTS))
def robot(request, generate):
    path, ee = ROBOTS[request.param]
    urdf = urdf_path(path)
    args = ("--ee", ee) if ee else ()
    gen = generate(urdf, *args)
    import json
    from conftest import run_thunder
    spec = json.loads(run_thunder("check", urdf, "--json", *args).stdout)
    ref = Reference(urdf, spec["ee_link"], [j["name"] for j in spec["joints"]])
    return gen, ref


def close(actual, expected):
    actual, expected = np.asarray(actual, float), np.asarray(expected, float)
    scale = max(1.0, np.max(np.abs(expected)))
    np.testing.assert_allclose(actual, expected, rtol=0, atol=RTOL * scale)


def states(model, count=10, seed=0):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        n = model.nq
        yield rng.uniform(-2.5, 2.5, n), rng.uniform(-2, 2, n), rng.uniform(-3, 3, n)


def test_frames_and_jacobians(robot):
    gen, ref = robot
    m, d = ref.model, ref.data
    for q, _, _ in states(m):
        pin.forwardKinematics(m, d, q)
        pin.updateFramePlacements(m, d)
        pin.computeJointJacobians(m, d, q)
        for k, T in enumerate(gen["T_0_i"](q)):
            close(T, d.oMi[k + 1].homogeneous)
        close(gen["T_0_ee"](q), d.oMf[ref.ee_frame].homogeneous)
        for k, J in enumerate(gen["J_i"](q)):
            close(J, pin.getJointJacobian(m, d, k + 1, pin.LOCAL_WORLD_ALIGNED))
        close(gen["J_ee"](q), pin.getFrameJacobian(m, d, ref.ee_frame, pin.LOCAL_WORLD_ALIGNED))


def test_base_and_joint_transforms(robot):
    """T_0 (world -> link 0) and T_i (link i-1 -> link i): Pinocchio's liMi[1] is world -> joint 1,
    = T_0 T_1; liMi[k] for k > 1 is our T_k."""
    gen, ref = robot
    m, d = ref.model, ref.data
    T0 = np.array(gen.call("T_0"))
    for q, _, _ in states(m, count=5, seed=8):
        pin.forwardKinematics(m, d, q)
        local = gen["T_i"](q)
        local = list(local) if isinstance(local, (list, tuple)) else [local]
        assert len(local) == m.nq
        close(T0 @ np.array(local[0]), d.liMi[1].homogeneous)
        for k in range(1, m.nq):
            close(local[k], d.liMi[k + 1].homogeneous)


def test_centre_of_mass_jacobians(robot):
    """J_cm_k: Pinocchio's joint Jacobian (LOCAL_WORLD_ALIGNED, at the joint origin) moved to the
    body's centre of mass, v_c = v_o + w x (c - o): linear rows J_v - [c - o]x J_w."""
    gen, ref = robot
    if not ref.has_inertia:
        pytest.skip("this URDF has no inertial data: kinematics only")
    m, d = ref.model, ref.data
    for q, _, _ in states(m, count=5, seed=9):
        pin.forwardKinematics(m, d, q)
        pin.computeJointJacobians(m, d, q)
        for k, J in enumerate(gen["J_cm_i"](q)):
            Jo = pin.getJointJacobian(m, d, k + 1, pin.LOCAL_WORLD_ALIGNED)
            r = d.oMi[k + 1].rotation @ m.inertias[k + 1].lever
            skew = np.array([[0, -r[2], r[1]], [r[2], 0, -r[0]], [-r[1], r[0], 0]])
            close(J, np.vstack([Jo[:3] - skew @ Jo[3:], Jo[3:]]))


def test_mass_matrix(robot):
    gen, ref = robot
    if not ref.has_inertia:
        pytest.skip("this URDF has no inertial data: kinematics only")
    for q, _, _ in states(ref.model, seed=1):
        M = pin.crba(ref.model, ref.data, q)
        close(gen["M"](q), np.triu(M) + np.triu(M, 1).T)


def test_coriolis_matrix(robot):
    gen, ref = robot
    if not ref.has_inertia:
        pytest.skip("this URDF has no inertial data: kinematics only")
    for q, dq, _ in states(ref.model, seed=2):
        close(gen["C"](q, dq), pin.computeCoriolisMatrix(ref.model, ref.data, q, dq))


def test_gravity(robot):
    gen, ref = robot
    if not ref.has_inertia:
        pytest.skip("this URDF has no inertial data: kinematics only")
    for q, _, _ in states(ref.model, seed=3):
        close(np.array(gen["G"](q)).ravel(), pin.computeGeneralizedGravity(ref.model, ref.data, q))


def test_rnea(robot):
    gen, ref = robot
    if not ref.has_inertia:
        pytest.skip("this URDF has no inertial data: kinematics only")
    for q, dq, ddq in states(ref.model, seed=4):
        tau = pin.rnea(ref.model, ref.data, q, dq, ddq)
        close(np.array(gen["tau"](q, dq, ddq)).ravel(), tau)
        M, C, G = gen["M"](q), gen["C"](q, dq), gen["G"](q)
        close(np.array(M @ ddq + C @ dq + G).ravel(), tau)


# Pinocchio orders each body's parameters m, mc_x, mc_y, mc_z, Ixx, Ixy, Iyy, Ixz, Iyz, Izz
# (about the joint frame); par_REG uses m, mc, Ixx, Ixy, Ixz, Iyy, Iyz, Izz about the same origin.
PIN_TO_REG = [0, 1, 2, 3, 4, 5, 7, 6, 8, 9]


def test_joint_torque_regressor(robot):
    gen, ref = robot
    if not ref.has_inertia:
        pytest.skip("this URDF has no inertial data: kinematics only")
    for q, dq, ddq in states(ref.model, seed=5):
        Y_pin = pin.computeJointTorqueRegressor(ref.model, ref.data, q, dq, ddq)
        n = ref.model.nv
        Y_pin = Y_pin.reshape(n, n, 10)[:, :, PIN_TO_REG].reshape(n, 10 * n)
        # With dqr = dq and ddqr = ddq the Slotine-Li regressor is the torque regressor.
        close(gen["Yr"](q, dq, dq, ddq), Y_pin)
        # and par_REG from the model reproduces Pinocchio's own parameters.
        pi_pin = np.concatenate([ref.model.inertias[k + 1].toDynamicParameters()[PIN_TO_REG] for k in range(n)])
        close(gen.param("par_REG")["values"], pi_pin)


def test_slotine_li_regressor_with_independent_reference_velocity(robot):
    """Yr(q, dq, dqr, ddqr) pi = M ddqr + C(q, dq) dqr + G with dqr, ddqr independent of dq, ddq
    (with dqr = dq the Christoffel split of C is invisible: any C with C dq right passes), and
    with random physical parameters per body, set into Pinocchio's model too (so that a wrong
    link index in the regressor columns shows)."""
    gen, ref = robot
    if not ref.has_inertia:
        pytest.skip("this URDF has no inertial data: kinematics only")
    model = ref.model.copy()
    data = model.createData()
    n = model.nv
    rng = np.random.default_rng(6)
    for k in range(1, n + 1):
        A = rng.normal(size=(3, 3))
        model.inertias[k] = pin.Inertia(rng.uniform(0.5, 3), rng.uniform(-0.2, 0.2, 3), A @ A.T * 0.05 + 0.01 * np.eye(3))
    pi = np.concatenate([model.inertias[k + 1].toDynamicParameters()[PIN_TO_REG] for k in range(n)])
    for q, dq, _ in states(model, count=5, seed=7):
        dqr, ddqr = rng.uniform(-2, 2, n), rng.uniform(-3, 3, n)
        M = pin.crba(model, data, q)
        M = np.triu(M) + np.triu(M, 1).T
        C = pin.computeCoriolisMatrix(model, data, q, dq)
        G = pin.computeGeneralizedGravity(model, data, q)
        close(np.array(gen["Yr"](q, dq, dqr, ddqr)) @ pi, M @ ddqr + C @ dqr + G)
        close(np.array(gen["reg_M"](q, ddqr)) @ pi, M @ ddqr)
        close(np.array(gen["reg_C"](q, dq, dqr)) @ pi, C @ dqr)
        close(np.array(gen["reg_G"](q)) @ pi, G)
