"""thunder_torch's step / rollout against MuJoCo (an independent simulator) and physics.

- MuJoCo loads the same URDF (UR5 of example-robot-data, meshes stripped, joint limits and
  damping removed so that MuJoCo adds no constraint or passive forces): qacc after mj_forward
  against FD, and a 1 s passive rollout, our RK4 against MuJoCo's RK4 at the same dt.
- Energy: with tau = 0 and no friction, RK4 at dt = 1 ms conserves 1/2 v'Mv + U over 1 s, on the
  DH Panda and on a floating-base quadruped in free fall (the quaternion integrated on the manifold).
- gradcheck of step (finite differences against autograd), checkpointed rollouts give the
  gradients of plain ones, the torque-sequence and callable controllers.
"""
import re

import numpy as np
import pytest
import torch

from conftest import ROBOTS as YAML_ROBOTS
from conftest import example_robot_data_dir, run_thunder

mujoco = pytest.importorskip("mujoco")
thunder_torch = pytest.importorskip("thunder_torch")

SIM_FUNCTIONS = "FD,M,com,integrate,tau"


def load(out):
    return thunder_torch.load(out, dtype=torch.float64, backend="torch")


def stripped_ur5(folder):
    """UR5 as MuJoCo and Thunder both read it: meshes, limits and joint dynamics removed."""
    src = (example_robot_data_dir() / "ur_description/urdf/ur5_robot.urdf").read_text()
    text = re.sub(r"<visual>.*?</visual>|<collision>.*?</collision>", "", src, flags=re.S)
    text = re.sub(r"<dynamics[^>]*/>", "", text)
    text = re.sub(r"<limit[^>]*/>", "", text)
    text = text.replace('type="revolute"', 'type="continuous"')
    urdf = folder / "ur5.urdf"
    urdf.write_text(text)
    return urdf


@pytest.fixture(scope="module")
def ur5(tmp_path_factory):
    d = tmp_path_factory.mktemp("ur5")
    urdf = stripped_ur5(d)
    out = d / "out"
    run_thunder("gen", urdf, "-o", out, "--targets", "casadi,torch", "--functions", SIM_FUNCTIONS)
    mj = mujoco.MjModel.from_xml_path(str(urdf))
    robot = load(out)
    adr = [mj.joint(name).qposadr[0] for name in robot.joints]
    assert mj.nq == mj.nv == robot.nv == len(adr)
    return robot, mj, np.array(adr)


def test_fd_matches_mujoco_qacc(ur5):
    robot, mj, adr = ur5
    data = mujoco.MjData(mj)
    rng = np.random.default_rng(0)
    for _ in range(5):
        q, dq, tau = rng.uniform(-3, 3, 6), rng.uniform(-2, 2, 6), rng.uniform(-20, 20, 6)
        data.qpos[adr], data.qvel[adr], data.qfrc_applied[adr] = q, dq, tau
        mujoco.mj_forward(mj, data)
        got = robot.FD(*(torch.tensor(x) for x in (q, dq, tau))).numpy()
        np.testing.assert_allclose(got, data.qacc[adr], rtol=0, atol=1e-8 * max(1, np.abs(got).max()))


def passive_rollout_errors(ur5, mj_integrator, integrator, seed):
    """max |q - qpos|, |dq - qvel| after a 1 s passive rollout (dt 1 ms) of MuJoCo's integrator
    and ours from the same random state."""
    robot, mj, adr = ur5
    mj.opt.integrator = mj_integrator
    mj.opt.timestep = 1e-3
    data = mujoco.MjData(mj)
    rng = np.random.default_rng(seed)
    q0, dq0 = rng.uniform(-2, 2, 6), rng.uniform(-1, 1, 6)
    data.qpos[adr], data.qvel[adr] = q0, dq0
    for _ in range(1000):
        mujoco.mj_step(mj, data)
    zero = torch.zeros(1000, 6, dtype=torch.float64)
    q, dq, _ = robot.rollout(torch.tensor(q0), torch.tensor(dq0), zero, 1000, 1e-3, integrator=integrator)
    q_err = np.abs(q[-1].numpy() - data.qpos[adr]).max()
    dq_err = np.abs(dq[-1].numpy() - data.qvel[adr]).max()
    print(f"UR5 passive 1 s, {integrator} dt 1 ms: |q - q_mujoco| = {q_err:.2e} rad, "
          f"|dq - dq_mujoco| = {dq_err:.2e} rad/s")
    return q_err, dq_err


def test_passive_rollout_matches_mujoco_rk4(ur5):
    q_err, dq_err = passive_rollout_errors(ur5, mujoco.mjtIntegrator.mjINT_RK4, "rk4", seed=1)
    assert q_err < 1e-10 and dq_err < 1e-10   # same scheme, same dt: rounding only


def test_passive_rollout_matches_mujoco_semi_implicit_euler(ur5):
    """MuJoCo's default integrator (mjINT_EULER) is semi-implicit Euler: qvel' = qvel + h qacc,
    then qpos' integrates the NEW velocity (its implicit damping is inactive: damping was removed).
    Integrating q with the old velocity (explicit Euler) differs by h^2 qacc per step, ~1e-3 rad
    after 1000 steps; the same scheme agrees to rounding."""
    q_err, dq_err = passive_rollout_errors(ur5, mujoco.mjtIntegrator.mjINT_EULER, "semi_implicit_euler", seed=4)
    assert q_err < 1e-9 and dq_err < 1e-9, (q_err, dq_err)


@pytest.mark.parametrize("integrator", ["semi_implicit_euler", "rk4"])
def test_free_fall_has_the_closed_form_trajectory(go1, integrator):
    """A floating robot at rest with zero torques falls without moving its joints: every body
    accelerates with g. Semi-implicit Euler gives exactly p_n = p0 + g h^2 n (n + 1) / 2 (velocity
    first, then position with the new velocity; explicit Euler would give n (n - 1) / 2); RK4 is
    exact for a constant acceleration: p0 + g (n h)^2 / 2. The orientation and joints stay put."""
    gen = torch.Generator().manual_seed(8)
    q0 = torch.rand(3, go1.nq, generator=gen, dtype=torch.float64) * 2 - 1
    q0[:, 3:7] /= q0[:, 3:7].norm(dim=1, keepdim=True)
    dq0 = torch.zeros(3, go1.nv, dtype=torch.float64)
    n, h = 20, 1e-2
    with torch.no_grad():
        q, dq, _ = go1.rollout(q0, dq0, torch.zeros(n, 3, go1.nv, dtype=torch.float64), n, h, integrator=integrator)
    g = torch.as_tensor(go1.par_gravity, dtype=torch.float64)
    steps = torch.arange(n + 1, dtype=torch.float64)[:, None, None]
    factor = steps * (steps + 1) / 2 * h * h if integrator == "semi_implicit_euler" else (steps * h) ** 2 / 2
    want = q0[None, :, :3] + factor * g
    torch.testing.assert_close(q[..., :3], want, rtol=0, atol=1e-10)
    torch.testing.assert_close(q[..., 3:], q0[None, :, 3:].expand(n + 1, -1, -1), rtol=0, atol=1e-12)


def energy(robot, mass, q, dq):
    """1/2 dq' M dq + U with U = -m g . com (fixed and floating bases alike)."""
    M = robot.M(q)
    kinetic = 0.5 * torch.einsum("...i,...ij,...j->...", dq, M, dq)
    g = torch.as_tensor(robot.par_gravity, dtype=q.dtype)
    return kinetic - mass * (robot.com(q) @ g), kinetic


def total_mass(robot):
    dyn = robot.param_vector("par_DYN").detach()
    return float(dyn[0::10].sum())


@pytest.fixture(scope="module")
def dh_panda(tmp_path_factory):
    out = tmp_path_factory.mktemp("panda") / "out"
    run_thunder("gen", YAML_ROBOTS / "franka.yaml", "-o", out, "--targets", "casadi,torch",
                "--functions", SIM_FUNCTIONS)
    return load(out)


@pytest.fixture(scope="module")
def go1(tmp_path_factory):
    out = tmp_path_factory.mktemp("go1") / "out"
    run_thunder("gen", example_robot_data_dir() / "go1_description/urdf/go1.urdf", "--floating-base",
                "-o", out, "--targets", "casadi,torch", "--functions", SIM_FUNCTIONS)
    return load(out)


def check_energy(robot, q0, dq0, steps=1000, dt=1e-3):
    mass = total_mass(robot)
    with torch.no_grad():
        q, dq, _ = robot.rollout(q0, dq0, lambda q, dq: torch.zeros_like(dq), steps, dt, integrator="rk4")
        E, kinetic = energy(robot, mass, q, dq)
    drift = (E - E[0]).abs().max(dim=0).values
    scale = kinetic.max(dim=0).values + (E - kinetic).max(dim=0).values - (E - kinetic).min(dim=0).values
    rel = float((drift / scale).max())
    print(f"{robot.robot}: RK4 dt {dt} over {steps * dt} s: max |E - E0| / energy exchanged = {rel:.2e}")
    assert rel < 1e-6
    return q


def test_rk4_conserves_energy_dh_panda(dh_panda):
    gen = torch.Generator().manual_seed(2)
    q0 = torch.rand(4, 7, generator=gen, dtype=torch.float64) * 4 - 2
    dq0 = torch.rand(4, 7, generator=gen, dtype=torch.float64) * 2 - 1
    check_energy(dh_panda, q0, dq0)


def test_rk4_conserves_energy_floating_base_in_free_fall(go1):
    gen = torch.Generator().manual_seed(3)
    B, nq = 2, go1.nq
    q0 = torch.rand(B, nq, generator=gen, dtype=torch.float64) * 2 - 1
    q0[:, 3:7] /= q0[:, 3:7].norm(dim=1, keepdim=True)
    dq0 = torch.rand(B, go1.nv, generator=gen, dtype=torch.float64) * 2 - 1
    q = check_energy(go1, q0, dq0)
    # the quaternion stays on the unit sphere (integrate works on the manifold)
    torch.testing.assert_close(q[..., 3:7].norm(dim=-1), torch.ones(q.shape[:-1], dtype=torch.float64),
                               rtol=0, atol=1e-12)


@pytest.mark.parametrize("integrator", ["semi_implicit_euler", "rk4"])
def test_step_gradcheck(dh_panda, go1, integrator):
    gen = torch.Generator().manual_seed(4)
    for robot in (dh_panda, go1):
        q = torch.rand(2, robot.nq, generator=gen, dtype=torch.float64) * 2 - 1
        if robot.floating_base:
            q[:, 3:7] /= q[:, 3:7].norm(dim=1, keepdim=True)
        dq = torch.rand(2, robot.nv, generator=gen, dtype=torch.float64) - 0.5
        tau = torch.rand(2, robot.nv, generator=gen, dtype=torch.float64) * 4 - 2
        dq.requires_grad_(True)
        tau.requires_grad_(True)
        # q's quaternion is constrained: the gradient is checked on the joint part of q
        qj = q[:, -(robot.nq - 7):].clone().requires_grad_(True) if robot.floating_base else q.clone().requires_grad_(True)

        def f(qj, dq, tau):
            qq = torch.cat([q[:, :7], qj], dim=1) if robot.floating_base else qj
            return robot.step(qq, dq, tau, 0.01, integrator)

        assert torch.autograd.gradcheck(f, (qj, dq, tau), eps=1e-6, atol=1e-6, rtol=1e-5)


def test_checkpointed_rollout_gives_the_same_gradients(dh_panda):
    gen = torch.Generator().manual_seed(5)
    q0 = torch.rand(3, 7, generator=gen, dtype=torch.float64)
    dq0 = torch.zeros(3, 7, dtype=torch.float64)
    taus = (torch.rand(40, 3, 7, generator=gen, dtype=torch.float64) - 0.5).requires_grad_(True)
    grads = []
    for ckpt in (None, 7):
        q, dq, tau = dh_panda.rollout(q0, dq0, taus, 40, 5e-3, integrator="rk4", checkpoint=ckpt)
        assert q.shape == (41, 3, 7) and dq.shape == (41, 3, 7) and tau.shape == (40, 3, 7)
        (g,) = torch.autograd.grad(q[-1].square().sum(), taus)
        grads.append(g)
    torch.testing.assert_close(grads[0], grads[1], rtol=1e-12, atol=1e-14)


def test_rollout_without_autograd_is_the_loop_of_steps(go1):
    """Without autograd rollout writes each step into the preallocated trajectory: the same
    states and torques as a loop of `step` (a free-falling spinning Go1 under a damping
    controller), and the same as the stacked trajectory of the autograd path."""
    robot = go1
    gen = torch.Generator().manual_seed(3)
    q0 = torch.zeros(4, robot.nq, dtype=torch.float64)
    q0[:, 3:7] = torch.nn.functional.normalize(torch.rand(4, 4, generator=gen, dtype=torch.float64), dim=-1)
    q0[:, 7:] = torch.rand(4, robot.nq - 7, generator=gen, dtype=torch.float64)
    dq0 = torch.rand(4, robot.nv, generator=gen, dtype=torch.float64) - 0.5

    def control(q, dq):
        return -2.0 * dq

    with torch.no_grad():
        q, dq, tau = robot.rollout(q0, dq0, control, 6, 2e-3)
    assert q.shape == (7, 4, robot.nq) and dq.shape == (7, 4, robot.nv) and tau.shape == (6, 4, robot.nv)
    qk, dqk = q0, dq0
    torch.testing.assert_close(q[0], q0, rtol=0, atol=0)
    for k in range(6):
        torch.testing.assert_close(tau[k], control(qk, dqk), rtol=0, atol=0)
        qk, dqk = robot.step(qk, dqk, control(qk, dqk), 2e-3)
        torch.testing.assert_close(q[k + 1], qk, rtol=0, atol=0)
        torch.testing.assert_close(dq[k + 1], dqk, rtol=0, atol=0)
    # and the same trajectory as the autograd path (the stacked one)
    q_g, dq_g, tau_g = robot.rollout(q0, dq0.clone().requires_grad_(True), control, 6, 2e-3)
    torch.testing.assert_close(q_g.detach(), q, rtol=0, atol=0)
    torch.testing.assert_close(tau_g.detach(), tau, rtol=0, atol=0)


def test_rollout_with_a_pd_controller_module(dh_panda):
    """A torch.nn.Module as controller; with_time passes t = k dt. Computed torque
    M (kp e - kd dq) + C dq + G (critically damped at 20 rad/s) settles the arm at q*."""

    class PD(torch.nn.Module):
        def __init__(self, target):
            super().__init__()
            self.target = target
            self.kp, self.kd = 400.0, 40.0

        def forward(self, q, dq):
            return dh_panda.tau(q, dq, self.kp * (self.target - q) - self.kd * dq)

    target = torch.tensor([0.1, -0.3, 0.2, -1.5, 0.1, 1.2, 0.4], dtype=torch.float64)
    q, dq, tau = dh_panda.rollout(torch.zeros(7, dtype=torch.float64), torch.zeros(7, dtype=torch.float64),
                                  PD(target), 2000, 1e-3)
    torch.testing.assert_close(q[-1], target, rtol=0, atol=1e-4)
    times = []
    dh_panda.rollout(torch.zeros(7, dtype=torch.float64), torch.zeros(7, dtype=torch.float64),
                     lambda t, q, dq: times.append(t) or torch.zeros_like(dq), 3, 0.5, with_time=True)
    assert times == [0.0, 0.5, 1.0]


def test_step_rejects_bad_arguments(dh_panda):
    z = torch.zeros(7, dtype=torch.float64)
    with pytest.raises(ValueError, match="integrator must be one of"):
        dh_panda.step(z, z, z, 0.01, integrator="euler")
    with pytest.raises(ValueError, match="torque sequence needs shape"):
        dh_panda.rollout(z, z, torch.zeros(3, 7, dtype=torch.float64), 4, 0.01)
