"""Prismatic joints, non-zero DH offsets and general joint axes, on robots made up for the test.

- A DH R-R-P-R chain with theta offsets and a symbolic-free base/EE pose against the Robotics
  Toolbox (RevoluteMDH / PrismaticMDH);
- a URDF chain with a prismatic joint, tilted and negative axes, rotated joint origins and a
  fixed joint mid-chain, against Pinocchio.
Both references are exact in float64; 1e-9 relative covers operation order.
"""
import numpy as np
import pytest
import yaml

from conftest import ROBOTS

rtb = pytest.importorskip("roboticstoolbox")
pin = pytest.importorskip("pinocchio")


def close(a, b, rtol=1e-9):
    a, b = np.asarray(a, float), np.asarray(b, float)
    np.testing.assert_allclose(a, b, rtol=0, atol=rtol * max(1.0, np.abs(b).max()))


RRPR_DH = [[0.0, 0.0, 0.4, 0.3],
           [0.1, -np.pi / 2, 0.0, -0.5],
           [0.2, np.pi / 2, 0.3, 0.2],
           [0.0, np.pi / 3, 0.1, 0.0]]
TYPES = ["R", "R", "P", "R"]


def inertial(k):
    rng = np.random.default_rng(k)
    A = rng.normal(size=(3, 3))
    I = A @ A.T * 0.05 + 0.02 * np.eye(3)
    c = rng.uniform(-0.1, 0.1, 3)
    return float(rng.uniform(0.5, 2)), c, I


@pytest.fixture(scope="module")
def rrpr(tmp_path_factory, generate):
    cfg = yaml.safe_load((ROBOTS / "RRR.yaml").read_text())
    cfg["num_joints"] = 4
    cfg["type_joints"] = TYPES
    cfg["kinematics"] = {"symb": [0] * 16, "DH": [x for row in RRPR_DH for x in row]}
    cfg["Base_to_L0"] = {"symb": [0] * 6, "tr": [0.1, 0.2, 0.3], "ypr": [0.3, -0.2, 0.1]}
    cfg["Ln_to_EE"] = {"symb": [0] * 6, "tr": [0.05, 0.0, 0.12], "ypr": [0.0, 0.4, 0.0]}
    cfg["dynamics"] = {}
    for k in range(4):
        m, c, I = inertial(k)
        cfg["dynamics"][f"link{k + 1}"] = {"inertial": {
            "symb": [0] * 10, "mass": m, "CoM_x": float(c[0]), "CoM_y": float(c[1]), "CoM_z": float(c[2]),
            "Ixx": float(I[0, 0]), "Ixy": float(I[0, 1]), "Ixz": float(I[0, 2]),
            "Iyy": float(I[1, 1]), "Iyz": float(I[1, 2]), "Izz": float(I[2, 2])}}
    path = tmp_path_factory.mktemp("robots") / "RRPR.yaml"
    path.write_text(yaml.safe_dump(cfg))
    gen = generate(path)
    links = []
    for (a, alpha, d, theta), kind, k in zip(RRPR_DH, TYPES, range(4)):
        m, c, I = inertial(k)
        common = dict(a=a, alpha=alpha, m=m, r=c, I=I, Jm=0.0, B=0.0, Tc=[0.0, 0.0], G=1.0)
        links.append(rtb.RevoluteMDH(d=d, offset=theta, **common) if kind == "R"
                     else rtb.PrismaticMDH(theta=theta, offset=d, **common))
    from spatialmath import SE3
    base = SE3(0.1, 0.2, 0.3) * SE3.Rz(0.3) * SE3.Ry(-0.2) * SE3.Rx(0.1)
    tool = SE3(0.05, 0.0, 0.12) * SE3.Ry(0.4)
    robot = rtb.DHRobot(links, gravity=[0, 0, -9.81], base=base, tool=tool)
    return gen, robot


def test_dh_prismatic_and_offsets_vs_robotics_toolbox(rrpr):
    gen, robot = rrpr
    rng = np.random.default_rng(0)
    for _ in range(10):
        q, dq, ddq = rng.uniform(-1.5, 1.5, 4), rng.uniform(-1, 1, 4), rng.uniform(-2, 2, 4)
        close(gen["T_0_ee"](q), robot.fkine(q).A)
        close(gen["J_ee"](q), robot.jacob0(q))
        close(gen["M"](q), robot.inertia(q))
        close(np.array(gen["G"](q)).ravel(), robot.gravload(q))
        close(np.array(gen["C"](q, dq)) @ dq, robot.coriolis(q, dq) @ dq)
        close(np.array(gen["tau"](q, dq, ddq)).ravel(), robot.rne(q, dq, ddq))


URDF = """<robot name="odd">
  <link name="base"/>
  {links}
  <joint name="j1" type="revolute"><parent link="base"/><child link="l1"/>
    <origin xyz="0 0 0.2" rpy="0.1 0 0.3"/><axis xyz="0 0 1"/><limit lower="-3" upper="3" effort="1" velocity="1"/></joint>
  <joint name="j2" type="revolute"><parent link="l1"/><child link="l2"/>
    <origin xyz="0.1 0.05 0.1" rpy="-1.2 0.4 0"/><axis xyz="0 -1 0"/><limit lower="-3" upper="3" effort="1" velocity="1"/></joint>
  <joint name="fixed_mid" type="fixed"><parent link="l2"/><child link="l2b"/>
    <origin xyz="0.2 0 0.05" rpy="0 0.3 -0.2"/></joint>
  <joint name="j3" type="prismatic"><parent link="l2b"/><child link="l3"/>
    <origin xyz="0 0.1 0" rpy="0.5 0 0"/><axis xyz="1 1 0"/><limit lower="-1" upper="1" effort="1" velocity="1"/></joint>
  <joint name="j4" type="continuous"><parent link="l3"/><child link="l4"/>
    <origin xyz="0.05 0 0.1" rpy="0 0 0"/><axis xyz="0.3 -0.4 0.866"/></joint>
</robot>"""


def urdf_link(name, k):
    m, c, I = inertial(10 + k)
    return (f'<link name="{name}"><inertial><origin xyz="{c[0]} {c[1]} {c[2]}" rpy="0.2 -0.1 0.3"/>'
            f'<mass value="{m}"/><inertia ixx="{I[0, 0]}" ixy="{I[0, 1]}" ixz="{I[0, 2]}" iyy="{I[1, 1]}" '
            f'iyz="{I[1, 2]}" izz="{I[2, 2]}"/></inertial></link>')


@pytest.fixture(scope="module")
def odd_urdf(tmp_path_factory, generate):
    links = "\n  ".join(urdf_link(n, k) for k, n in enumerate(["l1", "l2", "l2b", "l3", "l4"]))
    path = tmp_path_factory.mktemp("robots") / "odd.urdf"
    path.write_text(URDF.format(links=links))
    model = pin.buildModelFromUrdf(str(path))
    return generate(path), model


def test_urdf_prismatic_and_general_axes_vs_pinocchio(odd_urdf):
    gen, model = odd_urdf
    data = model.createData()
    rng = np.random.default_rng(1)
    for _ in range(10):
        q, dq, ddq = rng.uniform(-1.5, 1.5, 4), rng.uniform(-1, 1, 4), rng.uniform(-2, 2, 4)
        q_ours, q = q, pin.integrate(model, pin.neutral(model), q)  # continuous joint: (cos, sin)
        pin.forwardKinematics(model, data, q)
        for k, T in enumerate(gen["T_0_i"](q_ours)):
            close(T, data.oMi[k + 1].homogeneous)
        M = pin.crba(model, data, q)
        close(gen["M"](q_ours), np.triu(M) + np.triu(M, 1).T)
        close(gen["C"](q_ours, dq), pin.computeCoriolisMatrix(model, data, q, dq))
        close(np.array(gen["G"](q_ours)).ravel(), pin.computeGeneralizedGravity(model, data, q))
        close(np.array(gen["tau"](q_ours, dq, ddq)).ravel(), pin.rnea(model, data, q, dq, ddq))
