"""The DH Panda (robots/franka.yaml) against the Robotics Toolbox for Python.

The toolbox robot is built from franka.yaml's numbers (read with PyYAML): the toolbox's own DH
Panda differs in one inertial parameter (see rtb_panda). Tolerance: both sides evaluate exact closed forms in
float64, so they agree to rounding; 1e-9 relative leaves room for the different operation order.
"""
import numpy as np
import pytest
import yaml

from conftest import ROBOTS

rtb = pytest.importorskip("roboticstoolbox")

N_STATES = 20
RTOL = 1e-9


def franka_yaml():
    return yaml.safe_load((ROBOTS / "franka.yaml").read_text())


def yaml_links(cfg):
    dh = np.array(cfg["kinematics"]["DH"], dtype=float).reshape(-1, 4)
    for k, row in enumerate(dh):
        inertial = cfg["dynamics"][f"link{k + 1}"]["inertial"]
        I = np.array([[inertial["Ixx"], inertial["Ixy"], inertial["Ixz"]],
                      [inertial["Ixy"], inertial["Iyy"], inertial["Iyz"]],
                      [inertial["Ixz"], inertial["Iyz"], inertial["Izz"]]])
        yield row, inertial["mass"], [inertial["CoM_x"], inertial["CoM_y"], inertial["CoM_z"]], I


@pytest.fixture(scope="module")
def rtb_panda():
    """A toolbox DH robot built from franka.yaml's numbers.

    The toolbox's own `models.DH.Panda` has the same DH table and inertias but puts link 1's
    centre of mass at z = 0 where franka.yaml (Gaz et al.) has -0.04762, so it is checked to be
    the same kinematics and then rebuilt from the YAML numbers for the dynamics."""
    cfg = franka_yaml()
    reference = rtb.models.DH.Panda()
    links = []
    for (row, m, r, I), ref_link in zip(yaml_links(cfg), reference.links):
        assert [ref_link.a, ref_link.alpha, ref_link.d, ref_link.offset] == pytest.approx(row, abs=1e-15)
        links.append(rtb.RevoluteMDH(a=row[0], alpha=row[1], d=row[2], offset=row[3], m=m, r=r, I=I,
                                     Jm=0.0, B=0.0, Tc=[0.0, 0.0], G=1.0))
    return rtb.DHRobot(links, gravity=cfg["gravity"]["value"], name="panda_yaml")


@pytest.fixture(scope="module")
def panda(generate):
    return generate(ROBOTS / "franka.yaml")


def close(actual, expected):
    actual, expected = np.asarray(actual, float), np.asarray(expected, float)
    scale = max(1.0, np.max(np.abs(expected)))
    np.testing.assert_allclose(actual, expected, rtol=0, atol=RTOL * scale)


def states(seed=0):
    rng = np.random.default_rng(seed)
    for _ in range(N_STATES):
        yield rng.uniform(-2.5, 2.5, 7), rng.uniform(-2, 2, 7), rng.uniform(-3, 3, 7)


def test_mass_matrix(panda, rtb_panda):
    for q, _, _ in states(1):
        close(panda["M"](q), rtb_panda.inertia(q))


def test_coriolis_times_velocity(panda, rtb_panda):
    for q, dq, _ in states(2):
        close(np.array(panda["C"](q, dq)) @ dq, rtb_panda.coriolis(q, dq) @ dq)


def test_gravity(panda, rtb_panda):
    for q, _, _ in states(3):
        close(np.array(panda["G"](q)).ravel(), rtb_panda.gravload(q))


def test_inverse_dynamics(panda, rtb_panda):
    for q, dq, ddq in states(4):
        close(np.array(panda["tau"](q, dq, ddq)).ravel(), rtb_panda.rne(q, dq, ddq))


def test_forward_kinematics(panda, rtb_panda):
    for q, _, _ in states(5):
        close(panda["T_0_ee"](q), rtb_panda.fkine(q).A)
        frames = panda["T_0_i"](q)
        for k, T in enumerate(frames):
            close(T, rtb_panda.A(k, q).A)


def test_jacobian(panda, rtb_panda):
    for q, _, _ in states(6):
        close(panda["J_ee"](q), rtb_panda.jacob0(q))
