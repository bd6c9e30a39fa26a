"""Both constructions of the Coriolis matrix, forced with `thunder gen --coriolis`, on every robot.

By default C is whichever construction is smaller (since the Coriolis recursion of Echeandia &
Wensing 2021 landed, the recursion on most robots of the suite, the Christoffel symbols of M on
the smallest), so each construction is forced here on every robot to keep both output and tested.

References: Pinocchio's computeCoriolisMatrix (also Christoffel-consistent, so the same matrix)
on URDF robots; on thunder YAML robots, the Christoffel symbols of M taken by central
differences of the generated M (M itself is checked against the Robotics Toolbox and Pinocchio
elsewhere), and C_std (the other construction, exact: 1e-12). A 26-joint chain made up here
checks the default choice (the recursion) against Pinocchio's M, C, G and RNEA.
"""
import numpy as np
import pytest

from conftest import ROBOTS, example_robot_data_dir, run_thunder

pin = pytest.importorskip("pinocchio")

CONSTRUCTIONS = ["christoffel", "recursive"]
FUNCTIONS = ("--functions", "M,C,C_std")
URDFS = {
    "panda": ("panda_description/urdf/panda.urdf", "panda_hand"),
    "ur5": ("ur_description/urdf/ur5_robot.urdf", "wrist_3_link"),
    "xarm7": ("xarm_description/urdf/xarm7.urdf", None),
    "z1": ("z1_description/urdf/z1.urdf", None),
}


def close(actual, expected, rtol):
    actual, expected = np.asarray(actual, float), np.asarray(expected, float)
    np.testing.assert_allclose(actual, expected, rtol=0, atol=rtol * max(1.0, np.abs(expected).max()))


def random_dyn(n, rng):
    out = []
    for _ in range(n):
        A = rng.normal(size=(3, 3))
        I = A @ A.T * 0.05 + 0.01 * np.eye(3)
        out += [rng.uniform(0.5, 3), *rng.uniform(-0.2, 0.2, 3), I[0, 0], I[0, 1], I[0, 2], I[1, 1], I[1, 2], I[2, 2]]
    return np.array(out)


def christoffel_fd(M, q, dq, h=1e-6):
    """C_ij = sum_k 1/2 (dM_ij/dq_k + dM_ik/dq_j - dM_jk/dq_i) dq_k, dM/dq by central differences
    (step 1e-6: truncation ~1e-12, rounding ~1e-10 relative)."""
    n = len(q)
    dM = np.stack([(M(q + h * e) - M(q - h * e)) / (2 * h) for e in np.eye(n)], axis=2)
    return 0.5 * (np.einsum("ijk,k->ij", dM, dq) + np.einsum("ikj,k->ij", dM, dq) - np.einsum("jki,k->ij", dM, dq))


@pytest.mark.parametrize("construction", CONSTRUCTIONS)
@pytest.mark.parametrize("robot", ["RRR.yaml", "seaRRR.yaml", "franka.yaml"])
def test_yaml_robot_coriolis_is_christoffel_of_mass_matrix(generate, robot, construction):
    gen = generate(ROBOTS / robot, "--symb", "DYN", "--coriolis", construction, *FUNCTIONS)
    n = gen.manifest["n_joints"]
    rng = np.random.default_rng(0)
    for _ in range(3):
        p = random_dyn(n, rng)
        q, dq = rng.uniform(-2, 2, n), rng.uniform(-1.5, 1.5, n)
        C = np.array(gen["C"](q, dq, p))
        close(C, christoffel_fd(lambda x: np.array(gen["M"](x, p)), q, dq), 1e-7)
        # The two constructions are exactly the same matrix: only rounding differs.
        close(C, gen["C_std"](q, dq, p), 1e-12)


@pytest.mark.parametrize("construction", CONSTRUCTIONS)
@pytest.mark.parametrize("robot", sorted(URDFS))
def test_urdf_robot_coriolis_vs_pinocchio(generate, robot, construction):
    path, ee = URDFS[robot]
    urdf = example_robot_data_dir() / path
    gen = generate(urdf, *(("--ee", ee) if ee else ()), "--coriolis", construction, *FUNCTIONS)
    model = pin.buildModelFromUrdf(str(urdf))
    n = gen.manifest["n_joints"]
    if model.nq != n:   # Panda's fingers: locked at 0, as our reader locks the tool
        model = pin.buildReducedModel(model, list(range(n + 1, model.njoints)), pin.neutral(model))
    data = model.createData()
    rng = np.random.default_rng(1)
    for _ in range(5):
        q, dq = rng.uniform(-2.5, 2.5, n), rng.uniform(-2, 2, n)
        # Both sides exact in float64; 1e-9 relative covers operation order.
        close(gen["C"](q, dq), pin.computeCoriolisMatrix(model, data, q, dq), 1e-9)


def test_coriolis_and_functions_options_are_validated(tmp_path):
    proc = run_thunder("gen", ROBOTS / "RRR.yaml", "-o", tmp_path / "o", "--coriolis", "fast", check=False)
    assert proc.returncode == 2 and "--coriolis" in proc.stderr
    assert not (tmp_path / "o").exists()
    proc = run_thunder("gen", ROBOTS / "RRR.yaml", "-o", tmp_path / "o", "--functions", "M,nope", check=False)
    assert proc.returncode == 1 and "unknown function 'nope'" in proc.stderr
    assert not (tmp_path / "o").exists()


N_LONG = 26


def long_chain_urdf(rng):
    """A 26-joint chain: revolute joints about x, y, z and tilted axes, three prismatic joints,
    rotated joint origins and inertial frames."""
    links, joints = ['<link name="base"/>'], []
    axes = ["0 0 1", "0 1 0", "1 0 0", "0.6 0 0.8", "0 -1 0"]
    for k in range(N_LONG):
        A = rng.normal(size=(3, 3))
        I = A @ A.T * 0.02 + 0.005 * np.eye(3)
        c = rng.uniform(-0.05, 0.05, 3)
        links.append(f'<link name="l{k}"><inertial><origin xyz="{c[0]} {c[1]} {c[2]}" rpy="0.1 -0.2 0.3"/>'
                     f'<mass value="{rng.uniform(0.2, 1.5)}"/><inertia ixx="{I[0, 0]}" ixy="{I[0, 1]}" '
                     f'ixz="{I[0, 2]}" iyy="{I[1, 1]}" iyz="{I[1, 2]}" izz="{I[2, 2]}"/></inertial></link>')
        kind = "prismatic" if k in (4, 13, 21) else "revolute"
        o = rng.uniform(-0.1, 0.1, 3) + [0, 0, 0.08]
        r = rng.uniform(-0.5, 0.5, 3)
        parent = "base" if k == 0 else f"l{k - 1}"
        joints.append(f'<joint name="j{k}" type="{kind}"><parent link="{parent}"/><child link="l{k}"/>'
                      f'<origin xyz="{o[0]} {o[1]} {o[2]}" rpy="{r[0]} {r[1]} {r[2]}"/>'
                      f'<axis xyz="{axes[k % len(axes)]}"/>'
                      '<limit lower="-3" upper="3" effort="1" velocity="1"/></joint>')
    return '<robot name="long">\n' + "\n".join(links + joints) + "\n</robot>\n"


def test_long_chain_default_is_recursive_and_matches_pinocchio(tmp_path_factory, generate):
    rng = np.random.default_rng(26)
    path = tmp_path_factory.mktemp("robots") / "long.urdf"
    path.write_text(long_chain_urdf(rng))
    gen = generate(path, "--functions", "M,C,C_std,G,tau")
    counts = {f["name"]: f["n_instructions"] for f in gen.manifest["functions"]}
    # From about 20 joints on the recursion is the smaller construction, so C is not C_std.
    assert counts["C"] < counts["C_std"], counts
    model = pin.buildModelFromUrdf(str(path))
    data = model.createData()
    assert model.nq == N_LONG
    for _ in range(3):
        q, dq, ddq = rng.uniform(-2, 2, N_LONG), rng.uniform(-1.5, 1.5, N_LONG), rng.uniform(-2, 2, N_LONG)
        M = pin.crba(model, data, q)
        # 26 bodies deep: rounding grows with the chain; 1e-9 relative still holds with margin.
        close(gen["M"](q), np.triu(M) + np.triu(M, 1).T, 1e-9)
        close(gen["C"](q, dq), pin.computeCoriolisMatrix(model, data, q, dq), 1e-9)
        close(np.array(gen["G"](q)).ravel(), pin.computeGeneralizedGravity(model, data, q), 1e-9)
        close(np.array(gen["tau"](q, dq, ddq)).ravel(), pin.rnea(model, data, q, dq, ddq), 1e-9)


def test_christoffel_is_refused_for_a_floating_base(tmp_path):
    """With a floating base v is no time derivative of q: there is no Christoffel form to force."""
    path = tmp_path / "long.urdf"
    path.write_text(long_chain_urdf(np.random.default_rng(2)))
    proc = run_thunder("gen", path, "--floating-base", "--coriolis", "christoffel", "-o", tmp_path / "o",
                       "--functions", "M,C", check=False)
    assert proc.returncode == 1 and "floating base" in proc.stderr, proc.stderr
    assert not (tmp_path / "o").exists()
