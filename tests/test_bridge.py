"""thunder_torch.bridge against the simulators' own numbers and conventions.

MuJoCo (real, PyPI `mujoco`) loads the same URDFs as Thunder: Go1 with a free joint added by
mujoco.MjSpec (its stock `base` link has a 1e-6 inertia that is not positive definite, which MuJoCo
refuses: the stripped copy drops that link's <inertial>, for both sides), and the UR5. Meshes,
joint limits and joint dynamics are removed so MuJoCo adds no constraint or passive force. At
random states, through the bridge: M = mj_fullM, C v + G = qfrc_bias, FD(q, v,
force_from_sim(qfrc_applied)) = qacc, frame Jacobians = mj_jacBody / mj_jac at the same point,
J̇ = mj_jacDot; round trips of the state; gradcheck of the maps.

Isaac Lab cannot run here: its documented conventions (root state [pos, quat wxyz, linear and
angular velocity in the world frame], joints in the articulation's order, 6 floating-base columns
[linear, angular] in the world frame) are built by hand from a Pinocchio state and model.

Tolerances: both sides are float64 rigid-body algorithms that agree to ~1e-14 relative on these
robots; 1e-9 relative (to the largest entry) catches any convention error (which shows at 1e-2)
with room for the ill-conditioning of FD (MuJoCo factorises M, we run ABA: ~1e-12 observed).
"""
import copy
import re

import numpy as np
import pytest
import torch

from conftest import example_robot_data_dir
from test_simulate import stripped_ur5

mujoco = pytest.importorskip("mujoco")
pin = pytest.importorskip("pinocchio")
thunder_torch = pytest.importorskip("thunder_torch")
from thunder_torch import bridge  # noqa: E402

TOL = 1e-9
GO1_FUNCTIONS = "M,C,G,FD,J_FL_foot,J_FR_calf,J_FR_calf_dot,T_w_FL_foot"
UR5_FUNCTIONS = "M,C,G,FD,J_wrist_3_link"


def stripped_go1(folder):
    """Go1 as MuJoCo and Thunder both read it (see the module docstring)."""
    text = (example_robot_data_dir() / "go1_description/urdf/go1.urdf").read_text()
    text = re.sub(r"<visual>.*?</visual>|<collision>.*?</collision>", "", text, flags=re.S)
    text = re.sub(r"<dynamics[^>]*/>|<limit[^>]*/>", "", text)
    text = text.replace('type="revolute"', 'type="continuous"')
    text = re.sub(r'(<link name="base">\s*)<inertial>.*?</inertial>', r"\1", text, flags=re.S)
    urdf = folder / "go1.urdf"
    urdf.write_text(text)
    return urdf


def go1_mujoco(urdf):
    spec = mujoco.MjSpec.from_file(str(urdf))
    spec.body("base").add_freejoint()
    return spec.compile()


def load(gen):
    return thunder_torch.load(gen.out, dtype=torch.float64, backend="torch")


@pytest.fixture(scope="module")
def go1(generate, tmp_path_factory):
    urdf = stripped_go1(tmp_path_factory.mktemp("go1_bridge"))
    gen = generate(urdf, "--floating-base", "--functions", GO1_FUNCTIONS, "--frames", "FL_foot,FR_calf",
                   "--frame-derivatives", targets="casadi,torch")
    return load(gen), go1_mujoco(urdf), urdf


@pytest.fixture(scope="module")
def ur5(generate, tmp_path_factory):
    urdf = stripped_ur5(tmp_path_factory.mktemp("ur5_bridge"))
    gen = generate(urdf, "--symb", "DYN", "--functions", UR5_FUNCTIONS, "--frames", "wrist_3_link",
                   targets="casadi,torch")
    return load(gen), mujoco.MjModel.from_xml_path(str(urdf)), urdf


def sim_states(mj, n, seed):
    """n random MuJoCo states (qpos, qvel, qfrc_applied), unit quaternions for a free joint."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        qpos, qvel, f = rng.uniform(-1.5, 1.5, mj.nq), rng.uniform(-1, 1, mj.nv), rng.uniform(-5, 5, mj.nv)
        if mj.nq != mj.nv:
            qpos[3:7] /= np.linalg.norm(qpos[3:7])
        out.append((qpos, qvel, f))
    return out


def close(got, want, what):
    got = got.detach().numpy() if isinstance(got, torch.Tensor) else got
    scale = max(1.0, np.abs(want).max())
    err = np.abs(got - want).max() / scale
    assert err < TOL, f"{what}: relative error {err:.2e}"


def check_against_mujoco(robot, mj, jac_bodies, seed):
    """Every map of the bridge against MuJoCo at random states. jac_bodies: {frame id: (MuJoCo
    body, at the frame's own origin?)}: mj_jacBody when the frame is the body's, else mj_jac at
    the frame's world position on that body (MuJoCo fuses fixed links into their parent)."""
    br = bridge.mujoco(robot, mj)
    d = mujoco.MjData(mj)
    with torch.no_grad():   # values only here (the UR5 is generated with symbolic parameters)
        _check_states(robot, mj, br, d, jac_bodies, seed)


def _check_states(robot, mj, br, d, jac_bodies, seed):
    for qpos, qvel, f in sim_states(mj, 3, seed):
        d.qpos[:], d.qvel[:], d.qfrc_applied[:] = qpos, qvel, f
        mujoco.mj_forward(mj, d)
        q, v = br.to_thunder(torch.tensor(qpos), torch.tensor(qvel))
        M, C, G = robot.M(q), robot.C(q, v), robot.G(q)
        Mmj = np.zeros((mj.nv, mj.nv))
        mujoco.mj_fullM(mj, d, Mmj)
        close(br.M_to_sim(M, q), Mmj, "M vs mj_fullM")
        close(br.M_from_sim(torch.tensor(Mmj), q), M.numpy(), "M_from_sim(mj_fullM)")
        close(br.bias_to_sim(C @ v + G, q, v, M), d.qfrc_bias, "C v + G vs qfrc_bias")
        close(br.C_to_sim(C, q, v, M) @ torch.tensor(qvel) + br.force_to_sim(G, q), d.qfrc_bias,
              "C_sim qvel + G vs qfrc_bias")
        close(br.bias_from_sim(torch.tensor(d.qfrc_bias), q, v, M), (C @ v + G).numpy(), "bias_from_sim")
        close(br.C_from_sim(br.C_to_sim(C, q, v, M), q, v, M), C.numpy(), "C round trip")
        dv = robot.FD(q, v, br.force_from_sim(torch.tensor(f), q))
        close(br.acc_to_sim(dv, q, v), d.qacc, "FD vs qacc")
        close(br.acc_from_sim(torch.tensor(d.qacc), q, v), dv.numpy(), "acc_from_sim(qacc) vs FD")
        for frame, (body, at_origin) in jac_bodies.items():
            b = mj.body(body).id
            point = d.xpos[b] if at_origin else getattr(robot, f"T_w_{frame}")(q)[:3, 3].numpy()
            jp, jr = np.zeros((3, mj.nv)), np.zeros((3, mj.nv))
            (mujoco.mj_jacBody(mj, d, jp, jr, b) if at_origin else mujoco.mj_jac(mj, d, jp, jr, point, b))
            J = getattr(robot, f"J_{frame}")(q)
            close(br.J_to_sim(J, q), np.vstack([jp, jr]), f"J_{frame} vs MuJoCo")
            close(br.J_from_sim(torch.tensor(np.vstack([jp, jr])), q), J.numpy(), f"J_{frame} from MuJoCo")
            if hasattr(robot, f"J_{frame}_dot"):
                mujoco.mj_jacDot(mj, d, jp, jr, point, b)
                Jd = getattr(robot, f"J_{frame}_dot")(q, v)
                close(br.J_dot_to_sim(Jd, q, v, J), np.vstack([jp, jr]), f"J_{frame}_dot vs mj_jacDot")
                close(br.J_dot_from_sim(torch.tensor(np.vstack([jp, jr])), q, v, J), Jd.numpy(), "J_dot_from_sim")
        qpos2, qvel2 = br.from_thunder(q, v)
        assert torch.equal(qpos2, torch.tensor(qpos))   # a reordering: exact
        # one rotation and its transpose: rounding only
        np.testing.assert_allclose(qvel2.numpy(), qvel, rtol=0, atol=1e-15 * 4)


def test_go1_matches_mujoco(go1):
    robot, mj, _ = go1
    # MuJoCo orders the legs FR, FL, RR, RL; Pinocchio (and Thunder) FL, FR, RL, RR
    assert mj.joint(1).name == "FR_hip_joint" and robot.joints[1] == "FL_hip_joint"
    check_against_mujoco(robot, mj, {"FR_calf": ("FR_calf", True), "FL_foot": ("FL_calf", False)}, seed=0)


def test_ur5_matches_mujoco(ur5):
    robot, mj, _ = ur5
    check_against_mujoco(robot, mj, {"wrist_3_link": ("wrist_3_link", True)}, seed=1)


def test_any_batch_shape(go1):
    """A (2, 3) batch of states gives, element by element, the unbatched results."""
    robot, mj, _ = go1
    br = bridge.mujoco(robot, mj)
    states = sim_states(mj, 6, seed=2)
    qpos = torch.tensor(np.array([s[0] for s in states])).reshape(2, 3, -1)
    qvel = torch.tensor(np.array([s[1] for s in states])).reshape(2, 3, -1)
    q, v = br.to_thunder(qpos, qvel)
    M, J = robot.M(q), robot.J_FL_foot(q)
    batched = [br.M_to_sim(M, q), br.J_to_sim(J, q), br.bias_to_sim(v, q, v, M), br.P(q), br.P_dot(q, v),
               br.C_to_sim(M, q, v, M), br.J_dot_to_sim(J, q, v, J)]
    for i in range(2):
        for j in range(3):
            qi, vi = br.to_thunder(qpos[i, j], qvel[i, j])
            one = [br.M_to_sim(M[i, j], qi), br.J_to_sim(J[i, j], qi), br.bias_to_sim(vi, qi, vi, M[i, j]),
                   br.P(qi), br.P_dot(qi, vi), br.C_to_sim(M[i, j], qi, vi, M[i, j]),
                   br.J_dot_to_sim(J[i, j], qi, vi, J[i, j])]
            for b, o in zip(batched, one):
                torch.testing.assert_close(b[i, j], o, rtol=0, atol=1e-14)
    # batch shapes broadcast: one torque or one Jacobian against the (2, 3) states
    tau = torch.linspace(-1, 1, 18, dtype=torch.float64)
    torch.testing.assert_close(br.force_to_sim(tau, q), br.force_to_sim(tau.expand(2, 3, 18), q), rtol=0, atol=0)
    torch.testing.assert_close(br.J_to_sim(J[0, 0], q), br.J_to_sim(J[0, 0].expand(2, 3, 6, 18), q), rtol=0, atol=0)
    # P is what the vector maps apply: u = P v, a = P dv + Ṗ v, f_sim = P⁻ᵀ τ = P τ (orthogonal)
    P, Pd = br.P(q), br.P_dot(q, v)
    torch.testing.assert_close(br.from_thunder(q, v)[1], (P @ v.unsqueeze(-1)).squeeze(-1), rtol=0, atol=1e-14)
    torch.testing.assert_close(br.acc_to_sim(v, q, v), ((P + Pd) @ v.unsqueeze(-1)).squeeze(-1), rtol=0, atol=1e-14)
    torch.testing.assert_close(P @ P.transpose(-1, -2), torch.eye(18, dtype=P.dtype).expand_as(P), rtol=0, atol=1e-14)


def test_gradcheck_through_the_bridge(go1):
    """Simulator state -> Thunder state -> M, bias -> simulator coordinates, differentiated."""
    robot, mj, _ = go1
    br = bridge.mujoco(robot, mj)
    qpos, qvel, _ = sim_states(mj, 1, seed=3)[0]
    qpos, qvel = torch.tensor(qpos, requires_grad=True), torch.tensor(qvel, requires_grad=True)

    def chain(qpos, qvel):
        q, v = br.to_thunder(qpos, qvel)
        M = robot.M(q)
        return br.M_to_sim(M, q), br.bias_to_sim(robot.C(q, v) @ v + robot.G(q), q, v, M), \
            br.J_to_sim(robot.J_FL_foot(q), q)

    # fast mode (a random direction, Chen et al.'s check) keeps this to a few generated calls
    assert torch.autograd.gradcheck(chain, (qpos, qvel), fast_mode=True)
    f = torch.randn(2, 18, dtype=torch.float64, requires_grad=True)
    q = br.to_thunder(qpos.detach(), qvel.detach())[0].expand(2, -1).clone().requires_grad_(True)
    assert torch.autograd.gradcheck(lambda f, q: (br.force_from_sim(f, q), br.force_to_sim(f, q)), (f, q))


# -- Isaac Lab: the documented layout built by hand from Pinocchio --------------------------------

# the order PhysX gives Go1's joints (breadth first: all hips, then thighs, then calves)
ISAAC_GO1_JOINTS = [f"{leg}_{part}_joint" for part in ("hip", "thigh", "calf") for leg in ("FL", "FR", "RL", "RR")]


def pin_state(model, q_thunder, thunder_joints):
    """Pinocchio's q of Thunder's q (the stripped Go1's joints are continuous: (cos, sin))."""
    qp = pin.neutral(model)
    qp[:7] = q_thunder[:7]
    for k, name in enumerate(thunder_joints[1:]):
        jm = model.joints[model.getJointId(name)]
        qp[jm.idx_q:jm.idx_q + 2] = [np.cos(q_thunder[7 + k]), np.sin(q_thunder[7 + k])]
    return qp


def test_isaaclab_layout_by_hand(go1):
    robot, _, urdf = go1
    model = pin.buildModelFromUrdf(str(urdf), pin.JointModelFreeFlyer())
    data = model.createData()
    br = bridge.isaaclab(robot, ISAAC_GO1_JOINTS)
    rng = np.random.default_rng(4)
    for _ in range(3):
        q = rng.uniform(-3, 3, robot.nq)
        q[3:7] /= np.linalg.norm(q[3:7])
        v = rng.uniform(-1, 1, robot.nv)
        qp = pin_state(model, q, robot.joints)
        pin.forwardKinematics(model, data, qp, v)
        pin.updateFramePlacements(model, data)
        # Isaac Lab's tensors by its documented rules, from Pinocchio's state
        root = data.oMi[1]
        quat = pin.Quaternion(root.rotation)                       # Eigen's coeffs are x, y, z, w
        vel = pin.getVelocity(model, data, 1, pin.ReferenceFrame.LOCAL_WORLD_ALIGNED)
        root_state_w = np.concatenate([root.translation, [quat.w, quat.x, quat.y, quat.z],
                                       vel.linear, vel.angular])    # world-frame velocities
        ids = [model.joints[model.getJointId(n)] for n in ISAAC_GO1_JOINTS]
        joint_pos = np.array([np.arctan2(qp[j.idx_q + 1], qp[j.idx_q]) for j in ids])
        joint_vel = np.array([v[j.idx_v] for j in ids])
        # state round trips
        qt, vt = br.to_thunder(*(torch.tensor(x) for x in (root_state_w, joint_pos, joint_vel)))
        # the quaternion's sign is free: fix it to Pinocchio's before comparing
        sign = np.sign(np.dot(qt[3:7].numpy(), q[3:7]))
        np.testing.assert_allclose(np.concatenate([qt[:3], sign * qt[3:7], qt[7:]]), q, rtol=0, atol=1e-12)
        np.testing.assert_allclose(vt.numpy(), v, rtol=0, atol=1e-12)
        root2, jp2, jv2 = br.from_thunder(qt, vt)
        for got, want in ((root2, root_state_w), (jp2, joint_pos), (jv2, joint_vel)):
            np.testing.assert_allclose(got.numpy(), want, rtol=0, atol=1e-12)
        # u_isaac = [v_world, ω_world, joint_vel (Isaac order)] -> Pinocchio's v = T u
        R = root.rotation
        T = np.zeros((18, 18))
        T[0:3, 0:3], T[3:6, 3:6] = R.T, R.T
        for k, j in enumerate(ids):
            T[j.idx_v, 6 + k] = 1.0
        u = np.concatenate([vel.linear, vel.angular, joint_vel])
        np.testing.assert_allclose(T @ u, v, rtol=0, atol=1e-12)
        qt_t = torch.tensor(q)
        M_pin = pin.crba(model, data, qp)
        M_pin = np.triu(M_pin) + np.triu(M_pin, 1).T
        close(br.M_to_sim(robot.M(qt_t), qt_t), T.T @ M_pin @ T, "Isaac mass matrix layout")
        fid = model.getFrameId("FL_foot")
        J_pin = pin.computeFrameJacobian(model, data, qp, fid, pin.ReferenceFrame.LOCAL_WORLD_ALIGNED)
        J_isaac = br.J_to_sim(robot.J_FL_foot(qt_t), qt_t)
        close(J_isaac, J_pin @ T, "Isaac Jacobian layout")
        # what the layout means: J_isaac u is the foot's world-frame velocity [linear; angular]
        foot = pin.getFrameVelocity(model, data, fid, pin.ReferenceFrame.LOCAL_WORLD_ALIGNED)
        close(J_isaac @ torch.tensor(u), np.concatenate([foot.linear, foot.angular]), "J u = foot velocity")


def test_isaaclab_fixed_base(ur5):
    robot, _, _ = ur5
    names = list(reversed(robot.joints))
    br = bridge.isaaclab(robot, names)
    q, v = torch.randn(4, 6, dtype=torch.float64), torch.randn(4, 6, dtype=torch.float64)
    jp, jv = br.from_thunder(q, v)
    assert torch.equal(jp, q.flip(-1)) and torch.equal(jv, v.flip(-1))
    q2, v2 = br.to_thunder(jp, jv)
    assert torch.equal(q2, q) and torch.equal(v2, v)
    M = robot.M(q)
    assert torch.equal(br.M_to_sim(M, q), M.flip(-1).flip(-2))
    # Isaac Lab has a root state for a fixed base too: accepted and ignored
    assert torch.equal(br.to_thunder(torch.zeros(13), jp, jv).q, q)
    assert torch.equal(br.from_thunder(q, v).joint_vel, jv)
    with pytest.raises(TypeError, match="joint_pos, joint_vel"):
        br.to_thunder(jp)


def test_joints_matched_by_name(ur5, go1):
    robot, _, _ = ur5
    with pytest.raises(ValueError, match="match by name"):
        bridge.isaaclab(robot, robot.joints[:-1] + ["gripper_joint"])
    sim_names = [f"ur5/{n}" for n in reversed(robot.joints)]   # other names, other order
    br = bridge.isaaclab(robot, sim_names, rename={f"ur5/{n}": n for n in robot.joints})
    assert br.sim_joint_names == sim_names and br.joint_perm.tolist() == [5, 4, 3, 2, 1, 0]
    with pytest.raises(ValueError, match="free joint"):   # Go1's URDF as MuJoCo reads it: welded
        bridge.mujoco(go1[0], mujoco.MjModel.from_xml_path(str(go1[2])))
    with pytest.raises(ValueError, match="ur5 has no floating base"):
        bridge.mujoco(robot, go1[1])


# -- per-environment parameters -------------------------------------------------------------------

def mujoco_with_par(mj, robot, par):
    """A copy of the MuJoCo model with Thunder's par_DYN written into its bodies (MuJoCo keeps
    principal inertias and their frame: the inertia tensor about the CoM diagonalised)."""
    m = copy.copy(mj)
    for k, el in enumerate(robot.param_elements["par_DYN"][::10]):
        b = m.body(el.rsplit(".", 1)[0]).id
        p = par[10 * k:10 * k + 10]
        I = np.array([[p[4], p[5], p[6]], [p[5], p[7], p[8]], [p[6], p[8], p[9]]])
        w, V = np.linalg.eigh(I)
        if np.linalg.det(V) < 0:
            V[:, 0] *= -1
        quat = np.zeros(4)
        mujoco.mju_mat2Quat(quat, V.flatten())
        m.body_mass[b], m.body_ipos[b], m.body_inertia[b], m.body_iquat[b] = p[0], p[1:4], w, quat
        m.body_sameframe[b] = 0   # the compiler's "inertial frame = body frame" shortcut no longer holds
    return m


def test_per_environment_parameters_match_mujoco(ur5):
    """Each environment its own randomised par_DYN in one batched call, against a MuJoCo model
    per environment carrying the same masses, CoMs and inertias."""
    robot, mj, _ = ur5
    gen = torch.Generator().manual_seed(5)
    par = bridge.randomize_par_DYN(robot, (3,), mass_scale=(0.5, 1.5), com_offset=0.05, generator=gen)
    assert par.shape == (3, 60)
    # physically consistent: positive masses, inertia about the CoM positive definite and
    # satisfying the triangle inequalities (principal moments a + b >= c)
    links = par.reshape(3, 6, 10)
    assert (links[..., 0] > 0).all()
    I = links[..., [4, 5, 6, 5, 7, 8, 6, 8, 9]].reshape(3, 6, 3, 3)
    ev = torch.linalg.eigvalsh(I)
    assert (ev > 0).all() and (ev[..., 0] + ev[..., 1] >= ev[..., 2] * (1 - 1e-12)).all()
    assert not torch.equal(par[0], par[1])
    q = torch.tensor(np.random.default_rng(6).uniform(-2, 2, (3, 6)))
    M = robot.M(q, par_DYN=par)
    for e in range(3):
        m = mujoco_with_par(mj, robot, par[e].numpy())
        d = mujoco.MjData(m)
        d.qpos[:] = q[e].numpy()
        mujoco.mj_forward(m, d)
        Mmj = np.zeros((6, 6))
        mujoco.mj_fullM(m, d, Mmj)
        close(M[e], Mmj, f"M of environment {e}")


def test_isaaclab_com_velocity_and_xyzw(go1):
    """Isaac Lab's root_state_w carries the root body's CoM velocity (its docs: "the linear and
    angular velocities are of the articulation root's center of mass frame"), Isaac Lab 3.x
    quaternions are x, y, z, w: with root_com_pos_b and quat_order="xyzw" the bridge reads such
    a state, the CoM velocity taken from a Pinocchio frame placed at that CoM."""
    robot, _, urdf = go1
    model = pin.buildModelFromUrdf(str(urdf), pin.JointModelFreeFlyer())
    c = model.inertias[1].lever.copy()                      # root body CoM in its frame
    fid = model.addFrame(pin.Frame("root_com", 1, pin.SE3(np.eye(3), c), pin.FrameType.OP_FRAME))
    data = model.createData()
    rng = np.random.default_rng(7)
    q = rng.uniform(-3, 3, robot.nq)
    q[3:7] /= np.linalg.norm(q[3:7])
    v = rng.uniform(-1, 1, robot.nv)
    pin.forwardKinematics(model, data, pin_state(model, q, robot.joints), v)
    pin.updateFramePlacements(model, data)
    com_vel = pin.getFrameVelocity(model, data, fid, pin.ReferenceFrame.LOCAL_WORLD_ALIGNED)
    br = bridge.isaaclab(robot, ISAAC_GO1_JOINTS, quat_order="xyzw", root_com_pos_b=torch.tensor(c))
    root, jp2, jv2 = br.from_thunder(torch.tensor(q), torch.tensor(v))
    np.testing.assert_allclose(root[3:7].numpy(), q[3:7], rtol=0, atol=0)       # x, y, z, w as is
    np.testing.assert_allclose(root[7:10].numpy(), com_vel.linear, rtol=0, atol=1e-12)
    np.testing.assert_allclose(root[10:13].numpy(), com_vel.angular, rtol=0, atol=1e-12)
    qt, vt = br.to_thunder(root.numpy(), joint_pos=jp2, joint_vel=jv2.numpy())   # arrays and keywords
    np.testing.assert_allclose(qt.numpy(), q, rtol=0, atol=1e-15)
    np.testing.assert_allclose(vt.numpy(), v, rtol=0, atol=1e-12)


def test_numpy_arrays_from_mujoco(ur5):
    """MuJoCo's data are numpy arrays: the maps take them as they are."""
    robot, mj, _ = ur5
    br = bridge.mujoco(robot, mj)
    d = mujoco.MjData(mj)
    d.qpos[:] = np.linspace(-1, 1, 6)
    d.qvel[:] = np.linspace(1, -1, 6)
    mujoco.mj_forward(mj, d)
    q, v = br.to_thunder(d.qpos, d.qvel)
    assert q.dtype == torch.float64 and torch.equal(q, torch.tensor(d.qpos))
    with torch.no_grad():
        close(br.bias_from_sim(d.qfrc_bias, q, v, robot.M(q)), (robot.C(q, v) @ v + robot.G(q)).numpy(),
              "bias_from_sim(qfrc_bias)")


def test_force_to_ctrl_drives_motor_actuators(go1):
    """MuJoCo motors (gear 2) on every leg joint: ctrl from force_to_ctrl makes qfrc_actuator the
    joint part of force_to_sim(tau) (MuJoCo computes qfrc_actuator itself)."""
    robot, _, urdf = go1
    spec = mujoco.MjSpec.from_file(str(urdf))
    spec.body("base").add_freejoint()
    for name in reversed(robot.joints[1:]):          # actuators in an order of their own
        spec.add_actuator(name=f"m_{name}", target=name, trntype=mujoco.mjtTrn.mjTRN_JOINT, gear=[2, 0, 0, 0, 0, 0])
    mj = spec.compile()
    br = bridge.mujoco(robot, mj)
    d = mujoco.MjData(mj)
    qpos, qvel, _ = sim_states(mj, 1, seed=8)[0]
    d.qpos[:], d.qvel[:] = qpos, qvel
    q, _ = br.to_thunder(d.qpos, d.qvel)
    tau = torch.cat([torch.zeros(6, dtype=torch.float64), torch.linspace(-3, 3, 12, dtype=torch.float64)])
    f = br.force_to_sim(tau, q)
    d.ctrl[:] = br.force_to_ctrl(f).numpy()
    mujoco.mj_forward(mj, d)
    np.testing.assert_allclose(d.qfrc_actuator, f.numpy(), rtol=0, atol=1e-12)


def test_isaaclab_float32(go1):
    """Isaac Lab's tensors are float32: a float32 module and float32 states give the float64
    results to float32 rounding (M entries of order 1: 1e-5 relative is ~100 ulp, the error
    accumulated over the recursions)."""
    robot, _, _ = go1
    robot32 = thunder_torch.load(robot._source[0], dtype=torch.float32, backend="torch")
    br, br32 = bridge.isaaclab(robot, ISAAC_GO1_JOINTS), bridge.isaaclab(robot32, ISAAC_GO1_JOINTS)
    gen = torch.Generator().manual_seed(9)
    root = torch.cat([torch.randn(5, 3, generator=gen), torch.nn.functional.normalize(torch.randn(5, 4, generator=gen), dim=-1),
                      torch.randn(5, 6, generator=gen)], -1)
    jp, jv = torch.randn(5, 12, generator=gen), torch.randn(5, 12, generator=gen)
    q32, v32 = br32.to_thunder(root, jp, jv)
    q, v = br.to_thunder(root.double(), jp.double(), jv.double())
    assert q32.dtype == torch.float32
    M32 = br32.M_to_sim(robot32.M(q32), q32)
    M64 = br.M_to_sim(robot.M(q), q)
    assert M32.dtype == torch.float32
    torch.testing.assert_close(M32.double(), M64, rtol=0, atol=1e-5 * float(M64.abs().max()))
    torch.testing.assert_close(br32.from_thunder(q32, v32)[0], root, rtol=0, atol=1e-6)


def quat_times_exp(q_xyzw, w, h):
    """q ⊗ exp(w h / 2): the base orientation after rotating at body rate w for time h."""
    a = np.linalg.norm(w) * h
    dq = np.concatenate([np.sin(a / 2) * w / np.linalg.norm(w), [np.cos(a / 2)]])
    x1, y1, z1, w1 = q_xyzw
    x2, y2, z2, w2 = dq
    return np.array([w1 * x2 + x1 * w2 + y1 * z2 - z1 * y2, w1 * y2 - x1 * z2 + y1 * w2 + z1 * x2,
                     w1 * z2 + x1 * y2 - y1 * x2 + z1 * w2, w1 * w2 - x1 * x2 - y1 * y2 - z1 * z2])


@pytest.mark.parametrize("sim", ["mujoco", "isaaclab"])
def test_P_dot_by_finite_differences(go1, sim):
    """Ṗ(q, v) against (P(q(h)) − P(q(−h))) / 2h along the base rotation (P depends on q through
    the base orientation only). Central differences with h = 1e-4: truncation ~h² = 1e-8,
    rounding ~1e-16 / h = 1e-12; compared at 1e-6."""
    robot, mj, _ = go1
    br = bridge.mujoco(robot, mj) if sim == "mujoco" else bridge.isaaclab(robot, ISAAC_GO1_JOINTS)
    rng = np.random.default_rng(10)
    q = rng.uniform(-1, 1, robot.nq)
    q[3:7] /= np.linalg.norm(q[3:7])
    v = rng.uniform(-1, 1, robot.nv)
    h = 1e-4
    qp, qm = q.copy(), q.copy()
    qp[3:7], qm[3:7] = quat_times_exp(q[3:7], v[3:6], h), quat_times_exp(q[3:7], v[3:6], -h)
    fd = (br.P(torch.tensor(qp)) - br.P(torch.tensor(qm))) / (2 * h)
    np.testing.assert_allclose(br.P_dot(torch.tensor(q), torch.tensor(v)).numpy(), fd.numpy(), rtol=0, atol=1e-6)
