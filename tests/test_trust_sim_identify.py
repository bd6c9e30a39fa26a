"""Simulation inputs and identification logs/options that used to give silent wrong results or
raw torch/numpy/scipy tracebacks: each is an error that says what is wrong, or (per-row dt, a
friction model given as one string) works as documented. References: single steps for the
per-row dt, a rank-deficient regressor built by hand for the rank decision."""
import math
import re
import subprocess

import numpy as np
import pytest

from conftest import ROBOTS

torch = pytest.importorskip("torch")
import thunder_torch  # noqa: E402
from thunder_torch import identify  # noqa: E402

FLOATING = """<robot name="flyer">
  <link name="base"><inertial><mass value="2"/><inertia ixx="0.1" ixy="0" ixz="0" iyy="0.2" iyz="0" izz="0.3"/></inertial></link>
  <link name="arm"><inertial><origin xyz="0.1 0 0"/><mass value="1"/><inertia ixx="0.01" ixy="0" ixz="0" iyy="0.01" iyz="0" izz="0.01"/></inertial></link>
  <joint name="j" type="revolute"><parent link="base"/><child link="arm"/><axis xyz="0 0 1"/></joint>
</robot>
"""


@pytest.fixture(scope="module")
def panda(generate):
    g = generate(ROBOTS / "franka.yaml", "--functions", "FD,Y", targets="torch")
    return thunder_torch.load(g.out, dtype=torch.float64, backend="torch")


@pytest.fixture(scope="module")
def flyer(generate, tmp_path_factory):
    urdf = tmp_path_factory.mktemp("flyer") / "flyer.urdf"
    urdf.write_text(FLOATING)
    g = generate(urdf, "--floating-base", "--functions", "FD,integrate", targets="torch")
    return thunder_torch.load(g.out, dtype=torch.float64, backend="torch")


def state(n=3):
    g = torch.Generator().manual_seed(0)
    return (torch.rand(n, 7, generator=g, dtype=torch.float64), torch.rand(n, 7, generator=g, dtype=torch.float64),
            torch.rand(n, 7, generator=g, dtype=torch.float64))


@pytest.mark.parametrize("dt", [float("nan"), float("inf"), 0.0, -1e-3, torch.tensor([1e-3, 0.0, 1e-3])])
def test_step_refuses_a_dt_that_is_not_a_positive_time(panda, dt):
    q, dq, tau = state()
    with pytest.raises(ValueError, match="dt must be"):
        panda.step(q, dq, tau, dt=dt)
    with pytest.raises(ValueError, match="dt must be"):
        panda.rollout(q, dq, lambda q, dq: tau, steps=2, dt=dt)


@pytest.mark.parametrize("dt", [[1e-3], "1e-3", None])
def test_dt_of_the_wrong_type(panda, dt):
    q, dq, tau = state()
    with pytest.raises(TypeError, match="dt must be a number"):
        panda.step(q, dq, tau, dt=dt)


def test_per_row_dt_is_one_step_per_row(panda):
    """A dt per batch row (documented) failed with a shape error; each row must equal a step of
    that row alone with its own dt."""
    q, dq, tau = state()
    dt = torch.tensor([1e-3, 2e-3, 5e-3], dtype=torch.float64)
    for integrator in ("semi_implicit_euler", "rk4"):
        q1, dq1 = panda.step(q, dq, tau, dt=dt, integrator=integrator)
        for b in range(3):
            qb, dqb = panda.step(q[b], dq[b], tau[b], dt=float(dt[b]), integrator=integrator)
            torch.testing.assert_close(q1[b], qb, rtol=1e-13, atol=1e-15)
            torch.testing.assert_close(dq1[b], dqb, rtol=1e-13, atol=1e-15)
    with pytest.raises(ValueError, match="does not broadcast"):
        panda.step(q, dq, tau, dt=torch.full((4,), 1e-3, dtype=torch.float64))


@pytest.mark.parametrize("steps", [2.5, None, "3", True])
def test_steps_must_be_an_int(panda, steps):
    q, dq, tau = state()
    with pytest.raises(TypeError, match="steps must be an int"):
        panda.rollout(q, dq, lambda q, dq: tau, steps=steps, dt=1e-3)


def test_state_shapes_must_agree(panda):
    q, dq, tau = state(5)
    with pytest.raises(ValueError, match="same batch shape"):
        panda.step(q, dq.unsqueeze(1), tau, dt=1e-3)
    with pytest.raises(ValueError, match="controller must return tau"):
        panda.rollout(q, dq, lambda q, dq: tau[:, :3], steps=2, dt=1e-3)


def test_zero_quaternion_is_an_error(flyer):
    q = torch.zeros(2, flyer.nq, dtype=torch.float64)
    q[0, 6] = 1  # row 0: identity; row 1: the zero quaternion, which FD treated as the identity
    dq = torch.zeros(2, flyer.nv, dtype=torch.float64)
    with pytest.raises(ValueError, match="zero in batch row 1"):
        flyer.step(q, dq, dq, dt=1e-3)
    q[1, 6] = 1
    q1, _ = flyer.step(q, dq, dq, dt=1e-3)
    assert torch.isfinite(q1).all()


def test_zero_quaternion_is_an_error_in_direct_calls(flyer):
    # FD, G, integrate... evaluate the generated rotation of q[3:7], the identity for a zero
    # quaternion: every function taking a configuration refuses it, one state or a batch
    q = torch.zeros(3, flyer.nq, dtype=torch.float64)
    q[:, 6] = 1
    q[2, 6] = 0
    dq = torch.zeros(3, flyer.nv, dtype=torch.float64)
    with pytest.raises(ValueError, match=r"FD: q\[\.\.\., 3:7\] .* is zero in batch row 2"):
        flyer.FD(q, dq, dq)
    with pytest.raises(ValueError, match=r"FD: q\[\.\.\., 3:7\] .* is zero;"):
        flyer.FD(q[2], dq[2], dq[2])
    with pytest.raises(ValueError, match=r"integrate: q\[\.\.\., 3:7\] .* is zero"):
        flyer.integrate(q[2], dq[2], torch.tensor([1e-3], dtype=torch.float64))
    assert torch.isfinite(flyer.FD(q[:2], dq[:2], dq[:2])).all()
    # inside torch.func transforms the inputs hold no data to test: the check steps aside
    batched = torch.func.vmap(flyer.FD)(q[:2], dq[:2], dq[:2])
    torch.testing.assert_close(batched, flyer.FD(q[:2], dq[:2], dq[:2]), rtol=1e-12, atol=1e-12)
    assert torch.func.jacrev(lambda x: flyer.FD(x, dq[0], dq[0]))(q[0]).shape == (flyer.nv, flyer.nq)


# ------------------------------------------------------------------ identification


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


HEADER = ",".join([f"{k}{j}" for k in ("q", "dq", "tau") for j in range(1, 8)])


@pytest.mark.parametrize("name,text,match", [
    ("empty.csv", "", "is empty"),
    ("header.csv", HEADER + "\n", "no samples"),
    ("semi.csv", HEADER.replace(",", ";") + "\n" + ";".join(["0"] * 21) + "\n", "separated by ';'"),
    ("gap.csv", HEADER.replace("q7,", "q8,", 1) + "\n" + ",".join(["0"] * 21) + "\n", "without gaps"),
    ("text.npz", "not an archive\n", "not a NumPy .npz archive"),
])
def test_bad_logs(tmp_path, name, text, match):
    with pytest.raises(ValueError, match=match):
        identify.Data.load(write(tmp_path, name, text), sample_rate=100)


@pytest.mark.parametrize("rate,cutoff,match", [
    (0, None, "sample_rate must be"), (-5, None, "sample_rate must be"), (float("nan"), None, "sample_rate must be"),
    (100, 60, "Nyquist"),
])
def test_bad_rates(tmp_path, rate, cutoff, match):
    with pytest.raises(ValueError, match=match):
        identify.Data.load(write(tmp_path, "a.csv", HEADER + "\n" + ",".join(["0"] * 21) + "\n"),
                           sample_rate=rate, cutoff_hz=cutoff)


def test_data_with_no_samples():
    z = np.zeros((0, 7))
    with pytest.raises(ValueError, match="no samples"):
        identify.Data(z, z, z, z)


def test_regressor_checks_and_friction_string(panda):
    q, dq, ddq = state(4)
    data = identify.Data(q, dq, ddq, torch.zeros(4, 7, dtype=torch.float64))
    W1, n1 = identify.regressor(panda, data, friction="viscous")  # was iterated: "unknown friction model 'v'"
    W2, n2 = identify.regressor(panda, data, friction=("viscous",))
    assert n1 == n2 and torch.equal(W1, W2)
    wide = identify.Data(q, dq, ddq, torch.zeros(4, 7, dtype=torch.float64))
    wide.dq, wide.ddq, wide.tau = (torch.zeros(4, 6, dtype=torch.float64),) * 3
    with pytest.raises(ValueError, match="6 joint columns"):
        identify.regressor(panda, wide)
    still = identify.Data(q[:1].expand(4, 7), torch.zeros(4, 7, dtype=torch.float64), ddq,
                          torch.zeros(4, 7, dtype=torch.float64))
    with pytest.warns(UserWarning, match="do not move"):
        identify.regressor(panda, still)


def test_refine_checks_n_bodies_and_takes_parameters_that_require_grad(panda):
    q, dq, ddq = state(20)
    data = identify.Data(q, dq, ddq, torch.zeros(20, 7, dtype=torch.float64))
    W, names = identify.regressor(panda, data, friction=())
    par = panda.par_REG.detach().clone().requires_grad_(True)  # as with --symb DYN
    with torch.no_grad():
        tau = (W @ par).reshape(20, 7)
    with pytest.raises(ValueError, match="n_bodies = 6"):
        identify.refine(W, tau, 6, start_par_REG=par)
    out, _ = identify.refine(W, tau, len(par) // 10, start_par_REG=par, prior_par_REG=par, iterations=3)
    assert out.shape == par.shape


def test_rank_comes_from_the_singular_values():
    """Two columns that are other columns' combinations up to 1e-13 (what rounding leaves of a
    structural dependency): not base parameters, and the chosen columns are well conditioned."""
    rng = np.random.default_rng(1)
    A = rng.standard_normal((400, 12))
    A[:, 10] = A[:, 0] - 2 * A[:, 3] + 1e-13 * rng.standard_normal(400)
    A[:, 11] = 3 * A[:, 5] + 1e-13 * rng.standard_normal(400)
    A *= np.logspace(-3, 3, 12)  # units must not matter
    base = identify.BaseParameters.from_regressor(A, [f"p{k}" for k in range(12)])
    assert base.rank == 10
    assert base.condition < 1e6 and math.isfinite(base.condition)


def test_kinova_exact_torques_give_the_structural_rank(generate):
    """Exact torques of the Kinova arm (example-robot-data, continuous joints), computed by
    Pinocchio's rnea: the rank is the number of singular values of Pinocchio's own joint torque
    regressor above its largest gap (structural dependencies sit at rounding level), the chosen
    columns are well conditioned, and the fit predicts held-out torques exactly."""
    pin = pytest.importorskip("pinocchio")
    from conftest import example_robot_data_dir
    urdf = example_robot_data_dir() / "kinova_description" / "robots" / "kinova.urdf"
    g = generate(urdf, "--ee", "j2s6s200_end_effector", "--functions", "Y", targets="torch")
    robot = thunder_torch.load(g.out, dtype=torch.float64, backend="torch")
    model = pin.buildModelFromUrdf(str(urdf))
    data = model.createData()
    assert [model.names[j] for j in range(1, model.njoints)] == list(robot.joints)
    rng = np.random.default_rng(3)

    def states(n):
        x = [rng.uniform(-2, 2, (n, robot.nv)), rng.standard_normal((n, robot.nv)), rng.standard_normal((n, robot.nv))]
        tau = np.stack([pin.rnea(model, data, pin.integrate(model, pin.neutral(model), q), v, a)
                        for q, v, a in zip(*x)])
        Wp = np.vstack([pin.computeJointTorqueRegressor(model, data, pin.integrate(model, pin.neutral(model), q), v, a)
                        for q, v, a in zip(*x)])
        W = robot.Y(*(torch.from_numpy(t) for t in x)).reshape(n * robot.nv, -1).numpy()
        return W, tau, Wp

    W, tau, Wp = states(300)
    sv = np.linalg.svd(Wp / np.maximum(np.linalg.norm(Wp, axis=0), 1e-300), compute_uv=False)
    gap = int((sv > 1e-10 * sv[0]).sum())
    assert sv[gap - 1] > 1e6 * sv[gap]                  # a clear structural gap there
    base = identify.BaseParameters.from_regressor(W, [f"p{k}" for k in range(W.shape[1])])
    assert base.rank == gap
    assert base.condition < 1e4
    fit = identify.least_squares(W, tau, base)
    W2, tau2, _ = states(50)
    pred = base.columns(W2) @ fit.beta
    assert np.abs(pred - tau2.reshape(-1)).max() < 1e-8 * np.abs(tau2).max()


def run_identify_cli(capsys, *args):
    """thunder identify in this process (what `thunder identify` execs): (status, stderr)."""
    from thunder_torch import identify_cli
    capsys.readouterr()
    rc = identify_cli.main([str(a) for a in args])
    return subprocess.CompletedProcess(args, rc, "", capsys.readouterr().err)


def test_a_constant_log_is_reported_as_not_exciting(tmp_path, generate, capsys):
    # a log that never moves identifies a handful of the combinations the Panda's torques carry
    g = generate(ROBOTS / "franka.yaml", "--functions", "FD,Y", targets="torch")
    rows = "\n".join(",".join(["0.3"] * 7 + ["0"] * 7 + ["1.5"] * 7) for _ in range(80))
    log = write(tmp_path, "still.csv", HEADER + "\n" + rows + "\n")
    r = run_identify_cli(capsys, g.out, log, "--sample-rate", "100", "--friction", "none", "--out", tmp_path / "o")
    assert "the log excites" in r.stderr, r.stderr
    excited, possible = map(int, re.search(r"excites (\d+) of the (\d+)", r.stderr).groups())
    assert excited < possible


def test_identify_cli_checks_before_fitting(tmp_path, generate, capsys):
    g = generate(ROBOTS / "franka.yaml", "--functions", "FD,Y", targets="torch")
    log = write(tmp_path, "log.csv", HEADER + "\n" + ",".join(["0"] * 21) + "\n")

    def cli(*args):
        return run_identify_cli(capsys, g.out, log, *args)

    f = write(tmp_path, "file", "x")
    for args, match in [(["--out", str(f)], "is an existing file"), (["--prior-weight", "-1"], "--prior-weight"),
                        (["--friction", "viscus"], "unknown model 'viscus'"), (["--sample-rate", "nan"], "--sample-rate")]:
        p = cli(*args)
        assert p.returncode == 2 and match in p.stderr and "Traceback" not in p.stderr, (args, p.stderr)
    done = tmp_path / "done"
    done.mkdir()
    (done / "identified.json").write_text("{}")
    p = cli("--out", str(done))
    assert p.returncode == 2 and "--force" in p.stderr and (done / "identified.json").read_text() == "{}"
    empty = write(tmp_path, "empty.csv", "")
    p = run_identify_cli(capsys, g.out, empty, "--out", tmp_path / "o")
    assert p.returncode == 1 and "is empty" in p.stderr and "Traceback" not in p.stderr


def test_missing_function_says_it_was_not_generated(panda):
    assert not hasattr(panda, "M")
    with pytest.raises(AttributeError, match=r"no function 'M': it was not generated.*--functions .*,M`"):
        panda.M
    with pytest.raises(AttributeError, match="did you mean 'FD'"):
        panda.FDD
    with pytest.raises(ValueError, match="not generated"):
        thunder_torch.InverseDynamics(panda)
    assert panda.par_REG.shape == (70,)  # parameters still resolve through nn.Module


INCONSISTENT = """<robot name="bad">
  <link name="base"/>
  <link name="l1"><inertial><origin xyz="0.1 0 0"/><mass value="1"/><inertia ixx="0.01" ixy="0" ixz="0" iyy="0.01" iyz="0" izz="0.05"/></inertial></link>
  <link name="l2"><inertial><origin xyz="0.1 0 0"/><mass value="1"/><inertia ixx="0.01" ixy="0" ixz="0" iyy="0.01" iyz="0" izz="0.01"/></inertial></link>
  <joint name="j1" type="revolute"><parent link="base"/><child link="l1"/><axis xyz="0 1 0"/></joint>
  <joint name="j2" type="revolute"><parent link="l1"/><child link="l2"/><origin xyz="0.2 0 0"/><axis xyz="0 1 0"/></joint>
</robot>
"""


def test_identify_cli_with_inconsistent_file_inertias(tmp_path, generate, capsys):
    """l1's inertia breaks the triangle inequality (izz > ixx + iyy): the log-Cholesky start of
    the physical refinement does not exist. It was a traceback; now the least-squares fit is
    written and the refinement is skipped with a warning that says why."""
    urdf = tmp_path / "bad.urdf"
    urdf.write_text(INCONSISTENT)
    g = generate(urdf, "--functions", "Y", targets="torch")
    t = np.linspace(0, 2, 400)[:, None]
    w = np.array([[1.3, 2.1]])
    q, dq, ddq = np.sin(w * t), w * np.cos(w * t), -w ** 2 * np.sin(w * t)
    np.savez(tmp_path / "log.npz", q=q, dq=dq, ddq=ddq, tau=np.random.default_rng(0).standard_normal((400, 2)))
    p = run_identify_cli(capsys, g.out, tmp_path / "log.npz", "--out", tmp_path / "id")
    assert p.returncode == 0, p.stderr
    assert "not physically consistent" in p.stderr and "Traceback" not in p.stderr
    import json
    result = json.loads((tmp_path / "id" / "identified.json").read_text())
    assert result["par_REG_physical"] is None and result["rank"] > 0
