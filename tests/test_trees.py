"""Kinematic trees, floating bases and mimic joints against Pinocchio (`pin`), on robots of
example-robot-data of every kind (quadrupeds, humanoid, dual arm, hand, an arm with mimic
fingers, TIAGo's arm from its torso) and on random trees nobody wrote by hand; plus the
identities that need no reference (M SPD, dM/dt - 2C skew, power balance along a path on the
configuration manifold) and the configuration maps (integrate, difference).

Tolerances: both sides evaluate the same rigid-body quantities in float64 by different
recursions; on these robots every entry agrees to ~1e-14 absolute (masses and lengths of order
1), so 1e-9 is tight enough to catch any wrong convention (which shows at 1e-2) and loose enough
for the largest robots. Finite differences use a step of 1e-6 (truncation ~1e-12, rounding
~1e-10 relative), compared at 1e-6.
"""
import pathlib

import numpy as np
import pytest

from conftest import example_robot_data_dir
from random_tree import random_tree_urdf

pin = pytest.importorskip("pinocchio")

TOL = 1e-9

# name: (URDF under example-robot-data/robots, extra gen arguments, Pinocchio root joint?)
ROBOTS = {
    "go1": ("go1_description/urdf/go1.urdf", ["--floating-base"], True),
    "solo12": ("solo_description/robots/solo12.urdf", ["--floating-base"], True),
    "humanoid": ("simple_humanoid_description/urdf/simple_humanoid.urdf", ["--floating-base"], True),
    "baxter": ("baxter_description/urdf/baxter.urdf", [], False),
    "allegro": ("allegro_hand_description/urdf/allegro_right_hand.urdf", [], False),
    "panda_tree": ("panda_description/urdf/panda.urdf", [], False),
}


# What the checks below compare (generating only these keeps big trees cheap: the default set
# adds C_ddot, the derivatives, the regressors' time derivatives, ...).
CHECKED_FUNCTIONS = ["M", "tau", "G", "Cdq", "C", "Y", "com", "J_com", "A_G", "M_dot", "integrate", "difference",
                     "FD"]


def generate_checked(generate, urdf, *args):
    """generate(urdf, *args) restricted to CHECKED_FUNCTIONS and T_w_/J_ of every default frame
    (a first, function-less run reads the frames from its manifest)."""
    frames = [f["id"] for f in generate(urdf, *args, "--functions", "com").manifest["frames"]]
    names = CHECKED_FUNCTIONS + [f"{k}_{f}" for f in frames for k in ("T_w", "J")]
    return generate(urdf, *args, "--functions", ",".join(names))


class Robot:
    """A generated robot next to Pinocchio's model of the same URDF."""

    def __init__(self, gen, urdf, free_flyer, pin_args=()):
        self.gen = gen
        self.man = gen.manifest
        root = [pin.JointModelFreeFlyer()] if free_flyer else []
        self.model = pin.buildModelFromUrdf(str(urdf), *root, mimic=True)
        if pin_args:
            self.model = pin_args(self.model)
        self.data = self.model.createData()
        self.nq, self.nv = self.man["nq"], self.man["nv"]

    def to_pin(self, q):
        """Our q -> Pinocchio's (a continuous joint is (cos, sin) there)."""
        qp = pin.neutral(self.model)
        k = 0
        for name in self.man["joints"]:
            jm = self.model.joints[self.model.getJointId(name)]
            if jm.shortname() == "JointModelFreeFlyer":
                qp[jm.idx_q:jm.idx_q + 7] = q[k:k + 7]
                k += 7
            elif jm.nq == 2:
                qp[jm.idx_q:jm.idx_q + 2] = [np.cos(q[k]), np.sin(q[k])]
                k += 1
            else:
                qp[jm.idx_q] = q[k]
                k += 1
        assert k == self.nq
        return qp

    def random_state(self, rng):
        q = rng.uniform(-1.5, 1.5, self.nq)
        if self.man["floating_base"]:
            q[3:7] /= np.linalg.norm(q[3:7])  # a random unit quaternion (x, y, z, w)
        return q, rng.uniform(-1, 1, self.nv), rng.uniform(-1, 1, self.nv)


def generated_robot(generate, name):
    path, args, ff = ROBOTS[name]
    urdf = example_robot_data_dir() / path
    return Robot(generate_checked(generate, urdf, *args), urdf, ff)


@pytest.fixture(scope="module", params=list(ROBOTS))
def robot(request, generate):
    return generated_robot(generate, request.param)


def random_robots():
    # (seed, joints, floating, mimic)
    return [(0, 7, False, False), (1, 8, True, False), (2, 7, False, True), (3, 6, True, True)]


@pytest.fixture(scope="module", params=random_robots(), ids=lambda p: f"seed{p[0]}")
def random_robot(request, generate, tmp_path_factory):
    seed, n, floating, mimic = request.param
    urdf = tmp_path_factory.mktemp("tree") / f"tree{seed}.urdf"
    random_tree_urdf(urdf, seed, n=n, floating=floating, mimic=mimic)
    return Robot(generate_checked(generate, urdf), urdf, False)


def pin_mass_matrix(r, qp):
    M = pin.crba(r.model, r.data, qp)
    return np.triu(M) + np.triu(M, 1).T


def check_dynamics(r, seed=0, states=3):
    rng = np.random.default_rng(seed)
    g, model, data = r.gen, r.model, r.data
    reg = np.array(g.param("par_REG")["values"])
    assert g.manifest["joints"] == [n for i, n in enumerate(model.names) if i > 0 and model.joints[i].nv > 0]
    for _ in range(states):
        q, v, a = r.random_state(rng)
        qp = r.to_pin(q)
        tau = pin.rnea(model, data, qp, v, a)
        G = pin.computeGeneralizedGravity(model, data, qp)
        Cv = pin.rnea(model, data, qp, v, np.zeros(r.nv)) - G
        np.testing.assert_allclose(g.call("M", q=q), pin_mass_matrix(r, qp), atol=TOL, rtol=0)
        np.testing.assert_allclose(g.call("tau", q=q, dq=v, ddq=a).ravel(), tau, atol=TOL, rtol=0)
        np.testing.assert_allclose(g.call("G", q=q).ravel(), G, atol=TOL, rtol=0)
        np.testing.assert_allclose(g.call("Cdq", q=q, dq=v).ravel(), Cv, atol=TOL, rtol=0)
        np.testing.assert_allclose(g.call("C", q=q, dq=v) @ v, Cv, atol=TOL, rtol=0)
        np.testing.assert_allclose(g.call("Y", q=q, dq=v, ddq=a) @ reg, tau, atol=TOL, rtol=0)
        pin.forwardKinematics(model, data, qp)
        pin.updateFramePlacements(model, data)
        pin.computeJointJacobians(model, data, qp)
        for f in g.manifest["frames"]:
            if f["name"] == "ee":
                continue
            fid = model.getFrameId(f["name"])
            np.testing.assert_allclose(g.call("T_w_" + f["id"], q=q), data.oMf[fid].homogeneous, atol=TOL, rtol=0,
                                       err_msg=f["name"])
            np.testing.assert_allclose(g.call("J_" + f["id"], q=q),
                                       pin.getFrameJacobian(model, data, fid, pin.LOCAL_WORLD_ALIGNED),
                                       atol=TOL, rtol=0, err_msg=f["name"])
        np.testing.assert_allclose(g.call("com", q=q).ravel(), pin.centerOfMass(model, data, qp), atol=TOL, rtol=0)
        np.testing.assert_allclose(g.call("J_com", q=q), pin.jacobianCenterOfMass(model, data, qp), atol=TOL, rtol=0)
        np.testing.assert_allclose(g.call("A_G", q=q), pin.computeCentroidalMap(model, data, qp), atol=TOL, rtol=0)
        if not any(model.joints[i].shortname() == "JointModelMimic" for i in range(model.njoints)):
            # Pinocchio orders each body's inertia Ixx, Ixy, Iyy, Ixz, Iyz, Izz; we Ixx, Ixy, Ixz, Iyy, ...
            Y = g.call("Y", q=q, dq=v, ddq=a)
            perm = np.concatenate([10 * b + np.array([0, 1, 2, 3, 4, 5, 7, 6, 8, 9]) for b in range(Y.shape[1] // 10)])
            np.testing.assert_allclose(Y[:, perm], pin.computeJointTorqueRegressor(model, data, qp, v, a),
                                       atol=TOL, rtol=0)


def test_dynamics_and_frames_match_pinocchio(robot):
    check_dynamics(robot)


def test_random_trees_match_pinocchio(random_robot):
    check_dynamics(random_robot, states=4)


def test_frames_default_to_the_leaves(generate):
    """The default frames of a quadruped include its four feet; a chosen frame list replaces them."""
    r = generated_robot(generate, "go1")
    names = [f["name"] for f in r.man["frames"]]
    assert {"FL_foot", "FR_foot", "RL_foot", "RR_foot"} <= set(names)
    urdf = example_robot_data_dir() / ROBOTS["go1"][0]
    only = generate(urdf, "--floating-base", "--frames", "FL_foot,base", "--frame-derivatives", "--functions", "com")
    assert [f["name"] for f in only.manifest["frames"]] == ["FL_foot", "base"]
    wanted = ["T_w_FL_foot", "J_FL_foot", "J_FL_foot_dot", "T_w_base", "J_base"]
    only = generate(urdf, "--floating-base", "--frames", "FL_foot,base", "--frame-derivatives",
                    "--functions", ",".join(wanted))
    assert set(wanted) == set(only.names())


def test_floating_base_layout(generate):
    r = generated_robot(generate, "go1")
    assert r.man["floating_base"] and (r.nq, r.nv) == (19, 18) and r.man["n_joints"] == 12
    assert r.man["joints"][0] == "root_joint"
    assert len(r.gen.param("par_DYN")["values"]) == 10 * 13  # the trunk is a body
    assert "par_world2L0" not in [p["name"] for p in r.man["params"]]


def test_mass_matrix_spd_and_mdot_minus_2c_skew(robot):
    rng = np.random.default_rng(5)
    g = robot.gen
    for _ in range(3):
        q, v, _ = robot.random_state(rng)
        M = g.call("M", q=q)
        assert np.linalg.eigvalsh(M).min() > 0
        S = g.call("M_dot", q=q, dq=v) - 2 * g.call("C", q=q, dq=v)
        np.testing.assert_allclose(S + S.T, 0, atol=TOL)


def test_power_balance_along_the_manifold(robot):
    """Along q(t) = integrate(q0, v, t) the body twist, hence v, is constant (a = 0), so
    d/dt (1/2 v'M v) = v'C v and dU/dt = v'G with U = -m g.com: central differences of the kinetic
    and potential energies against Cdq and G, on the quaternion manifold for floating bases."""
    rng = np.random.default_rng(6)
    g = robot.gen
    grav = np.array(g.param("par_gravity")["values"])
    h = 1e-6
    for _ in range(2):
        q0, v, _ = robot.random_state(rng)
        qt = lambda t: g.call("integrate", q=q0, dq=v, dt=np.array([t])).ravel()
        kinetic = lambda t: 0.5 * v @ g.call("M", q=qt(t)) @ v
        m_total = sum(g.param("par_DYN")["values"][0::10])
        potential = lambda t: -m_total * grav @ g.call("com", q=qt(t)).ravel()
        dK = (kinetic(h) - kinetic(-h)) / (2 * h)
        dU = (potential(h) - potential(-h)) / (2 * h)
        scale = 1 + abs(dK) + abs(dU)
        assert dK == pytest.approx(v @ g.call("Cdq", q=q0, dq=v).ravel(), abs=1e-6 * scale)
        assert dU == pytest.approx(v @ g.call("G", q=q0).ravel(), abs=1e-6 * scale)


def test_integrate_and_difference_match_pinocchio(robot):
    rng = np.random.default_rng(7)
    g = robot.gen
    for _ in range(3):
        q, v, w = robot.random_state(rng)
        dt = 0.3
        q1 = g.call("integrate", q=q, dq=v, dt=np.array([dt])).ravel()
        np.testing.assert_allclose(robot.to_pin(q1), pin.integrate(robot.model, robot.to_pin(q), v * dt),
                                   atol=1e-12, rtol=0)
        np.testing.assert_allclose(g.call("difference", q0=q, q1=q1).ravel(), v * dt, atol=1e-12, rtol=0)
        # The shortest rotation whatever the quaternion's sign.
        if robot.man["floating_base"]:
            q1[3:7] *= -1
            np.testing.assert_allclose(g.call("difference", q0=q, q1=q1).ravel(), v * dt, atol=1e-12, rtol=0)
        # Small angles: the series branch.
        np.testing.assert_allclose(g.call("difference", q0=q, q1=g.call("integrate", q=q, dq=w, dt=np.array([1e-7])).ravel()).ravel(),
                                   w * 1e-7, atol=1e-18, rtol=1e-7)


def test_tiago_arm_from_its_torso(generate):
    """TIAGo's stock URDF branches at the torso (head, arm) and moves on wheels: with --base at the
    torso the joints above are locked, the head is a branch, and the model matches Pinocchio's
    model of the same URDF with everything above the torso locked."""
    urdf = example_robot_data_dir() / "tiago_description/robots/tiago.urdf"
    gen = generate_checked(generate, urdf, "--base", "torso_lift_link")
    full = pin.buildModelFromUrdf(str(urdf), mimic=True)
    kept = set(gen.manifest["joints"])
    assert {"arm_1_joint", "head_1_joint"} <= kept
    lock = [i for i, n in enumerate(full.names) if i > 0 and n not in kept and full.joints[i].nv > 0]
    r = Robot(gen, urdf, False, pin_args=lambda m: pin.buildReducedModel(m, lock, pin.neutral(m)))
    check_dynamics(r, states=2)


def _tree_backends(out):
    """The casadi functions of OUT and thunder_torch modules of both backends."""
    import torch
    import thunder_torch
    mods = {"torch": thunder_torch.load(out, dtype=torch.float64, backend="torch")}
    if (out / "native").is_dir():
        mods["native"] = thunder_torch.load(out, dtype=torch.float64, backend="native")
    return mods


# FD_derivatives holds dFD_dq and dFD_ddq (and M_inv) as outputs of one multi-output function:
# it stands for the separate derivative functions, whose native build would double the cost.
TREE_FUNCTIONS = ["M", "C", "Cdq", "G", "tau", "Y", "com", "J_com", "A_G", "integrate", "difference", "FD",
                  "M_inv", "FD_derivatives",
                  "par_DYN_to_REG", "par_REG_to_DYN"]
TREE_FRAMES = ["tip0", "l3"]


@pytest.fixture(scope="module")
def floating_tree_out(tmp_path_factory):
    """A small random floating-base tree with a mimic joint, generated for every backend."""
    from conftest import run_thunder
    d = tmp_path_factory.mktemp("ftree")
    urdf = d / "ftree.urdf"
    random_tree_urdf(urdf, 11, n=5, floating=True, mimic=True)
    out = d / "out"
    # Only the functions the test compares: compiling all of them costs minutes on 2 cores.
    frames = ",".join(TREE_FRAMES)
    run_thunder("gen", urdf, "-o", out, "--targets", "casadi,torch,native", "--native-opt", "1", "--no-cuda",
                "--functions", ",".join(TREE_FUNCTIONS + ["T_w_" + f for f in TREE_FRAMES] + ["J_" + f for f in TREE_FRAMES]),
                "--frames", frames)
    return out


@pytest.mark.parametrize("backend", ["torch", "native"])
def test_tree_backends_agree_with_casadi(floating_tree_out, backend):
    """thunder_torch (both backends) against the CasADi functions of the same output, 1e-12 in
    float64, on a batch of states with a unit quaternion each; including the quaternion maps."""
    import json
    import casadi
    import torch
    mods = _tree_backends(floating_tree_out)
    if backend not in mods:
        pytest.skip("no native library (no C compiler at generation time)")
    robot = mods[backend]
    man = json.loads((floating_tree_out / "manifest.json").read_text())
    assert (robot.nq, robot.nv, robot.floating_base) == (man["nq"], man["nv"], True)
    assert robot.joints == man["joints"] and set(robot.frames.values()) == {f["id"] for f in man["frames"]}
    rng = np.random.default_rng(12)
    B = 6
    q = rng.uniform(-1, 1, (B, robot.nq))
    q[:, 3:7] /= np.linalg.norm(q[:, 3:7], axis=1, keepdims=True)
    v, a = rng.uniform(-1, 1, (B, robot.nv)), rng.uniform(-1, 1, (B, robot.nv))
    q[0, 7:] = 0.0  # exact zeros
    v[0] = 0.0
    args = {"q": q, "dq": v, "ddq": a, "dt": np.full((B, 1), 0.1), "q0": q, "q1": q[::-1].copy(),
            "torque": 3 * a}
    for name in TREE_FUNCTIONS[:-2] + ["J_" + f for f in TREE_FRAMES]:
        entry = next(f for f in man["functions"] if f["name"] == name)
        fn = casadi.Function.load(str(floating_tree_out / "casadi" / f"{name}.casadi"))
        inputs = [i["name"] for i in entry["inputs"] if not i["param"]]
        got = getattr(robot, name)(*[torch.tensor(args[i]) for i in inputs])
        got = [got] if isinstance(got, torch.Tensor) else list(got)   # every output of multi-output functions
        for b in range(B):
            refs = fn(*[args[i][b] for i in inputs])
            refs = [refs] if isinstance(refs, casadi.DM) else list(refs)
            assert len(refs) == len(got), name
            for k, (g, ref) in enumerate(zip(got, refs)):
                ref = np.array(ref)
                # relative to the largest entry: M_inv and the FD derivatives reach 1e3 on light bodies
                np.testing.assert_allclose(g[b].numpy().reshape(ref.shape), ref, rtol=0,
                                           atol=1e-12 * max(1.0, np.abs(ref).max()), err_msg=f"{name} output {k}")


def test_forward_dynamics_matches_pinocchio(robot):
    """FD(q, dq, torque), by whichever of ABA and the sparse factorization of M is smaller for the
    tree, against pin.aba (Cholesky of Pinocchio's crba/rnea where mimic joints make the model
    no tree for ABA); relative to the size of the accelerations, which light bodies (fingers)
    make large."""
    rng = np.random.default_rng(8)
    model, data, g = robot.model, robot.data, robot.gen
    mimic = any(model.joints[i].shortname() == "JointModelMimic" for i in range(model.njoints))
    for _ in range(3):
        q, v, _ = robot.random_state(rng)
        torque = rng.uniform(-5, 5, robot.nv)
        qp = robot.to_pin(q)
        if mimic:
            M = pin_mass_matrix(robot, qp)
            ref = np.linalg.solve(M, torque - pin.rnea(model, data, qp, v, np.zeros(robot.nv)))
        else:
            ref = pin.aba(model, data, qp, v, torque)
        got = g.call("FD", q=q, dq=v, torque=torque).ravel()
        np.testing.assert_allclose(got, ref, rtol=0, atol=1e-9 * (1 + np.abs(ref).max()))


@pytest.mark.parametrize("name", ["franka.yaml", "seaRRR.yaml"])
def test_forward_dynamics_inverts_inverse_dynamics_with_friction(generate, name):
    """On thunder DH files FD uses torque - dl(dq): tau(q, dq, FD(q, dq, torque)) + dl = torque."""
    from conftest import ROBOTS as YAML
    g = generate(YAML / name)
    n = g.manifest["nv"]
    rng = np.random.default_rng(9)
    for _ in range(3):
        q, dq, torque = rng.uniform(-2, 2, n), rng.uniform(-1, 1, n), rng.uniform(-5, 5, n)
        ddq = g.call("FD", q=q, dq=dq, torque=torque).ravel()
        dl = g.call("dl", dq=dq).ravel() if "dl" in g.names() else 0
        np.testing.assert_allclose(g.call("tau", q=q, dq=dq, ddq=ddq).ravel() + dl, torque, atol=1e-9)
