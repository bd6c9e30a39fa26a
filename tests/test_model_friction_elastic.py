"""Friction and series-elastic terms against thunder_dynamics' definitions, written out here from
the robot file's numbers (v0.8 dynamics.cpp, unchanged in 1.0):

    f_o(v) = v^o (o odd), |v| v^(o-1) (o even)
    dl_j = sum_o Dl_j,o f_o(dq_j)             k_e  = sum_o K_e,o (x_e - q_j(e))^(2o-1)
    d_e  = sum_o D_e,o f_o(dx_e - dq_j(e))     dm_e = sum_o Dm_e,o f_o(dx_e)

with Dl<o>, K<2o-1>, D<o>, Dm<o> the diagonal matrices of the order-o coefficients. The robot
files are made here with a distinct coefficient per link, joint and order (a term that reads the
wrong link's or order's coefficient gives a different number), with the elastic joints not the
first ones (j(e) != e), one of them prismatic. Velocities include exact zeros (sign(0) = 0) and
negative values. Polynomials of a few terms in double precision: 1e-14 relative.

Checked to catch a planted bug: friction_sum reading link n-1-i's coefficients for joint i
(`coeff((n - 1 - i) * orders + o - 1)` in src/thunder/model/terms.cpp) fails four tests here
(link friction, damping, the SEA model, Coulomb's dl).
"""
import numpy as np
import pytest
import yaml

from conftest import ROBOTS, run_thunder

RTOL = 1e-14


def f(o, v):
    v = np.asarray(v, float)
    return v ** o if o % 2 else np.abs(v) * v ** (o - 1)


def df(o, v):
    # d/dv of f_o is o |v|^(o-1) for every o
    return o * np.abs(np.asarray(v, float)) ** (o - 1)


def link_block(k, dl=None, dc=None):
    lines = [f"  link{k}:", "    inertial:",
             f"      mass: {1.0 + 0.25 * k}", f"      CoM_x: {0.05 * k}", "      CoM_y: -0.02",
             "      CoM_z: 0.03", f"      Ixx: {0.02 + 0.001 * k}", "      Ixy: 0.001", "      Ixz: -0.002",
             f"      Iyy: {0.03 + 0.001 * k}", "      Iyz: 0.0015", f"      Izz: {0.04 + 0.001 * k}"]
    if dl is not None or dc is not None:
        lines.append("    friction:")
    if dl is not None:
        lines += [f"      Dl: {[float(c) for c in dl]}", f"      symb: {[0] * len(dl)}"]
    if dc is not None:
        lines.append(f"      Dc: {dc}")
    return "\n".join(lines)


def robot_text(types, Dl=None, elastic=None, orders=(0, 0, 0), keys=None, extra="", Dc=None):
    """A thunder v0.x robot file: modified DH rows of distinct lengths, one link block per
    joint, `elastic` = [(K, D, Dm, Mm)] per elastic joint keyed by `keys` (default jointJ)."""
    n = len(types)
    dh = []
    for j in range(n):
        dh += [0.1 * j, (-1) ** j * 0.5 if j else 0.0, 0.2 + 0.01 * j, 0.1 * j]
    text = [f"num_joints: {n}", f"type_joints: {types}", f"Dl_order: {0 if Dl is None else len(Dl[0])}",
            f"ELASTIC_MODEL: {'true' if elastic else 'false'}", extra,
            "kinematics:", f"  DH: {dh}", "gravity:", "  value: [0.3, -0.2, -9.81]", "dynamics:"]
    text += [link_block(j + 1, None if Dl is None else Dl[j], None if Dc is None else Dc[j]) for j in range(n)]
    if elastic:
        sea = [j for j, t in enumerate(types) if t.endswith("_SEA")]
        keys = keys or [f"joint{j + 1}" for j in sea]
        text += ["elastic:", f"  K_order: {orders[0]}", f"  D_order: {orders[1]}", f"  Dm_order: {orders[2]}",
                 "  joints:"]
        for key, (K, D, Dm, Mm) in zip(keys, elastic):
            text += [f"    {key}:", f"      K: {[float(c) for c in K]}", f"      D: {[float(c) for c in D]}",
                     f"      Dm: {[float(c) for c in Dm]}",
                     f"      Mm: {float(Mm)}"]
    return "\n".join(text) + "\n"


# 4 joints, elastic joints 2 (R_SEA) and 4 (P_SEA): j(e) = [1, 3] (0-based).
TYPES = ["R", "R_SEA", "R", "P_SEA"]
J_OF_E = [1, 3]
DL = np.array([[0.11, 0.012, 0.0013], [0.21, 0.022, 0.0023], [0.31, 0.032, 0.0033], [0.41, 0.042, 0.0043]])
K = np.array([[100.0, 7.0], [250.0, 9.0]])          # orders 1, 3
D = np.array([[1.5, 0.15], [2.5, 0.25]])            # orders 1, 2
DM = np.array([[0.6, 0.06, 0.006], [0.8, 0.08, 0.008]])
MM = np.array([0.05, 0.09])


@pytest.fixture(scope="module")
def sea4(tmp_path_factory, generate):
    p = tmp_path_factory.mktemp("robots") / "sea4.yaml"
    p.write_text(robot_text(TYPES, Dl=DL, elastic=list(zip(K, D, DM, MM)), orders=(2, 2, 3)))
    return generate(p)


# dq has an exact 0 and negative entries; dx - dq(j(e)) is 0 for the first elastic joint.
Q = np.array([0.3, -0.7, 1.1, 0.05])
DQ = np.array([0.0, -1.3, 0.8, -0.4])
DDQ = np.array([0.5, -0.2, 0.9, 1.4])
X = np.array([-0.62, 0.11])
DX = np.array([-1.3, 0.7])
DDX = np.array([2.0, -3.0])
STATE = dict(q=Q, dq=DQ, ddq=DDQ, x=X, dx=DX, ddx=DDX)


def test_link_friction_and_per_order_matrices(sea4):
    dl = sum(DL[:, o - 1] * f(o, DQ) for o in (1, 2, 3))
    np.testing.assert_allclose(sea4.call("dl", **STATE).ravel(), dl, rtol=RTOL)
    assert sea4.call("dl", **STATE)[0, 0] == 0.0  # dq = 0 exactly: no friction
    for o in (1, 2, 3):
        np.testing.assert_array_equal(sea4.call(f"Dl{o}"), np.diag(DL[:, o - 1]))
    np.testing.assert_allclose(sea4.call("Dl_jac", **STATE), np.diag(sum(DL[:, o - 1] * df(o, DQ) for o in (1, 2, 3))),
                               rtol=RTOL)
    reg = np.zeros((4, 12))
    for j in range(4):
        for o in (1, 2, 3):
            reg[j, 3 * j + o - 1] = f(o, DQ[j])
    np.testing.assert_allclose(sea4.call("reg_dl", **STATE), reg, rtol=RTOL)
    assert "Dl4" not in sea4.names() and "Dl" not in sea4.names()


def test_elastic_coupling_uses_the_link_joint_of_each_elastic_joint(sea4):
    e = X - Q[J_OF_E]
    k = K[:, 0] * e + K[:, 1] * e ** 3
    np.testing.assert_allclose(sea4.call("k", **STATE).ravel(), k, rtol=RTOL)
    np.testing.assert_array_equal(sea4.call("K1"), np.diag(K[:, 0]))
    np.testing.assert_array_equal(sea4.call("K3"), np.diag(K[:, 1]))
    assert "K2" not in sea4.names()
    np.testing.assert_allclose(sea4.call("K_jac", **STATE), np.diag(K[:, 0] + 3 * K[:, 1] * e ** 2), rtol=RTOL)
    reg = np.zeros((2, 4))
    for i in range(2):
        reg[i, 2 * i:2 * i + 2] = [e[i], e[i] ** 3]
    np.testing.assert_allclose(sea4.call("reg_k", **STATE), reg, rtol=RTOL)


def test_coupling_and_motor_damping(sea4):
    v = DX - DQ[J_OF_E]
    assert v[0] == 0.0  # the first elastic joint moves with its motor: no coupling damping
    d = sum(D[:, o - 1] * f(o, v) for o in (1, 2))
    np.testing.assert_allclose(sea4.call("d", **STATE).ravel(), d, rtol=RTOL, atol=0)
    for o in (1, 2):
        np.testing.assert_array_equal(sea4.call(f"D{o}"), np.diag(D[:, o - 1]))
    np.testing.assert_allclose(sea4.call("D_jac", **STATE), np.diag(sum(D[:, o - 1] * df(o, v) for o in (1, 2))),
                               rtol=RTOL)
    dm = sum(DM[:, o - 1] * f(o, DX) for o in (1, 2, 3))
    np.testing.assert_allclose(sea4.call("dm", **STATE).ravel(), dm, rtol=RTOL)
    for o in (1, 2, 3):
        np.testing.assert_array_equal(sea4.call(f"Dm{o}"), np.diag(DM[:, o - 1]))
    np.testing.assert_allclose(sea4.call("Dm_jac", **STATE), np.diag(sum(DM[:, o - 1] * df(o, DX) for o in (1, 2, 3))),
                               rtol=RTOL)
    reg_d, reg_dm = np.zeros((2, 4)), np.zeros((2, 6))
    for i in range(2):
        reg_d[i, 2 * i:2 * i + 2] = [f(1, v[i]), f(2, v[i])]
        reg_dm[i, 3 * i:3 * i + 3] = [f(o, DX[i]) for o in (1, 2, 3)]
    np.testing.assert_allclose(sea4.call("reg_d", **STATE), reg_d, rtol=RTOL)
    np.testing.assert_allclose(sea4.call("reg_dm", **STATE), reg_dm, rtol=RTOL)
    np.testing.assert_array_equal(sea4.call("Mm"), np.diag(MM))
    np.testing.assert_array_equal(sea4.call("reg_Mm", **STATE), np.diag(DDX))


def test_coupled_sea_model(sea4):
    """Link side M ddq + C dq + G + dl - S (k + d), motor side Mm ddx + dm + k + d. M, C, G
    are the generated ones (checked against Pinocchio and the Robotics Toolbox elsewhere); the
    friction and elastic terms are the formulas above."""
    e, v = X - Q[J_OF_E], DX - DQ[J_OF_E]
    k = K[:, 0] * e + K[:, 1] * e ** 3
    d = D[:, 0] * v + D[:, 1] * np.abs(v) * v
    dl = sum(DL[:, o - 1] * f(o, DQ) for o in (1, 2, 3))
    dm = sum(DM[:, o - 1] * f(o, DX) for o in (1, 2, 3))
    rigid = sea4.call("M", **STATE) @ DDQ + sea4.call("C", **STATE) @ DQ + sea4.call("G", **STATE).ravel()
    link = rigid + dl
    link[J_OF_E] -= k + d
    np.testing.assert_allclose(sea4.call("sea_link_torque", **STATE).ravel(), link, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(sea4.call("sea_motor_torque", **STATE).ravel(), MM * DDX + dm + k + d, rtol=RTOL)


def test_shared_seaRRR_follows_thunder(generate):
    """thunder's own seaRRR.yaml (Dl_order 2): dl = Dl1 dq + Dl2 |dq| dq (not Coulomb)."""
    gen = generate(ROBOTS / "seaRRR.yaml")
    cfg = yaml.safe_load((ROBOTS / "seaRRR.yaml").read_text())
    Dl = np.array([cfg["dynamics"][f"link{j}"]["friction"]["Dl"] for j in (1, 2, 3)])
    dq = np.array([-0.9, 0.0, 2.5])
    np.testing.assert_allclose(gen.call("dl", dq=dq).ravel(), Dl[:, 0] * dq + Dl[:, 1] * np.abs(dq) * dq, rtol=RTOL)
    (entry,) = cfg["elastic"]["joints"].values()
    np.testing.assert_array_equal(gen.call("K1"), [[entry["K"][0]]])
    np.testing.assert_array_equal(gen.call("Dm1"), [[entry["Dm"][0]]])


def test_partial_sea_v0_file_entry_keyed_joint1(tmp_path, generate):
    """Eight joints, only the last R_SEA, its entry keyed `joint1:` (as in a real thunder file):
    thunder reads entries by position, so it is joint 8's, and k couples x to q_8."""
    types = ["R"] * 7 + ["R_SEA"]
    p = tmp_path / "eight.yaml"
    p.write_text(robot_text(types, elastic=[([40.0], [0.3], [0.2], 0.07)], orders=(1, 1, 1), keys=["joint1"]))
    summary = run_thunder("check", p).stdout
    assert "  joint8 (file entry 'joint1'): K [40], D [0.3], Dm [0.2], Mm 0.07" in summary
    gen = generate(p)
    kp = gen.param("par_K")
    assert kp["elements"] == ["joint8.K1"] and kp["values"] == [40.0]
    q = np.linspace(-0.4, 0.6, 8)
    dq = np.linspace(0.5, -0.9, 8)
    x, dx = np.array([0.2]), np.array([0.1])
    np.testing.assert_allclose(gen.call("k", q=q, x=x).ravel(), 40.0 * (x - q[7]), rtol=RTOL)
    np.testing.assert_allclose(gen.call("d", dq=dq, dx=dx).ravel(), 0.3 * (dx - dq[7]), rtol=RTOL)
    link = gen.call("sea_link_torque", q=q, dq=dq, ddq=np.zeros(8), x=x, dx=dx).ravel()
    rigid = gen.call("C", q=q, dq=dq) @ dq + gen.call("G", q=q).ravel()
    np.testing.assert_allclose(link[:7], rigid[:7], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(link[7], rigid[7] - 40.0 * (x[0] - q[7]) - 0.3 * (dx[0] - dq[7]), rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# Coulomb friction: an explicit model of its own (dc, par_Dc), dl keeps thunder's meaning.

DC = [0.7, 0.5, 0.3]


def coulomb_robot(tmp_path, extra="coulomb_friction: true", with_dc=True):
    p = tmp_path / "coulomb.yaml"
    p.write_text(robot_text(["R", "R", "P"], Dl=DL[:3, :2], extra=extra, Dc=DC if with_dc else None))
    return p


def test_coulomb_model_from_the_file(tmp_path, generate):
    gen = generate(coulomb_robot(tmp_path))
    dq = np.array([-0.8, 0.0, 1.2])
    np.testing.assert_array_equal(gen.call("dc", dq=dq).ravel(), np.array(DC) * np.sign(dq))
    np.testing.assert_array_equal(gen.call("reg_dc", dq=dq), np.diag(np.sign(dq)))
    assert gen.param("par_Dc")["elements"] == ["link1.Dc", "link2.Dc", "link3.Dc"]
    # dl stays thunder's viscous + |v| v terms: Coulomb is not folded into it
    np.testing.assert_allclose(gen.call("dl", dq=dq).ravel(), DL[:3, 0] * dq + DL[:3, 1] * np.abs(dq) * dq, rtol=RTOL)


def test_coulomb_smoothing_option(tmp_path, generate):
    gen = generate(coulomb_robot(tmp_path), "--coulomb-smoothing", "0.05")
    dq = np.array([-0.01, 0.0, 0.2])
    np.testing.assert_allclose(gen.call("dc", dq=dq).ravel(), np.array(DC) * np.tanh(dq / 0.05), rtol=RTOL)


def test_coulomb_option_without_coefficients_identifies_them(tmp_path, generate):
    p = tmp_path / "plain.yaml"
    p.write_text(robot_text(["R", "R"], Dl=DL[:2, :1]))
    gen = generate(p, "--coulomb", "--symb", "Dc")
    assert gen.param("par_Dc")["values"] == [0.0, 0.0]
    assert [i["name"] for i in gen.entry("dc")["inputs"]] == ["dq", "par_Dc"]
    assert "dc" not in generate(p).names()  # off unless asked for


def test_coulomb_in_file_needs_every_coefficient(tmp_path):
    p = coulomb_robot(tmp_path, with_dc=False)
    proc = run_thunder("check", p, check=False)
    assert proc.returncode == 1
    assert "dynamics.link1.friction.Dc: missing required key 'Dc'" in proc.stderr


def test_coulomb_smoothing_must_be_non_negative(tmp_path):
    p = coulomb_robot(tmp_path, extra="coulomb_friction: true\ncoulomb_smoothing: -0.1")
    proc = run_thunder("check", p, check=False)
    assert proc.returncode == 1 and f"{p}:6: coulomb_smoothing: expected a number >= 0" in proc.stderr


def test_coulomb_smoothing_option_checks_its_value_and_implies_coulomb(tmp_path, generate):
    p = tmp_path / "plain.yaml"
    p.write_text(robot_text(["R"], Dl=DL[:1, :1]))
    proc = run_thunder("gen", p, "-o", tmp_path / "out", "--coulomb-smoothing", "-1", check=False)
    assert proc.returncode == 2 and "--coulomb-smoothing: expected a number >= 0" in proc.stderr
    gen = generate(p, "--coulomb-smoothing", "0.1", "--symb", "Dc")
    np.testing.assert_allclose(gen.call("dc", dq=[0.05], params={"par_Dc": [2.0]}).ravel(), 2.0 * np.tanh(0.5),
                               rtol=RTOL)
