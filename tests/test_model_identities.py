"""Identities that need no reference implementation, on every bundled robot.

- M symmetric (and positive definite where the inertial data are physical);
- dM/dt - 2C skew-symmetric (C is the Christoffel-consistent Coriolis matrix);
- Yr(q, dq, dqr, ddqr) par_REG = M ddqr + C dqr + G for random parameter vectors;
- J_ee_dot, M_dot, G_dot equal central finite differences along a trajectory;
- C equals the Christoffel symbols of M computed by finite differences;
- par_DYN -> par_REG -> par_DYN round trip; G is the gradient of the potential energy.
"""
import numpy as np
import pytest

from conftest import ROBOTS, example_robot_data_dir

YAML_ROBOTS = ["RRR.yaml", "seaRRR.yaml", "franka.yaml"]
PANDA_URDF = "panda_description/urdf/panda.urdf"


def robot_path(name):
    return example_robot_data_dir() / PANDA_URDF if name == "panda.urdf" else ROBOTS / name


@pytest.fixture(scope="module", params=YAML_ROBOTS + ["panda.urdf"])
def robot(request, generate):
    # Every inertial parameter symbolic, so identities hold for arbitrary parameter vectors.
    return request.param, generate(robot_path(request.param), "--symb", "DYN", "--frame-derivatives")


def sizes(gen):
    """(nv, number of bodies): they differ when mimic joints (the Panda URDF's fingers) are bodies
    without a degree of freedom of their own. These robots have fixed bases: nq = nv."""
    nb = len(gen.param("par_DYN")["values"]) // 10
    assert gen.manifest["nq"] == gen.manifest["nv"]
    return gen.manifest["nv"], nb


def random_dyn(n, rng):
    """Physically consistent random links: positive masses and positive definite inertias."""
    out = []
    for _ in range(n):
        m = rng.uniform(0.5, 3)
        c = rng.uniform(-0.2, 0.2, 3)
        A = rng.normal(size=(3, 3))
        I = A @ A.T * 0.05 + 0.01 * np.eye(3)
        out += [m, *c, I[0, 0], I[0, 1], I[0, 2], I[1, 1], I[1, 2], I[2, 2]]
    return np.array(out)


def state(n, rng):
    return rng.uniform(-2, 2, n), rng.uniform(-1.5, 1.5, n), rng.uniform(-2, 2, n)


def test_mass_matrix_symmetric_positive_definite(robot):
    name, gen = robot
    n, nb = sizes(gen)
    rng = np.random.default_rng(0)
    for _ in range(10):
        q, _, _ = state(n, rng)
        M = np.array(gen["M"](q, random_dyn(nb, rng)))
        np.testing.assert_allclose(M, M.T, rtol=0, atol=1e-14 * np.abs(M).max())
        assert np.linalg.eigvalsh(M).min() > 0


def test_mdot_minus_2c_is_skew(robot):
    _, gen = robot
    n, nb = sizes(gen)
    rng = np.random.default_rng(1)
    for _ in range(10):
        q, dq, _ = state(n, rng)
        p = random_dyn(nb, rng)
        N = np.array(gen["M_dot"](q, dq, p)) - 2 * np.array(gen["C"](q, dq, p))
        np.testing.assert_allclose(N, -N.T, rtol=0, atol=1e-12 * max(1, np.abs(N).max()))


def test_regressor_times_parameters(robot):
    _, gen = robot
    n, nb = sizes(gen)
    rng = np.random.default_rng(2)
    for _ in range(10):
        q, dq, _ = state(n, rng)
        dqr, ddqr = rng.uniform(-1, 1, n), rng.uniform(-2, 2, n)
        dyn = random_dyn(nb, rng)
        reg = np.array(gen["par_DYN_to_REG"](dyn)).ravel()
        M, C, G = (np.array(gen[f](*args, dyn)) for f, args in (("M", (q,)), ("C", (q, dq)), ("G", (q,))))
        expected = M @ ddqr + C @ dqr + G.ravel()
        scale = max(1, np.abs(expected).max())
        np.testing.assert_allclose(np.array(gen["Yr"](q, dq, dqr, ddqr)) @ reg, expected, atol=1e-12 * scale)
        np.testing.assert_allclose(np.array(gen["reg_M"](q, ddqr)) @ reg, M @ ddqr, atol=1e-12 * scale)
        np.testing.assert_allclose(np.array(gen["reg_C"](q, dq, dqr)) @ reg, C @ dqr, atol=1e-12 * scale)
        np.testing.assert_allclose(np.array(gen["reg_G"](q)) @ reg, G.ravel(), atol=1e-12 * scale)
        tau = np.array(gen["tau"](q, dq, ddqr, dyn)).ravel()
        np.testing.assert_allclose(tau, M @ ddqr + C @ dq + G.ravel(), atol=1e-12 * scale)


def test_parameter_maps_round_trip(robot):
    _, gen = robot
    n, nb = sizes(gen)
    dyn = random_dyn(nb, np.random.default_rng(3))
    reg = np.array(gen["par_DYN_to_REG"](dyn)).ravel()
    np.testing.assert_allclose(np.array(gen["par_REG_to_DYN"](reg)).ravel(), dyn, rtol=1e-12, atol=1e-14)
    # and the manifest's par_REG defaults are the map of its par_DYN defaults
    np.testing.assert_allclose(np.array(gen["par_DYN_to_REG"](gen.param("par_DYN")["values"])).ravel(),
                               gen.param("par_REG")["values"], rtol=1e-14, atol=1e-15)


def test_time_derivatives_match_finite_differences(robot):
    """Along q(t) = q0 + dq0 t + ddq0 t^2 / 2, central differences of J_ee, M, G (step 1e-5:
    truncation ~1e-10 and rounding ~1e-11 relative) against the generated derivatives."""
    _, gen = robot
    n, nb = sizes(gen)
    rng = np.random.default_rng(4)
    p = random_dyn(nb, rng)
    h = 1e-5
    for _ in range(5):
        q0, dq0, ddq0 = state(n, rng)
        qt = lambda t: q0 + dq0 * t + 0.5 * ddq0 * t * t
        dqt = lambda t: dq0 + ddq0 * t
        fd = lambda f: (np.array(f(h)) - np.array(f(-h))) / (2 * h)
        # A tree (the Panda URDF with its fingers) has frame Jacobians instead of J_ee.
        J = "J_ee" if "J_ee" in gen.names() else "J_" + gen.manifest["frames"][0]["id"]
        np.testing.assert_allclose(gen.call(J + "_dot", q=q0, dq=dq0), fd(lambda t: gen.call(J, q=qt(t))),
                                   atol=1e-7)
        if J == "J_ee":
            np.testing.assert_allclose(gen.call("J_ee_ddot", q=q0, dq=dq0, ddq=ddq0),
                                       fd(lambda t: gen.call("J_ee_dot", q=qt(t), dq=dqt(t))), atol=1e-6)
        np.testing.assert_allclose(gen["M_dot"](q0, dq0, p), fd(lambda t: gen["M"](qt(t), p)), atol=1e-7)
        np.testing.assert_allclose(gen["G_dot"](q0, dq0, p), fd(lambda t: gen["G"](qt(t), p)), atol=1e-6)
        np.testing.assert_allclose(gen["C_dot"](q0, dq0, ddq0, p), fd(lambda t: gen["C"](qt(t), dqt(t), p)),
                                   atol=1e-6)


def test_coriolis_is_christoffel_of_mass_matrix(robot):
    """C_ij = sum_k 1/2 (dM_ij/dq_k + dM_ik/dq_j - dM_jk/dq_i) dq_k with dM/dq by central
    differences (step 1e-6)."""
    _, gen = robot
    n, nb = sizes(gen)
    rng = np.random.default_rng(5)
    p = random_dyn(nb, rng)
    q, dq, _ = state(n, rng)
    h = 1e-6
    dM = np.stack([(np.array(gen["M"](q + h * e, p)) - np.array(gen["M"](q - h * e, p))) / (2 * h)
                   for e in np.eye(n)], axis=2)  # dM[i, j, k] = dM_ij / dq_k
    C_fd = 0.5 * (np.einsum("ijk,k->ij", dM, dq) + np.einsum("ikj,k->ij", dM, dq) - np.einsum("jki,k->ij", dM, dq))
    np.testing.assert_allclose(gen["C"](q, dq, p), C_fd, atol=1e-7)
    np.testing.assert_allclose(gen["C_std"](q, dq, p), gen["C"](q, dq, p), atol=1e-12)


def test_gravity_is_gradient_of_potential_energy(robot):
    """U(q) = -sum_i m_i g . p_cm,i(q) with the centres of mass from T_0_i; G = dU/dq (central
    differences, step 1e-6)."""
    _, gen = robot
    n, nb = sizes(gen)
    rng = np.random.default_rng(6)
    p = random_dyn(nb, rng)
    g = np.array(gen.param("par_gravity")["values"])

    def U(q):
        frames = gen.call("T_0_i", q=q)
        frames = frames if isinstance(frames, list) else [frames]
        total = 0.0
        for k, T in enumerate(frames):
            T = np.array(T)
            m, c = p[10 * k], p[10 * k + 1:10 * k + 4]
            total -= m * g @ (T[:3, :3] @ c + T[:3, 3])
        return total

    q = rng.uniform(-2, 2, n)
    h = 1e-6
    G_fd = np.array([(U(q + h * e) - U(q - h * e)) / (2 * h) for e in np.eye(n)])
    np.testing.assert_allclose(np.array(gen["G"](q, p)).ravel(), G_fd, atol=1e-7 * max(1, np.abs(G_fd).max()))
