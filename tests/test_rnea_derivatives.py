"""The analytic recursions of algorithm/: derivatives of inverse dynamics (Carpentier & Mansard
2018), the Coriolis recursion (Echeandia & Wensing 2021) and the regressors projected from each
body's 6x10 regressor, against Pinocchio (computeRNEADerivatives, computeABADerivatives,
computeCoriolisMatrix, computeJointTorqueRegressor) and central differences along q ⊕ εeₖ, on
random trees nobody wrote by hand (floating bases, fixed bases, a mimic joint), on solo12 and on
the DH Franka of robots/franka.yaml (Pinocchio's model built from the file's numbers by
test_forward_dynamics.dh_panda_pinocchio). The Panda URDF with mimic fingers, go1 and the
humanoid are covered by test_forward_dynamics.py (derivatives) and test_trees.py (C v, Y).

Tolerances: float64 on both sides, different recursions of the same quantities; entries agree
to ~1e-13 of the largest one, so 1e-9 of the largest entry catches any wrong term or
convention. Central differences use a step of 1e-6 (truncation ~1e-12, rounding ~1e-10 of the
entries), compared at 1e-6 of the largest entry.
"""
import numpy as np
import pytest

from conftest import ROBOTS as YAML_ROBOTS
from conftest import example_robot_data_dir
from random_tree import random_tree_urdf
from test_trees import ROBOTS as URDF_ROBOTS
from test_trees import Robot, pin_mass_matrix
from test_forward_dynamics import DHPanda

pin = pytest.importorskip("pinocchio")

TOL, FD_TOL, EPS = 1e-9, 1e-6, 1e-6
FUNCTIONS = ("tau,FD,M,C,G,Y,Yr,reg_M,reg_C,reg_G,M_dot,dtau_dq,dtau_ddq,dFD_dq,dFD_ddq,"
             "tau_derivatives,FD_derivatives,integrate")
# (seed, movable joints, floating base, mimic joint): trees like test_trees' random robots, seeds
# of their own.
TREES = [(10, 7, True, False), (11, 6, True, True), (12, 8, False, False), (13, 6, False, True)]
CASES = [f"tree{t[0]}" for t in TREES] + ["solo12", "dh_franka"]


@pytest.fixture(scope="module", params=CASES)
def robot(request, generate, tmp_path_factory):
    # The recursion for C even where the Christoffel form is smaller (the default on small trees).
    args = ("--coriolis", "recursive", "--functions", FUNCTIONS)
    if request.param == "dh_franka":
        return DHPanda(generate(YAML_ROBOTS / "franka.yaml", *args))
    if request.param == "solo12":
        path, extra, ff = URDF_ROBOTS["solo12"]
        urdf = example_robot_data_dir() / path
        return Robot(generate(urdf, *extra, *args), urdf, ff)
    seed, n, floating, mimic = next(t for t in TREES if f"tree{t[0]}" == request.param)
    urdf = tmp_path_factory.mktemp("tree") / f"tree{seed}.urdf"
    random_tree_urdf(urdf, seed, n=n, floating=floating, mimic=mimic)
    return Robot(generate(urdf, *args), urdf, False)


def has_mimic(r):
    return any(r.model.joints[i].shortname() == "JointModelMimic" for i in range(r.model.njoints))


def close(got, want, what, tol=TOL):
    want = np.asarray(want, float)
    np.testing.assert_allclose(np.asarray(got, float).reshape(want.shape), want, rtol=0,
                               atol=tol * max(1.0, np.abs(want).max()), err_msg=what)


def states(r, seed, n=2):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        q, v, a = r.random_state(rng)
        yield q, v, a, rng.uniform(-5, 5, r.nv)


def test_match_pinocchio(robot):
    if has_mimic(robot):
        pytest.skip("Pinocchio's derivative, Coriolis and regressor algorithms have no mimic joints")
    model, data, g = robot.model, robot.data, robot.gen
    # Pinocchio orders each body's inertia Ixx, Ixy, Iyy, Ixz, Iyz, Izz; we Ixx, Ixy, Ixz, Iyy, ...
    nb = g.call("Y", q=np.zeros(robot.nq), dq=np.zeros(robot.nv), ddq=np.zeros(robot.nv)).shape[1] // 10
    perm = np.concatenate([10 * b + np.array([0, 1, 2, 3, 4, 5, 7, 6, 8, 9]) for b in range(nb)])
    for q, v, a, torque in states(robot, 5):
        qp = robot.to_pin(q)
        dq, dv, _ = pin.computeRNEADerivatives(model, data, qp, v, a)
        close(g.call("dtau_dq", q=q, dq=v, ddq=a), dq, "dtau_dq")
        close(g.call("dtau_ddq", q=q, dq=v, ddq=a), dv, "dtau_ddq")
        for got, want, what in zip(g.call("tau_derivatives", q=q, dq=v, ddq=a),
                                   (pin.rnea(model, data, qp, v, a), dq, dv), ("tau", "dq", "dv")):
            close(got, want, f"tau_derivatives {what}")
        pin.computeABADerivatives(model, data, qp, v, torque)
        fdq, fdv = data.ddq_dq.copy(), data.ddq_dv.copy()
        close(g.call("dFD_dq", q=q, dq=v, torque=torque), fdq, "dFD_dq")
        close(g.call("dFD_ddq", q=q, dq=v, torque=torque), fdv, "dFD_ddq")
        close(g.call("FD_derivatives", q=q, dq=v, torque=torque)[1], fdq, "FD_derivatives dq")
        C = pin.computeCoriolisMatrix(model, data, qp, v)
        close(g.call("C", q=q, dq=v), C, "C")
        close(g.call("Y", q=q, dq=v, ddq=a)[:, perm], pin.computeJointTorqueRegressor(model, data, qp, v, a), "Y")


def test_central_differences_on_the_manifold(robot):
    """dtau_dq, dtau_ddq, dFD_dq, dFD_ddq against central differences of tau and FD along
    q ⊕ εeₖ (our integrate, checked against pin.integrate in test_trees) and dq + εeₖ: an
    independent check of the convention, mimic joints included."""
    g = robot.gen
    for q, v, a, torque in states(robot, 6, n=1):
        num = {k: np.zeros((robot.nv, robot.nv)) for k in ("tq", "tv", "fq", "fv")}
        for k in range(robot.nv):
            e = np.zeros(robot.nv)
            e[k] = EPS
            qp = g.call("integrate", q=q, dq=e, dt=1.0).ravel()
            qm = g.call("integrate", q=q, dq=-e, dt=1.0).ravel()
            tau = lambda q_, v_: g.call("tau", q=q_, dq=v_, ddq=a).ravel()
            fd = lambda q_, v_: g.call("FD", q=q_, dq=v_, torque=torque).ravel()
            num["tq"][:, k] = (tau(qp, v) - tau(qm, v)) / (2 * EPS)
            num["tv"][:, k] = (tau(q, v + e) - tau(q, v - e)) / (2 * EPS)
            num["fq"][:, k] = (fd(qp, v) - fd(qm, v)) / (2 * EPS)
            num["fv"][:, k] = (fd(q, v + e) - fd(q, v - e)) / (2 * EPS)
        for name, key, args in (("dtau_dq", "tq", dict(ddq=a)), ("dtau_ddq", "tv", dict(ddq=a)),
                                ("dFD_dq", "fq", dict(torque=torque)), ("dFD_ddq", "fv", dict(torque=torque))):
            close(g.call(name, q=q, dq=v, **args), num[key], name, tol=FD_TOL)


def test_coriolis_and_regressor_identities(robot):
    """C v and the regressors against Pinocchio's RNEA (mimic joints included): Y π = Yr(dqr = dq,
    ddqr = ddq) π = (reg_M + reg_C(dqr = dq) + reg_G) π = rnea(q, dq, ddq), reg_M π = M ddq,
    reg_G π = G; Ṁ − 2C skew-symmetric for the recursion's C."""
    model, data, g = robot.model, robot.data, robot.gen
    reg = np.array(g.param("par_REG")["values"])
    for q, v, a, _ in states(robot, 7):
        qp = robot.to_pin(q)
        tau = pin.rnea(model, data, qp, v, a)
        G = pin.computeGeneralizedGravity(model, data, qp)
        M = pin_mass_matrix(robot, qp)
        C = g.call("C", q=q, dq=v)
        close(C @ v, pin.rnea(model, data, qp, v, np.zeros(robot.nv)) - G, "C v")
        S = g.call("M_dot", q=q, dq=v) - 2 * C
        close(S + S.T, np.zeros_like(S), "M_dot - 2C skew")
        close(g.call("Y", q=q, dq=v, ddq=a) @ reg, tau, "Y")
        close(g.call("Yr", q=q, dq=v, dqr=v, ddqr=a) @ reg, tau, "Yr")
        close(g.call("reg_M", q=q, ddq=a) @ reg, M @ a, "reg_M")
        close(g.call("reg_G", q=q) @ reg, G, "reg_G")
        parts = g.call("reg_M", q=q, ddq=a) + g.call("reg_C", q=q, dq=v, dqr=v) + g.call("reg_G", q=q)
        close(parts @ reg, tau, "reg_M + reg_C + reg_G")
        # Slotine-Li with a reference velocity other than dq: M ddqr + C(q, dq) dqr + G.
        vr, ar = -0.5 * v + 0.1, 0.3 * a - 0.2
        close(g.call("Yr", q=q, dq=v, dqr=vr, ddqr=ar) @ reg, M @ ar + C @ vr + G, "Yr(dqr != dq)")
