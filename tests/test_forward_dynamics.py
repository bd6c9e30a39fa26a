"""Forward dynamics, M⁻¹ and the derivatives of the dynamics against Pinocchio (`pin.aba`,
`computeMinverse`, `computeRNEADerivatives`, `computeABADerivatives`) on a URDF chain with mimic
fingers, the DH Panda of robots/franka.yaml (Pinocchio's model built here from the file's numbers),
a quadruped and a humanoid with floating bases; finite differences in the tangent space (an
independent check of Pinocchio's convention); the coupled elastic-joint model.

Tolerance: float64 on both sides, different recursions; entries agree to ~1e-13 relative to the
largest one, so 1e-9 of the largest entry catches any wrong term or convention.
"""
import numpy as np
import pytest
import yaml

from conftest import ROBOTS as YAML_ROBOTS
from conftest import example_robot_data_dir
from test_trees import ROBOTS as URDF_ROBOTS
from test_trees import Robot, pin_mass_matrix

pin = pytest.importorskip("pinocchio")

TOL = 1e-9
FUNCTIONS = "FD,M_inv,dtau_dq,dtau_ddq,dFD_dq,dFD_ddq,FD_derivatives,tau_derivatives,tau,M,integrate"


def close(got, want, what):
    want = np.asarray(want)
    np.testing.assert_allclose(np.asarray(got).reshape(want.shape), want, rtol=0,
                               atol=TOL * max(1.0, np.abs(want).max()), err_msg=what)


def dh_panda_pinocchio():
    """Pinocchio's model of robots/franka.yaml built from the file's numbers (modified DH:
    ⁱ⁻¹Tᵢ = Rx(α) Tx(a) Rz(θ + offset) Tz(d), inertias about the centre of mass in link frames)."""
    cfg = yaml.safe_load((YAML_ROBOTS / "franka.yaml").read_text())
    dh = np.array(cfg["kinematics"]["DH"], dtype=float).reshape(-1, 4)
    model = pin.Model()
    model.gravity.linear = np.array(cfg["gravity"]["value"], float)
    parent = 0
    for k, (a, alpha, d, offset) in enumerate(dh):
        R = pin.utils.rotate("x", alpha) @ pin.utils.rotate("z", offset)
        placement = pin.SE3(R, np.array([a, 0.0, 0.0]) + R @ np.array([0.0, 0.0, d]))
        parent = model.addJoint(parent, pin.JointModelRZ(), placement, f"joint{k + 1}")
        inertial = cfg["dynamics"][f"link{k + 1}"]["inertial"]
        I = np.array([[inertial["Ixx"], inertial["Ixy"], inertial["Ixz"]],
                      [inertial["Ixy"], inertial["Iyy"], inertial["Iyz"]],
                      [inertial["Ixz"], inertial["Iyz"], inertial["Izz"]]])
        com = np.array([inertial["CoM_x"], inertial["CoM_y"], inertial["CoM_z"]])
        model.appendBodyToJoint(parent, pin.Inertia(inertial["mass"], com, I), pin.SE3.Identity())
    return model


class DHPanda:
    """The DH Panda next to Pinocchio, with test_trees.Robot's interface."""

    def __init__(self, gen):
        self.gen, self.man = gen, gen.manifest
        self.model = dh_panda_pinocchio()
        self.data = self.model.createData()
        self.nq = self.nv = 7

    def to_pin(self, q):
        return np.asarray(q, float)

    def random_state(self, rng):
        return rng.uniform(-2, 2, 7), rng.uniform(-1, 1, 7), rng.uniform(-1, 1, 7)


CASES = ["panda_tree", "dh_panda", "go1", "humanoid"]


@pytest.fixture(scope="module", params=CASES)
def robot(request, generate):
    if request.param == "dh_panda":
        return DHPanda(generate(YAML_ROBOTS / "franka.yaml", "--functions", FUNCTIONS))
    path, args, ff = URDF_ROBOTS[request.param]
    urdf = example_robot_data_dir() / path
    return Robot(generate(urdf, *args, "--functions", FUNCTIONS), urdf, ff)


def has_mimic(r):
    return any(r.model.joints[i].shortname() == "JointModelMimic" for i in range(r.model.njoints))


def states(r, seed, n=3):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        q, v, a = r.random_state(rng)
        yield q, v, a, rng.uniform(-5, 5, r.nv)


def test_forward_dynamics_and_inverse_mass_matrix(robot):
    model, data, g = robot.model, robot.data, robot.gen
    for q, v, _, torque in states(robot, 1):
        qp = robot.to_pin(q)
        M = pin_mass_matrix(robot, qp)
        if has_mimic(robot):   # ABA and computeMinverse have no mimic joints: the same system by LLT
            want_fd = np.linalg.solve(M, torque - pin.rnea(model, data, qp, v, np.zeros(robot.nv)))
            want_minv = np.linalg.inv(M)
        else:
            want_fd = pin.aba(model, data, qp, v, torque)
            Minv = pin.computeMinverse(model, data, qp)
            want_minv = np.triu(Minv) + np.triu(Minv, 1).T
        close(g.call("FD", q=q, dq=v, torque=torque), want_fd, "FD")
        close(g.call("M_inv", q=q), want_minv, "M_inv")
        close(g.call("M_inv", q=q) @ g.call("M", q=q), np.eye(robot.nv), "M_inv M")


def test_derivatives_match_pinocchio(robot):
    if has_mimic(robot):
        pytest.skip("Pinocchio's derivative algorithms have no mimic joints (finite differences below)")
    model, data, g = robot.model, robot.data, robot.gen
    for q, v, a, torque in states(robot, 2):
        qp = robot.to_pin(q)
        dq, dv, _ = pin.computeRNEADerivatives(model, data, qp, v, a)
        close(g.call("dtau_dq", q=q, dq=v, ddq=a), dq, "dtau_dq")
        close(g.call("dtau_ddq", q=q, dq=v, ddq=a), dv, "dtau_ddq")
        tau_d = g.call("tau_derivatives", q=q, dq=v, ddq=a)
        for got, want, what in zip(tau_d, (pin.rnea(model, data, qp, v, a), dq, dv), ("tau", "dq", "dv")):
            close(got, want, f"tau_derivatives {what}")
        pin.computeABADerivatives(model, data, qp, v, torque)
        fdq, fdv = data.ddq_dq.copy(), data.ddq_dv.copy()
        Minv = np.triu(data.Minv) + np.triu(data.Minv, 1).T
        close(g.call("dFD_dq", q=q, dq=v, torque=torque), fdq, "dFD_dq")
        close(g.call("dFD_ddq", q=q, dq=v, torque=torque), fdv, "dFD_ddq")
        fd_d = g.call("FD_derivatives", q=q, dq=v, torque=torque)
        want = (pin.aba(model, data, qp, v, torque), fdq, fdv, Minv)
        for got, w, what in zip(fd_d, want, ("ddq", "dq", "dv", "Minv")):
            close(got, w, f"FD_derivatives {what}")


def test_derivatives_by_finite_differences_on_the_manifold(robot):
    """Central differences along q ⊕ εeₖ (our integrate, itself checked against pin.integrate in
    test_trees) and dq + εeₖ; step 1e-6: truncation ~1e-12, rounding ~1e-10 of the entries."""
    g, eps = robot.gen, 1e-6
    for q, v, a, torque in states(robot, 3, n=1):
        num = {k: np.zeros((robot.nv, robot.nv)) for k in ("tq", "tv", "fq", "fv")}
        for k in range(robot.nv):
            e = np.zeros(robot.nv)
            e[k] = eps
            qp = g.call("integrate", q=q, dq=e, dt=1.0).ravel()
            qm = g.call("integrate", q=q, dq=-e, dt=1.0).ravel()
            num["tq"][:, k] = (g.call("tau", q=qp, dq=v, ddq=a) - g.call("tau", q=qm, dq=v, ddq=a)).ravel() / (2 * eps)
            num["tv"][:, k] = (g.call("tau", q=q, dq=v + e, ddq=a) - g.call("tau", q=q, dq=v - e, ddq=a)).ravel() / (2 * eps)
            num["fq"][:, k] = (g.call("FD", q=qp, dq=v, torque=torque)
                               - g.call("FD", q=qm, dq=v, torque=torque)).ravel() / (2 * eps)
            num["fv"][:, k] = (g.call("FD", q=q, dq=v + e, torque=torque)
                               - g.call("FD", q=q, dq=v - e, torque=torque)).ravel() / (2 * eps)
        for name, key, args in (("dtau_dq", "tq", dict(ddq=a)), ("dtau_ddq", "tv", dict(ddq=a)),
                                ("dFD_dq", "fq", dict(torque=torque)), ("dFD_ddq", "fv", dict(torque=torque))):
            want = num[key]
            np.testing.assert_allclose(g.call(name, q=q, dq=v, **args), want, rtol=0,
                                       atol=1e-6 * max(1.0, np.abs(want).max()), err_msg=name)


def test_derivatives_include_friction(generate, tmp_path):
    """A thunder file with viscous + Coulomb-free link friction: FD subtracts dl(dq), so
    dFD_ddq = -M⁻¹ (dtau_ddq + d(dl)/d(dq)) and dFD_dq = -M⁻¹ dtau_dq at ddq = FD; checked by
    central differences of FD itself."""
    g = generate(YAML_ROBOTS / "seaRRR.yaml")
    assert "dl" in g.names()
    n, eps = g.manifest["nv"], 1e-6
    rng = np.random.default_rng(4)
    q, v, torque = rng.uniform(-2, 2, n), rng.uniform(-1, 1, n), rng.uniform(-3, 3, n)
    for name, var in (("dFD_dq", "q"), ("dFD_ddq", "dq")):
        want = np.zeros((n, n))
        for k in range(n):
            e = np.zeros(n)
            e[k] = eps
            x = dict(q=q, dq=v, torque=torque)
            xp, xm = dict(x), dict(x)
            xp[var], xm[var] = x[var] + e, x[var] - e
            want[:, k] = (g.call("FD", **xp) - g.call("FD", **xm)).ravel() / (2 * eps)
        np.testing.assert_allclose(g.call(name, q=q, dq=v, torque=torque), want, rtol=0, atol=1e-6, err_msg=name)


def test_elastic_forward_dynamics_solves_both_sides(generate):
    """FD_sea gives the (ddq, ddx) at which the residuals of the coupled model that thunder
    defines vanish: sea_link_torque = torque (the rigid joints' actuators; seaRRR has one elastic
    joint of three) and sea_motor_torque = tau_m."""
    g = generate(YAML_ROBOTS / "seaRRR.yaml")
    ne = g.call("Mm").reshape(-1).size ** 0.5
    ne, n = int(round(ne)), g.manifest["nv"]
    assert 0 < ne < n, "seaRRR is a partial-SEA robot"
    rng = np.random.default_rng(5)
    for _ in range(3):
        q, dq, torque = rng.uniform(-2, 2, n), rng.uniform(-1, 1, n), rng.uniform(-5, 5, n)
        x, dx, tau_m = rng.uniform(-2, 2, ne), rng.uniform(-1, 1, ne), rng.uniform(-5, 5, ne)
        ddq, ddx = g.call("FD_sea", q=q, dq=dq, x=x, dx=dx, tau_m=tau_m, torque=torque)
        link = g.call("sea_link_torque", q=q, dq=dq, ddq=ddq.ravel(), x=x, dx=dx).ravel()
        np.testing.assert_allclose(link, torque, atol=1e-9)
        motor = g.call("sea_motor_torque", ddx=ddx.ravel(), x=x, dx=dx, q=q, dq=dq).ravel()
        np.testing.assert_allclose(motor, tau_m, atol=1e-9)
