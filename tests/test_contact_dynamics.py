"""Contact dynamics (`--contacts`): J_contact, gamma_contact, FD_contact, impulse_contact and
FD_contact_derivatives against Pinocchio on go1 (floating base, four 3D point feet, every subset
of active feet), a humanoid (two 6D feet) and the Panda URDF (fixed base, one 6D contact at the
hand; with its mimic finger, and the arm alone with `--ee panda_hand`): frame Jacobians and
classical accelerations (getFrameJacobian / getFrameClassicalAcceleration, LOCAL_WORLD_ALIGNED),
the KKT system solved with numpy from crba and nonLinearEffects, Pinocchio's own
forwardDynamics(J, gamma), impulseDynamics and computeConstraintDynamicsDerivatives, central
differences on the manifold; identities that need no reference (J ddq + gamma = 0 and
J dq+ = -e J dq on the active rows, zero force on the inactive ones, Newton's laws for the whole
robot); the torch runtime against CasADi.

Tolerance: float64 on both sides, different algorithms (our L'DL solve of the operational-space
inverse against Pinocchio's Cholesky of the KKT matrix or numpy's LU); entries agree to ~1e-14 of the
largest one here (go1's derivatives: 4e-15), so 1e-9 of the largest entry leaves room for worse
conditioned random states and still catches any wrong term, sign or frame.
"""
import itertools

import numpy as np
import pytest

from conftest import example_robot_data_dir, run_thunder
from test_trees import ROBOTS as URDF_ROBOTS
from test_trees import Robot, pin_mass_matrix

pin = pytest.importorskip("pinocchio")

TOL = 1e-9
FUNCTIONS = "p_contact,J_contact,gamma_contact,FD_contact,impulse_contact,step_contact,FD_contact_derivatives"
GO1_FEET = ["FL_foot", "FR_foot", "RL_foot", "RR_foot"]
CASES = {
    # name: (robot of test_trees.ROBOTS, --contacts, more thunder gen arguments)
    "go1": ("go1", ",".join(GO1_FEET), ()),
    # Flat feet on a floating base.
    "humanoid_6d": ("humanoid", "l_ankle:6d,r_ankle:6d", ()),
    # The whole Panda URDF: the mimic finger makes M's factorization the dense one.
    "panda_mimic_6d": ("panda_tree", "panda_hand:6d", ()),
    # The arm alone (fingers locked, as Pinocchio's buildReducedModel): Pinocchio's own algorithms apply.
    "panda_arm_6d": ("panda_tree", "panda_hand:6d", ("--ee", "panda_hand")),
}


def close(got, want, what):
    want = np.asarray(want)
    if want.size == 0:
        return
    np.testing.assert_allclose(np.asarray(got).reshape(want.shape), want, rtol=0,
                               atol=TOL * max(1.0, np.abs(want).max()), err_msg=what)


@pytest.fixture(scope="module", params=list(CASES))
def robot(request, generate):
    name, contacts, more = CASES[request.param]
    path, args, ff = URDF_ROBOTS[name]
    urdf = example_robot_data_dir() / path
    r = Robot(generate(urdf, *args, *more, "--contacts", contacts, "--functions", FUNCTIONS), urdf, ff)
    if more:   # --ee panda_hand: the fingers locked at 0 with their mass
        full = pin.buildModelFromUrdf(str(urdf))
        fingers = [full.getJointId(n) for n in ("panda_finger_joint1", "panda_finger_joint2")]
        r.model = pin.buildReducedModel(full, fingers, pin.neutral(full))
        r.data = r.model.createData()
    r.contacts = [(c["name"], c["dim"]) for c in r.man["contacts"]]
    return r


def pin_contact_terms(r, q, v):
    """J (m x nv) and gamma (m) from Pinocchio: frame Jacobians and classical accelerations at
    ddq = 0, LOCAL_WORLD_ALIGNED, stacked in --contacts order (3 linear rows, or 6 [linear; angular])."""
    model, data = r.model, r.data
    pin.forwardKinematics(model, data, q, v, np.zeros(r.nv))
    pin.computeJointJacobians(model, data, q)
    pin.updateFramePlacements(model, data)
    J, gamma = [], []
    for name, dim in r.contacts:
        fid = model.getFrameId(name)
        Jf = pin.getFrameJacobian(model, data, fid, pin.LOCAL_WORLD_ALIGNED)
        a = pin.getFrameClassicalAcceleration(model, data, fid, pin.LOCAL_WORLD_ALIGNED)
        J.append(Jf[:dim])
        gamma.append(np.concatenate([a.linear, a.angular])[:dim])
    return np.vstack(J), np.concatenate(gamma)


def has_mimic(model):
    return any(model.joints[i].shortname() == "JointModelMimic" for i in range(model.njoints))


def kkt(M, J, b, c, rows):
    """x, lam with M x = b + J' lam, J x = c on `rows` (boolean, m), lam = 0 elsewhere: the dense
    KKT matrix solved by numpy (the reference our structured solve must agree with)."""
    Ja = J[rows]
    n, k = M.shape[0], Ja.shape[0]
    K = np.block([[M, Ja.T], [Ja, np.zeros((k, k))]])
    sol = np.linalg.solve(K, np.concatenate([b, c[rows]]))
    lam = np.zeros(J.shape[0])
    lam[rows] = -sol[n:]
    return sol[:n], lam


def modes(r):
    """Every subset of active contacts (including none and all)."""
    return [np.array(s, float) for s in itertools.product([0, 1], repeat=len(r.contacts))]


def row_mask(r, active):
    return np.concatenate([[bool(a)] * dim for a, (_, dim) in zip(active, r.contacts)])


def states(r, seed, n=2):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        q, v, _ = r.random_state(rng)
        torque = rng.uniform(-5, 5, r.nv)
        if r.man["floating_base"]:
            torque[:6] = 0   # the base is not actuated
        yield q, v, torque


def test_manifest_and_signatures(robot):
    g = robot.gen
    m = sum(d for _, d in robot.contacts)
    assert sorted(e["name"] for e in g.manifest["functions"]) == sorted(FUNCTIONS.split(","))
    ins = {e["name"]: [i["name"] for i in e["inputs"]] for e in g.manifest["functions"]}
    outs = {e["name"]: [o["name"] for o in e["outputs"]] for e in g.manifest["functions"]}
    assert ins == {"p_contact": ["q"], "J_contact": ["q"], "gamma_contact": ["q", "dq"], "FD_contact": ["q", "dq", "torque", "active"],
                   "impulse_contact": ["q", "dq", "active", "restitution"],
                   "step_contact": ["q", "dq", "torque", "dt", "active", "restitution"],
                   "FD_contact_derivatives": ["q", "dq", "torque", "active"]}
    assert outs["FD_contact"] == ["ddq", "force"] and outs["impulse_contact"] == ["dq_plus", "impulse"]
    assert outs["step_contact"] == ["dq_free", "dq_plus", "impulse"]
    assert outs["FD_contact_derivatives"] == ["ddq_dq", "ddq_dv", "ddq_dtau", "force_dq", "force_dv", "force_dtau"]
    q = robot.random_state(np.random.default_rng(0))[0]
    assert g.call("J_contact", q=q).shape == (m, robot.nv)
    assert g.call("p_contact", q=q).shape == (3 * len(robot.contacts), 1)


def test_jacobian_and_drift_match_pinocchio(robot):
    g = robot.gen
    for q, v, _ in states(robot, 1):
        J, gamma = pin_contact_terms(robot, robot.to_pin(q), v)
        close(g.call("J_contact", q=q), J, "J_contact")
        close(g.call("gamma_contact", q=q, dq=v).ravel(), gamma, "gamma_contact")
        # the frame origins in the world (what the ground's detection reads)
        p = np.concatenate([robot.data.oMf[robot.model.getFrameId(name)].translation for name, _ in robot.contacts])
        close(g.call("p_contact", q=q).ravel(), p, "p_contact")


def test_forward_dynamics_match_the_kkt_system(robot):
    g, model, data = robot.gen, robot.model, robot.data
    mimic = has_mimic(model)
    for q, v, torque in states(robot, 2):
        qp = robot.to_pin(q)
        J, gamma = pin_contact_terms(robot, qp, v)
        M = pin_mass_matrix(robot, qp)
        h = pin.nonLinearEffects(model, data, qp, v)
        for active in modes(robot):
            rows = row_mask(robot, active)
            ddq, force = g.call("FD_contact", q=q, dq=v, torque=torque, active=active)
            ddq, force = ddq.ravel(), force.ravel()
            want_ddq, want_force = kkt(M, J, torque - h, -gamma, rows)
            what = f"FD_contact, active {active}"
            close(ddq, want_ddq, what + ": ddq")
            close(force, want_force, what + ": force")
            # Identities: the active contacts do not accelerate, the inactive ones carry no force.
            close((J @ ddq)[rows], -gamma[rows], what + ": J ddq + gamma = 0")
            assert np.all(force[~rows] == 0), what
            if not rows.any() and not mimic:   # ABA has no mimic joints
                close(ddq, pin.aba(model, data, qp, v, torque), what + ": unconstrained = ABA")
            elif not mimic:   # Pinocchio's own constrained dynamics (its Cholesky of the KKT matrix)
                pin_ddq = pin.forwardDynamics(model, data, qp, v, torque, J[rows], gamma[rows], 0.0)
                close(ddq, pin_ddq, what + ": pin.forwardDynamics")
                close(force[rows], data.lambda_c, what + ": pin lambda_c")


def test_impulse_matches_pinocchio(robot):
    g, model, data = robot.gen, robot.model, robot.data
    mimic = has_mimic(model)
    for (q, v, _), e in zip(states(robot, 3), [0.0, 0.4]):
        qp = robot.to_pin(q)
        J, _ = pin_contact_terms(robot, qp, v)
        M = pin_mass_matrix(robot, qp)
        for active in modes(robot):
            rows = row_mask(robot, active)
            dq_plus, impulse = (x.ravel() for x in g.call("impulse_contact", q=q, dq=v, active=active, restitution=[e]))
            what = f"impulse_contact, e = {e}, active {active}"
            want_dq, want_impulse = kkt(M, J, M @ v, -e * J @ v, rows)
            close(dq_plus, want_dq, what + ": dq_plus")
            close(impulse, want_impulse, what + ": impulse")
            close((J @ dq_plus)[rows], (-e * J @ v)[rows], what + ": J dq+ = -e J dq")
            assert np.all(impulse[~rows] == 0), what
            if rows.any() and not mimic:   # impulseDynamics has no mimic joints
                pin_dq = pin.impulseDynamics(model, data, qp, v, J[rows], e, 0.0)
                close(dq_plus, pin_dq, what + ": pin.impulseDynamics")
                close(impulse[rows], data.impulse_c, what + ": pin impulse_c")


def test_step_contact_is_the_free_step_then_the_impulse(robot):
    """step_contact: dq_free = v + dt M⁻¹ (τ − h) (Pinocchio's M and nonLinearEffects), then the
    impulse on dq_free: the KKT system solved by numpy, and Pinocchio's impulseDynamics where it
    has the model; every contact mode, two steps and restitutions."""
    g, model, data = robot.gen, robot.model, robot.data
    mimic = has_mimic(model)
    for (q, v, torque), e, dt in zip(states(robot, 7), [0.0, 0.3], [1e-3, 0.02]):
        qp = robot.to_pin(q)
        J, _ = pin_contact_terms(robot, qp, v)
        M = pin_mass_matrix(robot, qp)
        want_free = v + dt * np.linalg.solve(M, torque - pin.nonLinearEffects(model, data, qp, v))
        for active in modes(robot):
            rows = row_mask(robot, active)
            free, dq_plus, impulse = (x.ravel() for x in g.call("step_contact", q=q, dq=v, torque=torque, dt=[dt],
                                                                 active=active, restitution=[e]))
            what = f"step_contact, dt = {dt}, e = {e}, active {active}"
            close(free, want_free, what + ": dq_free")
            want_dq, want_impulse = kkt(M, J, M @ want_free, -e * J @ want_free, rows)
            close(dq_plus, want_dq, what + ": dq_plus")
            close(impulse, want_impulse, what + ": impulse")
            assert np.all(impulse[~rows] == 0), what
            if rows.any() and not mimic:
                close(dq_plus, pin.impulseDynamics(model, data, qp, want_free, J[rows], e, 0.0),
                      what + ": pin.impulseDynamics")


DERIVATIVES = ["ddq_dq", "ddq_dv", "ddq_dtau", "force_dq", "force_dv", "force_dtau"]


def pin_constraint_derivatives(r, qp, v, torque, active):
    """Pinocchio's constraintDynamics + computeConstraintDynamicsDerivatives with 3D contacts,
    LOCAL_WORLD_ALIGNED, on the active feet (no proximal damping): the derivatives of ddq and of
    the forces (active rows only)."""
    models = []
    for (name, dim), a in zip(r.contacts, active):
        assert dim == 3   # Pinocchio's CONTACT_6D drift differs from J̇ dq (docs/FUNCTIONS.md)
        if a:
            fr = r.model.frames[r.model.getFrameId(name)]
            models.append(pin.RigidConstraintModel(pin.ContactType.CONTACT_3D, r.model, fr.parentJoint, fr.placement,
                                                   pin.ReferenceFrame.LOCAL_WORLD_ALIGNED))
    models = pin.StdVec_RigidConstraintModel(models)
    datas = pin.StdVec_RigidConstraintData([m.createData() for m in models])
    data = r.model.createData()
    prox = pin.ProximalSettings(1e-14, 0.0, 1)
    pin.initConstraintDynamics(r.model, data, models, datas)
    pin.constraintDynamics(r.model, data, qp, v, torque, models, datas, prox)
    pin.computeConstraintDynamicsDerivatives(r.model, data, models, datas, prox)
    return [data.ddq_dq, data.ddq_dv, data.ddq_dtau, data.dlambda_dq, data.dlambda_dv, data.dlambda_dtau]


def test_derivatives_match_pinocchio_on_go1(robot):
    """Every mode of go1's feet against computeConstraintDynamicsDerivatives (none active: against
    computeABADerivatives); the force rows of inactive feet have zero derivatives."""
    if robot.contacts != [(f, 3) for f in GO1_FEET]:
        pytest.skip("Pinocchio's derivatives are checked on go1's 3D feet (central differences below)")
    g = robot.gen
    for q, v, torque in states(robot, 6, n=1):
        qp = robot.to_pin(q)
        for active in modes(robot):
            rows = row_mask(robot, active)
            got = g.call("FD_contact_derivatives", q=q, dq=v, torque=torque, active=active)
            what = f"FD_contact_derivatives, active {active}"
            if rows.any():
                want = pin_constraint_derivatives(robot, qp, v, torque, active)
                for name, ours, theirs in zip(DERIVATIVES, got, want):
                    close(ours[rows] if name.startswith("force") else ours, theirs, f"{what}: {name}")
            else:
                data = robot.model.createData()
                pin.computeABADerivatives(robot.model, data, qp, v, torque)
                Minv = np.triu(data.Minv) + np.triu(data.Minv, 1).T
                for name, ours, theirs in zip(DERIVATIVES[:3], got, [data.ddq_dq, data.ddq_dv, Minv]):
                    close(ours, theirs, f"{what}: {name}")
            for name, ours in zip(DERIVATIVES[3:], got[3:]):
                assert np.all(ours[~rows] == 0), f"{what}: {name}"


def test_derivatives_by_central_differences(robot):
    """Central differences of FD_contact (checked against Pinocchio above) along q (+) eps e_k
    (pin.integrate: the tangent space), dq + eps e_k and torque + eps e_k, on every robot (6D
    contacts, the mimic Panda). eps = 1e-6: truncation ~eps^2 times the third derivative and
    rounding ~1e-16 / eps, both below 1e-7 of the largest entry; 1e-6 of it still catches any wrong
    term."""
    g, model = robot.gen, robot.model
    q, v, torque = next(states(robot, 7, n=1))
    qp, eps, nv = robot.to_pin(q), 1e-6, robot.nv

    def to_ours(qp_new):
        """Pinocchio's q -> ours (to_pin's inverse on these robots: free-flyer and 1-dof joints)."""
        out, k = np.array(q, float), 0
        for name in robot.man["joints"]:
            jm = model.joints[model.getJointId(name)]
            n = 7 if jm.shortname() == "JointModelFreeFlyer" else 1
            out[k:k + n] = qp_new[jm.idx_q:jm.idx_q + n]
            k += n
        return out

    for active in modes(robot)[1::5] + [np.ones(len(robot.contacts))]:
        got = g.call("FD_contact_derivatives", q=q, dq=v, torque=torque, active=active)

        def fd(qq, vv, tt):
            return np.concatenate([x.ravel() for x in g.call("FD_contact", q=qq, dq=vv, torque=tt, active=active)])

        cols = {0: [], 1: [], 2: []}
        for k in range(nv):
            e = np.zeros(nv)
            e[k] = eps
            cols[0].append(fd(to_ours(pin.integrate(model, qp, e)), v, torque)
                           - fd(to_ours(pin.integrate(model, qp, -e)), v, torque))
            cols[1].append(fd(q, v + e, torque) - fd(q, v - e, torque))
            cols[2].append(fd(q, v, torque + e) - fd(q, v, torque - e))
        for i in range(3):
            D = np.array(cols[i]).T / (2 * eps)
            for name, ours, want in ((DERIVATIVES[i], got[i], D[:nv]), (DERIVATIVES[3 + i], got[3 + i], D[nv:])):
                np.testing.assert_allclose(ours, want, rtol=0, atol=1e-6 * max(1.0, np.abs(want).max()),
                                           err_msg=f"{name}, active {active}")


def test_contact_forces_and_impulses_obey_newtons_laws(generate):
    """go1 at rest, all feet down, no torques: the contact forces and gravity accelerate the centre
    of mass, sum f + m g = m a_com with a_com = J_com ddq at dq = 0 (Pinocchio's jacobianCenterOfMass
    and mass), and the total angular momentum about it likewise changes only by the forces' moments;
    an impact changes the momentum by the impulses."""
    path, args, ff = URDF_ROBOTS["go1"]
    urdf = example_robot_data_dir() / path
    r = Robot(generate(urdf, *args, "--contacts", CASES["go1"][1], "--functions", FUNCTIONS), urdf, ff)
    model, data = r.model, r.data
    rng = np.random.default_rng(4)
    q = r.random_state(rng)[0]
    qp, v = r.to_pin(q), np.zeros(r.nv)
    ddq, force = (x.ravel() for x in r.gen.call("FD_contact", q=q, dq=v, torque=np.zeros(r.nv), active=np.ones(4)))
    mass = pin.computeTotalMass(model)
    a_com = pin.jacobianCenterOfMass(model, data, qp) @ ddq
    total = force.reshape(4, 3).sum(axis=0) + mass * model.gravity.linear
    close(total, mass * a_com, "sum of contact forces + m g = m a_com")
    # Centroidal momentum rate at dq = 0: A_G ddq = [sum f + m g; sum (p_i - com) x f_i].
    A_G = pin.computeCentroidalMap(model, data, qp)
    com = data.com[0]
    pin.framesForwardKinematics(model, data, qp)
    moment = sum(np.cross(data.oMf[model.getFrameId(n)].translation - com, f)
                 for n, f in zip(GO1_FEET, force.reshape(4, 3)))
    close(A_G @ ddq, np.concatenate([total, moment]), "centroidal momentum rate")
    # An impact changes the centroidal momentum by the impulses alone (gravity acts over no time):
    # A_G (dq+ - dq) = [sum Λ_i; sum (p_i - com) x Λ_i], here from a moving state with two feet.
    v = rng.uniform(-1, 1, r.nv)
    active = np.array([1.0, 0.0, 0.0, 1.0])
    dq_plus, impulse = (x.ravel() for x in r.gen.call("impulse_contact", q=q, dq=v, active=active, restitution=[0.5]))
    feet = [model.getFrameId(n) for n in GO1_FEET]
    change = np.concatenate([impulse.reshape(4, 3).sum(axis=0),
                             sum(np.cross(data.oMf[f].translation - com, i) for f, i in zip(feet, impulse.reshape(4, 3)))])
    close(A_G @ (dq_plus - v), change, "centroidal momentum change = impulses")


def test_contacts_are_checked(tmp_path):
    urdf = example_robot_data_dir() / URDF_ROBOTS["go1"][0]
    bad = run_thunder("gen", urdf, "--floating-base", "-o", tmp_path / "a", "--contacts", "FL_foot,FR_fot",
                      "--functions", "J_contact", check=False)
    assert bad.returncode != 0
    assert "--contacts" in bad.stderr and "'FR_fot'" in bad.stderr and "FR_foot" in bad.stderr, bad.stderr
    bad = run_thunder("gen", urdf, "--floating-base", "-o", tmp_path / "b", "--contacts", "FL_foot:7d", check=False)
    assert bad.returncode == 2 and "FL_foot:7d" in bad.stderr and "6d" in bad.stderr, bad.stderr
    bad = run_thunder("gen", urdf, "--floating-base", "-o", tmp_path / "c", "--contacts", "FL_foot,FL_foot:6d",
                      check=False)
    assert bad.returncode == 2 and "twice" in bad.stderr, bad.stderr
    # Without --contacts the contact functions do not exist (and say so).
    bad = run_thunder("gen", urdf, "--floating-base", "-o", tmp_path / "d", "--functions", "FD_contact", check=False)
    assert bad.returncode != 0 and "FD_contact" in bad.stderr, bad.stderr


def test_torch_module_runs_every_contact_mode_in_one_batch(generate):
    """thunder_torch: one batch whose rows have different contact modes agrees with the CasADi
    functions row by row, and gradients flow (gradcheck: float64, finite differences)."""
    torch = pytest.importorskip("torch")
    import thunder_torch
    path, args, ff = URDF_ROBOTS["go1"]
    urdf = example_robot_data_dir() / path
    gen = generate(urdf, *args, "--contacts", CASES["go1"][1], "--functions", FUNCTIONS, targets="casadi,torch")
    go1 = thunder_torch.load(gen.out, dtype=torch.float64, backend="torch")
    assert go1.contacts == {f: 3 for f in GO1_FEET}
    r = Robot(gen, urdf, ff)
    rng = np.random.default_rng(5)
    B = 4
    q = torch.tensor(np.stack([r.random_state(rng)[0] for _ in range(B)]))
    dq = torch.tensor(rng.uniform(-1, 1, (B, r.nv)))
    torque = torch.tensor(rng.uniform(-5, 5, (B, r.nv)), requires_grad=True)
    active = torch.tensor([[1, 1, 1, 1], [0, 0, 0, 0], [1, 0, 0, 1], [0, 1, 1, 0]], dtype=torch.float64)
    e = torch.full((B, 1), 0.3, dtype=torch.float64)
    ddq, force = go1.FD_contact(q, dq, torque, active)
    dq_plus, impulse = go1.impulse_contact(q, dq, active, e)
    for b in range(B):
        want = gen.call("FD_contact", q=q[b], dq=dq[b], torque=torque[b].detach(), active=active[b])
        close(ddq[b].detach(), want[0].ravel(), f"torch FD_contact row {b}: ddq")
        close(force[b].detach(), want[1].ravel(), f"torch FD_contact row {b}: force")
        want = gen.call("impulse_contact", q=q[b], dq=dq[b], active=active[b], restitution=e[b])
        close(dq_plus[b], want[0].ravel(), f"torch impulse_contact row {b}: dq_plus")
        close(impulse[b], want[1].ravel(), f"torch impulse_contact row {b}: impulse")
    assert torch.autograd.gradcheck(lambda t: go1.FD_contact(q[2:3], dq[2:3], t, active[2:3]), torque[2:3])


def test_python_api_passes_contacts(tmp_path):
    """thunder.generate(..., contacts=[...]) is `--contacts`: the manifest lists them in order."""
    import json
    import thunder
    urdf = example_robot_data_dir() / URDF_ROBOTS["go1"][0]
    out = thunder.generate(urdf, tmp_path / "go1", targets=["casadi"], functions=["J_contact"],
                           contacts=["RR_foot", "FL_foot:6d"], floating_base=True)
    man = json.loads((out / "manifest.json").read_text())
    assert man["contacts"] == [{"name": "RR_foot", "dim": 3}, {"name": "FL_foot", "dim": 6}]
    assert man["functions"][0]["outputs"][0]["shape"] == [9, man["nv"]]
    with pytest.raises(TypeError):
        thunder.generate(urdf, tmp_path / "x", contacts="RR_foot", floating_base=True)


def test_link_friction_acts_as_in_fd(generate):
    """A thunder file with link friction (seaRRR: viscous dl) and a point contact at its end
    effector: with the contact inactive FD_contact is FD (friction included, checked in
    test_forward_dynamics); active, the residual M ddq + tau(q, dq, 0) + dl(dq) - torque equals
    J_contact' force (the generated M, tau, dl, J_contact: each checked elsewhere), and the
    derivatives include d(dl)/d(dq) (central differences, tolerance as there)."""
    from conftest import ROBOTS as YAML_ROBOTS
    g = generate(YAML_ROBOTS / "seaRRR.yaml", "--contacts", "ee", "--functions", "FD,M,tau,dl," + FUNCTIONS)
    n = g.manifest["nv"]
    rng = np.random.default_rng(8)
    q, v, torque = rng.uniform(-2, 2, n), rng.uniform(-1, 1, n), rng.uniform(-3, 3, n)
    assert np.abs(g.call("dl", dq=v)).max() > 1e-3   # friction is there to be checked
    ddq, force = (x.ravel() for x in g.call("FD_contact", q=q, dq=v, torque=torque, active=[0.0]))
    close(ddq, g.call("FD", q=q, dq=v, torque=torque).ravel(), "inactive: FD")
    assert np.all(force == 0)
    ddq, force = (x.ravel() for x in g.call("FD_contact", q=q, dq=v, torque=torque, active=[1.0]))
    J = g.call("J_contact", q=q)
    residual = g.call("M", q=q) @ ddq + g.call("tau", q=q, dq=v, ddq=np.zeros(n)).ravel() + g.call("dl", dq=v).ravel()
    close(residual - torque, J.T @ force, "M ddq + h + dl - torque = J' force")
    close(J @ ddq, -g.call("gamma_contact", q=q, dq=v).ravel(), "J ddq + gamma = 0")
    # The contact fixes all three joints' accelerations here: friction shows in the force.
    got = g.call("FD_contact_derivatives", q=q, dq=v, torque=torque, active=[1.0])
    got = np.vstack([got[1], got[4]])   # ddq_dv over force_dv

    def fd(vv):
        return np.concatenate([x.ravel() for x in g.call("FD_contact", q=q, dq=vv, torque=torque, active=[1.0])])

    eps, want = 1e-6, np.zeros((2 * n, n))
    for k in range(n):
        e = np.zeros(n)
        e[k] = eps
        want[:, k] = (fd(v + e) - fd(v - e)) / (2 * eps)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-6 * max(1.0, np.abs(want).max()),
                               err_msg="ddq_dv, force_dv")
