"""thunder_torch.Ground: hard contacts of the --contacts frames with a plane in step / rollout.

References, none of them our own output:
- Physics: a block resting on a slope of angle θ stays when μ > tan θ and slides with
  a = g (sin θ − μ cos θ) when μ < tan θ (Coulomb); the normal force equals m g cos θ; a block
  dropped with restitution e leaves the ground with e times its impact speed; a robot at rest
  carries its weight: Σ normal forces = m g.
- MuJoCo (an independent simulator) on the same stripped Go1 URDF with a free joint and a floor,
  the same joint PD controller: base height after a 5 cm drop within 1 cm of MuJoCo's.
- Finite differences: gradcheck of a step in contact.
"""
import math
import sys

import numpy as np
import pytest
import torch

from conftest import ROOT, example_robot_data_dir, run_thunder

mujoco = pytest.importorskip("mujoco")
thunder_torch = pytest.importorskip("thunder_torch")

sys.path.insert(0, str(ROOT / "examples"))
from sim_robots import strip_urdf  # noqa: E402

FEET = ["FL_foot", "FR_foot", "RL_foot", "RR_foot"]
STAND = {"hip": 0.0, "thigh": 0.8, "calf": -1.5}     # Go1's nominal standing joint angles (rad)
FOOT_RADIUS = 0.02                                   # Go1's foot collision spheres: the plane is 2 cm up
GROUND_FUNCTIONS = "FD,impulse_contact,step_contact,J_contact,integrate,M_inv,p_contact"
BLOCK = """<robot name="block"><link name="block"><inertial><origin xyz="0 0 0"/><mass value="2.0"/>
<inertia ixx="0.02" iyy="0.03" izz="0.04" ixy="0" ixz="0" iyz="0"/></inertial></link></robot>"""
F64 = torch.float64


def gen_module(folder, urdf, contacts, frames, backend="torch", functions=GROUND_FUNCTIONS):
    run_thunder("gen", urdf, "--floating-base", "-o", folder, "--targets", "casadi,torch", "-q",
                "--contacts", contacts, "--frames", ",".join(frames),
                "--functions", functions + "," + ",".join(f"T_w_{f}" for f in frames))
    return thunder_torch.load(folder, dtype=F64, backend=backend)


@pytest.fixture(scope="module")
def blocks(tmp_path_factory):
    d = tmp_path_factory.mktemp("block")
    (d / "block.urdf").write_text(BLOCK)
    return {dim: gen_module(d / f"b{dim}", d / "block.urdf", "block" if dim == 3 else "block:6d", ["block"])
            for dim in (3, 6)}


@pytest.fixture(scope="module")
def go1(tmp_path_factory):
    d = tmp_path_factory.mktemp("go1g")
    urdf = strip_urdf(example_robot_data_dir() / "go1_description/urdf/go1.urdf", d / "go1.urdf",
                      free_joints=True, drop_inertial=["base"])
    return gen_module(d / "out", urdf, ",".join(FEET), FEET), urdf


def slope(theta):
    """Normal of a plane through the origin that rises along +x with angle theta."""
    return (-math.sin(theta), 0.0, math.cos(theta))


@pytest.mark.parametrize("dim", [3, 6])
def test_block_on_a_slope_obeys_coulomb(blocks, dim):
    """Three blocks on a 20° slope (tan = 0.364) at rest on the plane: μ = 0.5 holds them, μ = 0.2 and
    0.1 let them slide down with a = g (sin θ − μ cos θ); the normal force is m g cos θ."""
    robot = blocks[dim]
    theta, g, m, h, steps = math.radians(20), 9.81, 2.0, 1e-3, 200
    mus = torch.tensor([0.5, 0.2, 0.1], dtype=F64)
    n = torch.tensor(slope(theta), dtype=F64)
    ground = thunder_torch.Ground(robot, height=0.0, normal=n.tolist(), friction=mus)
    q0 = torch.zeros(3, 7, dtype=F64)
    q0[:, 6] = 1.0
    v0 = torch.zeros(3, 6, dtype=F64)
    q, v, _ = robot.rollout(q0, v0, torch.zeros(steps, 3, 6, dtype=F64), steps, h, contact=ground)
    downhill = torch.tensor([-math.cos(theta), 0.0, -math.sin(theta)], dtype=F64)
    travelled = (q[-1, :, :3] - q0[:, :3]) @ downhill
    # semi-implicit Euler under a constant acceleration: s_N = a h² N (N + 1) / 2 (exact)
    a = g * (math.sin(theta) - mus * math.cos(theta)).clamp(min=0)
    want = a * h * h * steps * (steps + 1) / 2
    torch.testing.assert_close(travelled, want, rtol=1e-9, atol=1e-12)
    assert float(ground.heights(q).abs().max()) < 1e-12         # on the plane all along
    _, _, info = ground.step(q[-1], v[-1], torch.zeros(3, 6, dtype=F64), torch.tensor(h, dtype=F64))
    fn = info["force"][..., :3] @ n
    torch.testing.assert_close(fn, torch.full((3,), m * g * math.cos(theta), dtype=F64), rtol=1e-9, atol=0)
    assert info["sliding"].flatten().tolist() == [False, True, True]


@pytest.mark.parametrize("plane", ["floor", "ceiling", "wall"])
def test_block_pushed_along_an_axis_plane_obeys_coulomb(blocks, plane):
    """Coordinate-axis normals (+z floor, −z ceiling, −x wall; the step projects on them by
    column views): a block pressed on the plane with a normal load N and pushed along it by
    F = 0.8 μ N stays, by F = 1.2 μ N slides with a = (F − μ N) / m (Coulomb). Floor: N = m g;
    ceiling at z = 0.5 (pressed up by 3 m g): N = 2 m g; wall at x = −0.2 (pressed by 4 m g along −x,
    pushed along +y, gravity along the wall is held by friction too: the tangential load is
    |(F, m g)|)."""
    robot = blocks[3]
    g, m, mu, h, steps = 9.81, 2.0, 0.5, 1e-3, 50
    normal, height, start, press, push = {
        "floor": ((0, 0, 1), 0.0, (0, 0, 0), (0, 0, 0), (1, 0, 0)),
        "ceiling": ((0, 0, -1), -0.5, (0, 0, 0.5), (0, 0, 3 * m * g), (1, 0, 0)),
        "wall": ((1, 0, 0), -0.2, (-0.2, 0, 0), (-4 * m * g, 0, 0), (0, 1, 0)),
    }[plane]
    N = {"floor": m * g, "ceiling": 2 * m * g, "wall": 4 * m * g}[plane]
    ground = thunder_torch.Ground(robot, height=height, normal=normal, friction=mu)
    q0 = torch.tensor([*start, 0, 0, 0, 1], dtype=F64).expand(2, 7).clone()
    assert float(ground.heights(q0).abs().max()) < 1e-15
    push_t = torch.tensor(push, dtype=F64)
    gravity_t = torch.tensor((0, 0, -m * g), dtype=F64) if plane == "wall" else torch.zeros(3, dtype=F64)
    # the push that makes the tangential load 0.8 and 1.2 times μ N (on the wall gravity adds to it)
    loads = torch.tensor([0.8, 1.2], dtype=F64) * mu * N
    F = torch.sqrt(loads.square() - gravity_t.square().sum())
    tau = torch.zeros(2, 6, dtype=F64)
    tau[:, :3] = torch.tensor(press, dtype=F64) + F.unsqueeze(-1) * push_t
    with torch.no_grad():
        q, v, _ = robot.rollout(q0, torch.zeros(2, 6, dtype=F64), tau.expand(steps, 2, 6), steps, h,
                                contact=ground)
    # held: no velocity at all; sliding: along the tangential load, |a| = (load − μ N) / m
    assert float(v[-1, 0].abs().max()) < 1e-12
    tangential = F[1] * push_t + gravity_t
    want = tangential / tangential.norm() * (loads[1] - mu * N) / m * h * steps
    torch.testing.assert_close(v[-1, 1, :3], want, rtol=1e-9, atol=1e-12)
    assert float(ground.heights(q[-1]).abs().max()) < 1e-12
    _, _, info = ground.step(q[-1], v[-1], tau, torch.tensor(h, dtype=F64))
    assert info["sliding"].flatten().tolist() == [False, True]
    torch.testing.assert_close(info["force"] @ torch.tensor(normal, dtype=F64),
                               torch.full((2,), N, dtype=F64), rtol=1e-9, atol=0)


def test_gradients_through_100_sliding_steps_are_the_closed_form(blocks):
    """Autograd through 100 steps of a block sliding down a slope against the derivatives of the
    closed form s_N = v0 h N + g (sin θ − μ cos θ) h² N (N + 1) / 2: ∂s/∂μ and ∂s/∂v0."""
    robot = blocks[3]
    theta, g, h, N = math.radians(25), 9.81, 1e-3, 100
    mu = torch.tensor(0.2, dtype=F64, requires_grad=True)
    v0 = torch.tensor(0.3, dtype=F64, requires_grad=True)
    n = torch.tensor(slope(theta), dtype=F64)
    downhill = torch.tensor([-math.cos(theta), 0.0, -math.sin(theta)], dtype=F64)
    ground = thunder_torch.Ground(robot, normal=n.tolist(), friction=mu)
    q0 = torch.tensor([0.0, 0, 0, 0, 0, 0, 1], dtype=F64)
    dq0 = torch.cat([v0 * downhill, torch.zeros(3, dtype=F64)])    # base frame = world at the identity
    q, _, _ = robot.rollout(q0, dq0, torch.zeros(N, 6, dtype=F64), N, h, contact=ground)
    travelled = (q[-1, :3] - q0[:3]) @ downhill
    d_mu, d_v0 = torch.autograd.grad(travelled, (mu, v0))
    assert float(d_mu) == pytest.approx(-g * math.cos(theta) * h * h * N * (N + 1) / 2, rel=1e-9)
    assert float(d_v0) == pytest.approx(h * N, rel=1e-9)
    # checkpointed rollouts recompute the same contact modes: the same gradient
    dq0 = torch.cat([v0 * downhill, torch.zeros(3, dtype=F64)])
    q, _, _ = robot.rollout(q0, dq0, torch.zeros(N, 6, dtype=F64), N, h, contact=ground, checkpoint=30)
    again = torch.autograd.grad((q[-1, :3] - q0[:3]) @ downhill, (mu, v0))
    assert float(again[0]) == pytest.approx(float(d_mu), rel=1e-12) and float(again[1]) == pytest.approx(float(d_v0), rel=1e-12)


def test_baumgarte_pushes_a_penetration_out(blocks):
    """A block resting 3 mm inside the plane: baumgarte = 0.2 removes 20 % of the depth per step
    (depth_k = 0.8^k depth_0), none without it; the correction moves the position only (split
    impulse): the velocity stays 0, so no energy is injected."""
    robot = blocks[3]
    q = torch.tensor([0.0, 0, -3e-3, 0, 0, 0, 1], dtype=F64)
    v, zero = torch.zeros(6, dtype=F64), torch.zeros(6, dtype=F64)
    for beta in (0.0, 0.2):
        ground = thunder_torch.Ground(robot, baumgarte=beta)
        qk, vk = q, v
        for _ in range(5):
            qk, vk = robot.step(qk, vk, zero, 1e-3, contact=ground)
        assert float(-ground.heights(qk)) == pytest.approx(3e-3 * (1 - beta) ** 5, rel=1e-9)
        assert float(vk.abs().max()) < 1e-15


def test_solo12_stands_on_a_slope(tmp_path):
    """A robot and contact names not used elsewhere here (Solo12, feet FL_FOOT ... HR_FOOT, 3d) on a
    10° slope 5 cm below the origin (μ = 0.8 > tan 10°): at rest after 0.5 s the contact forces
    carry the weight (Σ f = m g up, 1 %), the feet do not slide and never go into the plane."""
    feet = ["FL_FOOT", "FR_FOOT", "HL_FOOT", "HR_FOOT"]
    robot = gen_module(tmp_path / "solo", example_robot_data_dir() / "solo_description/robots/solo12.urdf",
                       ",".join(feet), feet)
    theta = math.radians(10)
    n = torch.tensor(slope(theta), dtype=F64)
    q = torch.zeros(robot.nq, dtype=F64)
    q[4], q[6] = math.sin(-theta / 2), math.cos(-theta / 2)             # the body parallel to the slope
    nominal = torch.tensor([0, 0.8, -1.6] * 2 + [0, -0.8, 1.6] * 2, dtype=F64)
    q[7:] = nominal
    ground = thunder_torch.Ground(robot, height=-0.05, normal=n.tolist(), friction=0.8)
    q[:3] -= ground.heights(q).min() * n                                  # the lowest foot on the plane
    mass = float(robot.param_vector("par_DYN").detach()[0::10].sum())
    weight = torch.zeros(4, 3, dtype=F64)
    weight[:, 2] = mass * 9.81 / 4

    def control(q, dq):      # joint PD + the joint torques that carry the weight through the feet
        ff = -(weight.reshape(-1) @ robot.J_contact(q)[..., 6:])
        return torch.cat([torch.zeros(6, dtype=F64), 6.0 * (nominal - q[7:]) - 0.15 * dq[6:] + ff])

    with torch.no_grad():
        qs, dqs, _ = robot.rollout(q, torch.zeros(robot.nv, dtype=F64), control, 500, 1e-3, contact=ground)
        _, _, info = ground.step(qs[-1], dqs[-1], control(qs[-1], dqs[-1]), torch.tensor(1e-3, dtype=F64))
        heights = torch.stack([ground.heights(x) for x in qs])
        pos = lambda x: torch.stack([getattr(robot, f"T_w_{f}")(x)[:3, 3] for f in feet])  # noqa: E731
        slip = (pos(qs[-1]) - pos(qs[250])).norm(dim=-1).max()
    total = info["force"].reshape(4, 3).sum(0)
    print(f"Solo12 on a 10° slope: Σ f = {total.tolist()} N (m g = {mass * 9.81:.4f} N), slip {float(slip):.2e} m")
    assert float((total - torch.tensor([0, 0, mass * 9.81], dtype=F64)).norm()) < 1e-2 * mass * 9.81
    assert bool(info["active"].all()) and not bool(info["sliding"].any())
    assert float(slip) < 1e-6 and float(heights.min()) > -1e-9


def test_restitution_and_ground_height(blocks):
    """A block falling onto a plane at height 0.3 m: with e = 0.5 it leaves with half of its impact
    speed and never goes below the plane by more than one step of travel; e = 0 stops it."""
    robot = blocks[3]
    h, z0 = 1e-3, 0.5
    for e in (0.0, 0.5):
        ground = thunder_torch.Ground(robot, height=0.3, restitution=e)
        q = torch.tensor([0.0, 0.0, z0, 0, 0, 0, 1], dtype=F64)
        v = torch.zeros(6, dtype=F64)
        speeds = []
        for _ in range(400):
            q_new, v_new = robot.step(q, v, torch.zeros(6, dtype=F64), h, contact=ground)
            if v[2] < -0.5 and v_new[2] > -0.5:     # the impact step
                speeds.append((float(v[2]), float(v_new[2])))
            q, v = q_new, v_new
            assert float(q[2]) > 0.3 - 3.5 * h     # at most one step of the impact speed (~3.1 m/s)
        v_in, v_out = speeds[0]
        # the impulse acts on the free velocity v + h g of the impact step
        assert v_out == pytest.approx(-e * (v_in - 9.81 * h), rel=1e-9)


def test_step_in_contact_gradcheck(blocks, go1):
    """Within a contact mode the step is smooth: autograd against finite differences, on the block
    sliding down a slope (friction on the cone's edge) and Go1 standing on four feet."""
    robot = blocks[3]
    ground = thunder_torch.Ground(robot, normal=slope(0.3), friction=0.1)
    q = torch.tensor([0.0, 0.0, 0.0, 0, 0, 0, 1], dtype=F64)
    v = torch.tensor([0.0, 0.0, 0.0, 0.1, 0.0, 0.0], dtype=F64, requires_grad=True)
    tau = torch.tensor([0.5, 0.1, -1.0, 0.0, 0.0, 0.0], dtype=F64, requires_grad=True)
    _, _, info = ground.step(q, v, tau, torch.tensor(1e-3, dtype=F64))
    assert bool(info["sliding"].all())
    assert torch.autograd.gradcheck(lambda v, tau: robot.step(q, v, tau, 1e-3, contact=ground), (v, tau))

    go, _ = go1
    q, _ = standing(go, drop=-1e-4)             # every foot 0.1 mm into the floor
    tau = torch.zeros(go.nv, dtype=F64, requires_grad=True)
    ground = thunder_torch.Ground(go, height=FOOT_RADIUS)
    _, _, info = ground.step(q, torch.zeros(go.nv, dtype=F64), tau, torch.tensor(1e-3, dtype=F64))
    assert bool(info["active"].all()) and not bool(info["sliding"].any())
    assert torch.autograd.gradcheck(
        lambda tau: go.step(q, torch.zeros(go.nv, dtype=F64), tau, 1e-3, contact=ground), (tau,))


def standing(robot, drop=0.0):
    """Go1 at its nominal joint angles with the foot spheres on the floor (+ drop metres up)."""
    q = torch.zeros(robot.nq, dtype=F64)
    q[6] = 1.0
    for i, name in enumerate(robot.joints[1:]):
        q[7 + i] = STAND[name.split("_")[1]]
    q[2] = FOOT_RADIUS - robot.T_w_FL_foot(q)[2, 3] + drop
    return q, q[7:].clone()


def pd(q_nom, kp=60.0, kd=3.0):
    """Joint PD around the standing pose (no torque on the base): the controller both simulators run."""
    def control(q, dq):
        t = kp * (q_nom - q[..., 7:]) - kd * dq[..., 6:]
        return torch.cat([torch.zeros(*q.shape[:-1], 6, dtype=q.dtype), t], -1)
    return control


def mujoco_drop(robot, urdf, q0, control, steps, dt):
    """The same drop in MuJoCo: the URDF with a free joint and a floor, contacts foot spheres-floor."""
    from quadruped_wbc import mujoco_go1
    from thunder_torch import bridge
    model = mujoco_go1(urdf)
    model.opt.timestep = dt
    br = bridge.mujoco(robot, model)
    data = mujoco.MjData(model)
    qpos, _ = br.from_thunder(q0[None], torch.zeros(1, robot.nv, dtype=F64))
    data.qpos[:] = qpos[0].numpy()
    z = []
    for _ in range(steps):
        q, v = br.to_thunder(torch.tensor(data.qpos)[None], torch.tensor(data.qvel)[None])
        data.qfrc_applied[:] = br.force_to_sim(control(q, v), q)[0].numpy()
        mujoco.mj_step(model, data)
        z.append(data.qpos[2])
    return np.array(z)


def drop_against_mujoco(go1, seconds):
    robot, urdf = go1
    dt, steps = 1e-3, int(round(seconds / 1e-3))
    q0, q_nom = standing(robot, drop=0.05)
    control = pd(q_nom)
    ground = thunder_torch.Ground(robot, height=FOOT_RADIUS, friction=1.0)
    with torch.no_grad():
        q, dq, _ = robot.rollout(q0, torch.zeros(robot.nv, dtype=F64), control, steps, dt, contact=ground)
        heights = torch.stack([ground.heights(x) for x in q])
    z_mj = mujoco_drop(robot, urdf, q0, control, steps, dt)
    z = q[1:, 2].numpy()
    print(f"Go1 dropped 5 cm, {seconds} s: base height ours {z[-1]:.4f} m, MuJoCo {z_mj[-1]:.4f} m; "
          f"max |z - z_mujoco| {np.abs(z - z_mj).max() * 1e3:.2f} mm; deepest foot "
          f"{-float(heights.min()) * 1e3:.3f} mm")
    assert -float(heights.min()) < 5e-3                         # no foot 5 mm into the floor
    return robot, ground, q, dq, z, z_mj, heights


def test_go1_drop_lands_like_mujoco(go1):
    """0.4 s of the drop (the impact and the first bounce of the PD legs): the base height follows
    MuJoCo's within 1 cm all along, no foot goes 5 mm into the floor, the landed feet do not slide
    (μ = 1)."""
    robot, _, q, _, z, z_mj, _ = drop_against_mujoco(go1, 0.4)
    assert np.abs(z - z_mj).max() < 1e-2
    feet = lambda x: torch.stack([getattr(robot, f"T_w_{f}")(x)[:2, 3] for f in FEET])  # noqa: E731
    slip = float((feet(q[-1]) - feet(q[150])).norm(dim=-1).max())      # landed at ~0.1 s
    print(f"feet slip from 0.15 s to 0.4 s: {slip:.2e} m")
    assert slip < 1e-4


@pytest.mark.slow
def test_go1_drop_settles_like_mujoco(go1):
    """The whole 2 s: settled at MuJoCo's base height within 1 cm, at rest, feet not sliding
    (μ = 1), and the normal forces carry the weight (Σ f_n = m g)."""
    robot, ground, q, dq, z, z_mj, _ = drop_against_mujoco(go1, 2.0)
    assert abs(z[-1] - z_mj[-1]) < 1e-2
    assert float(dq[-1].abs().max()) < 1e-2
    feet = lambda x: torch.stack([getattr(robot, f"T_w_{f}")(x)[:2, 3] for f in FEET])  # noqa: E731
    slip = (feet(q[-1]) - feet(q[len(q) // 4])).norm(dim=-1).max()
    assert float(slip) < 1e-4
    _, _, info = ground.step(q[-1], dq[-1], pd(standing(robot)[1])(q[-1], dq[-1]), torch.tensor(1e-3, dtype=F64))
    mass = float(robot.param_vector("par_DYN").detach()[0::10].sum())
    assert float(info["force"][2::3].sum()) == pytest.approx(mass * 9.81, rel=1e-2)


@pytest.mark.slow
def test_humanoid_on_two_flat_feet(tmp_path):
    """6d contacts on a real robot (simple_humanoid, l_ankle:6d and r_ankle:6d, nv = 35) dropped
    1 cm under a joint PD: both feet land and hold (force and moment rows), no foot goes 0.5 mm
    into the floor, and after 0.4 s the vertical forces carry the weight (m g, 2 %)."""
    feet = ["l_ankle", "r_ankle"]
    robot = gen_module(tmp_path / "hum", example_robot_data_dir() / "simple_humanoid_description/urdf/simple_humanoid.urdf",
                       ",".join(f"{f}:6d" for f in feet), feet)
    assert robot.contacts == {"l_ankle": 6, "r_ankle": 6}
    ground = thunder_torch.Ground(robot, height=0.0, friction=1.0)
    q = torch.zeros(robot.nq, dtype=F64)
    q[6] = 1.0
    q[2] = -float(ground.heights(q).min()) + 0.01
    nominal = q[7:].clone()

    def control(q, dq):
        return torch.cat([torch.zeros(6, dtype=F64), 200 * (nominal - q[7:]) - 5 * dq[6:]])

    with torch.no_grad():
        qs, dqs, _ = robot.rollout(q, torch.zeros(robot.nv, dtype=F64), control, 400, 1e-3, contact=ground)
        _, _, info = ground.step(qs[-1], dqs[-1], control(qs[-1], dqs[-1]), torch.tensor(1e-3, dtype=F64))
        deepest = -float(torch.stack([ground.heights(x) for x in qs]).min())
    mass = float(robot.param_vector("par_DYN").detach()[0::10].sum())
    fz = float(info["force"][2] + info["force"][8])
    print(f"simple_humanoid on two 6d feet: Σ f_z = {fz:.2f} N, m g = {mass * 9.81:.2f} N, deepest {deepest * 1e3:.3f} mm")
    assert bool(info["active"].all()) and deepest < 5e-4
    assert fz == pytest.approx(mass * 9.81, rel=2e-2)


@pytest.mark.slow
def test_native_backend_steps_as_the_torch_backend(go1, tmp_path):
    """The native kernels (compiled here, a few minutes) against the torch interpreter: 100 steps of
    16 Go1s with random velocities on a floor with μ = 0.3 (impacts, sliding, releases), states and
    the gradient with respect to the initial velocities."""
    _, urdf = go1
    feet = ",".join(FEET)
    out = tmp_path / "native"
    run_thunder("gen", urdf, "--floating-base", "-o", out, "--targets", "casadi,torch,native", "--no-cuda", "-q",
                "--native-opt", "1", "--contacts", feet, "--frames", feet,
                "--functions", GROUND_FUNCTIONS + "," + ",".join(f"T_w_{f}" for f in FEET))
    results = []
    for backend in ("native", "torch"):
        robot = thunder_torch.load(out, dtype=F64, backend=backend)
        q0 = standing(robot, drop=0.01)[0].expand(16, -1).clone()
        dq0 = torch.rand(16, robot.nv, generator=torch.Generator().manual_seed(1), dtype=F64) - 0.5
        dq0.requires_grad_(True)
        ground = thunder_torch.Ground(robot, height=FOOT_RADIUS, friction=0.3)
        q, dq, _ = robot.rollout(q0, dq0, pd(q0[0, 7:].clone()), 100, 1e-3, contact=ground)
        (grad,) = torch.autograd.grad(q[-1, :, 2].sum() + dq[-1].square().sum(), dq0)
        results.append((q[-1].detach(), grad))
    torch.testing.assert_close(results[0][0], results[1][0], rtol=0, atol=1e-12)
    torch.testing.assert_close(results[0][1], results[1][1], rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("dim", [3, 6])
def test_a_module_without_step_contact_steps_the_same(blocks, tmp_path, dim):
    """Ground takes its free velocity and first impulse from step_contact when the module has it
    (one call sharing M's factorization) and from FD + impulse_contact otherwise: the same states
    and forces, here for blocks sliding, sticking and bouncing on a slope (μ 0.5 / 0.2 / 0.1,
    e = 0.3 for the first, dropped from 2 mm)."""
    (tmp_path / "b.urdf").write_text(BLOCK)
    plain = gen_module(tmp_path / "plain", tmp_path / "b.urdf", "block" if dim == 3 else "block:6d", ["block"],
                       functions=GROUND_FUNCTIONS.replace("step_contact,", ""))
    assert not hasattr(plain, "step_contact") and hasattr(blocks[dim], "step_contact")
    n = torch.tensor(slope(math.radians(20)), dtype=F64)
    q0 = torch.zeros(3, 7, dtype=F64)
    q0[:, 6] = 1.0
    q0[:, :3] = 2e-3 * n
    dq0 = torch.zeros(3, 6, dtype=F64)
    runs = []
    for robot in (blocks[dim], plain):
        ground = thunder_torch.Ground(robot, normal=n.tolist(), friction=torch.tensor([0.5, 0.2, 0.1], dtype=F64),
                                      restitution=torch.tensor([0.3, 0.0, 0.0], dtype=F64))
        q, dq, _ = robot.rollout(q0, dq0, torch.zeros(150, 3, 6, dtype=F64), 150, 1e-3, contact=ground)
        _, _, info = ground.step(q[-1], dq[-1], torch.zeros(3, 6, dtype=F64), torch.tensor(1e-3, dtype=F64))
        runs.append((q, dq, info["force"]))
    assert float(runs[0][2][1:, :3].norm(dim=-1).min()) > 1.0   # the two without restitution rest at the end
    for a, b in zip(*runs):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)


def test_bad_inputs_are_refused(blocks, tmp_path):
    robot = blocks[3]
    (tmp_path / "b.urdf").write_text(BLOCK)
    run_thunder("gen", tmp_path / "b.urdf", "--floating-base", "-o", tmp_path / "nc", "--targets", "casadi,torch", "-q", "--functions", "FD,integrate")
    plain = thunder_torch.load(tmp_path / "nc", dtype=F64, backend="torch")
    with pytest.raises(ValueError, match="--contacts"):
        thunder_torch.Ground(plain)
    run_thunder("gen", tmp_path / "b.urdf", "--floating-base", "-o", tmp_path / "nf", "--targets", "casadi,torch", "-q",
                "--contacts", "block", "--functions", GROUND_FUNCTIONS.replace(",p_contact", ""))
    no_positions = thunder_torch.load(tmp_path / "nf", dtype=F64, backend="torch")
    with pytest.raises(ValueError, match="T_w_block.*p_contact"):
        thunder_torch.Ground(no_positions)
    with pytest.raises(ValueError, match="normal"):
        thunder_torch.Ground(robot, normal=(0, 0, 0))
    with pytest.raises(ValueError, match="friction"):
        thunder_torch.Ground(robot, friction=-1)
    ground = thunder_torch.Ground(robot)
    z = torch.zeros(6, dtype=F64)
    q = torch.tensor([0, 0, 0, 0, 0, 0, 1.0], dtype=F64)
    with pytest.raises(ValueError, match="semi_implicit_euler"):
        robot.step(q, z, z, 1e-3, integrator="rk4", contact=ground)
    with pytest.raises(ValueError, match="another module"):
        blocks[6].step(q, z, z, 1e-3, contact=ground)
