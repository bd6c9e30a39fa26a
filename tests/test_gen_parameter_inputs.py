"""Parameters that reach the generated functions from the command line: `--symb` of the kinematic
and gravity sets, `--symb origins` on a URDF robot (with its kinematic regressors), and `--par`
inertial files. Each is evaluated at values other than the file's, against a reference built
here from those values: Pinocchio on a URDF written with them, the numpy kinematics of
spec_helpers on a modified spec, the Robotics Toolbox on the DH Panda.
Tolerances: both sides exact in float64 (1e-9 relative covers operation order); central
differences with step 1e-6 agree to ~1e-9.
"""
import copy

import numpy as np
import pytest
import yaml

from conftest import ROBOTS, run_thunder
from spec_helpers import forward_kinematics, gravity_torques, spec_json

pin = pytest.importorskip("pinocchio")


def close(actual, expected, rtol=1e-9):
    actual, expected = np.asarray(actual, float), np.asarray(expected, float)
    np.testing.assert_allclose(actual, expected, rtol=0, atol=rtol * max(1.0, np.abs(expected).max()))


# --- a URDF chain with symbolic joint origins

ORIGINS = [[0.0, 0.0, 0.2, 0.1, 0.0, 0.3], [0.1, 0.05, 0.1, -1.2, 0.4, 0.0],
           [0.2, 0.0, 0.05, 0.0, 0.3, -0.2], [0.05, 0.1, 0.1, 0.5, 0.0, 0.0]]
AXES = ["0 0 1", "0 -1 0", "1 1 0", "0.3 -0.4 0.866"]
KINDS = ["revolute", "revolute", "prismatic", "revolute"]


def chain_urdf(origins):
    rng = np.random.default_rng(3)
    parts = ['<robot name="orig">', '<link name="base"/>']
    for k, (o, axis, kind) in enumerate(zip(origins, AXES, KINDS)):
        A = rng.normal(size=(3, 3))
        I = A @ A.T * 0.05 + 0.02 * np.eye(3)
        c = rng.uniform(-0.1, 0.1, 3)
        parts.append(f'<link name="l{k}"><inertial><origin xyz="{c[0]} {c[1]} {c[2]}"/><mass value="{1 + k}"/>'
                     f'<inertia ixx="{I[0, 0]}" ixy="{I[0, 1]}" ixz="{I[0, 2]}" iyy="{I[1, 1]}" iyz="{I[1, 2]}" '
                     f'izz="{I[2, 2]}"/></inertial></link>')
        parent = "base" if k == 0 else f"l{k - 1}"
        parts.append(f'<joint name="j{k}" type="{kind}"><parent link="{parent}"/><child link="l{k}"/>'
                     f'<origin xyz="{o[0]} {o[1]} {o[2]}" rpy="{o[3]} {o[4]} {o[5]}"/><axis xyz="{axis}"/>'
                     '<limit lower="-3" upper="3" effort="1" velocity="1"/></joint>')
    return "\n".join(parts + ["</robot>"])


@pytest.fixture(scope="module")
def urdf_origins(tmp_path_factory, generate):
    path = tmp_path_factory.mktemp("robots") / "orig.urdf"
    path.write_text(chain_urdf(ORIGINS))
    return generate(path, "--symb", "origins"), tmp_path_factory.mktemp("moved")


def test_symbolic_urdf_origins_move_the_robot(urdf_origins):
    """At origins other than the file's, T_0_ee, J_ee, M and G equal Pinocchio's model of a URDF
    written with those origins."""
    gen, tmp = urdf_origins
    p = gen.param("par_origins")
    # a URDF's own joint names, thunder's index names as aliases
    assert p["elements"][:6] == ["j0.x", "j0.y", "j0.z", "j0.roll", "j0.pitch", "j0.yaw"]
    assert p["aliases"][:6] == ["joint1.x", "joint1.y", "joint1.z", "joint1.roll", "joint1.pitch", "joint1.yaw"]
    assert all(p["symbolic"]) and len(p["values"]) == 24
    close(p["values"], np.ravel(ORIGINS), 1e-15)
    rng = np.random.default_rng(0)
    for trial in range(2):
        moved = np.array(ORIGINS) + rng.uniform(-0.1, 0.1, (4, 6))
        urdf = tmp / f"moved{trial}.urdf"
        urdf.write_text(chain_urdf(moved))
        model = pin.buildModelFromUrdf(str(urdf))
        data = model.createData()
        params = {"par_origins": moved.ravel()}
        for _ in range(3):
            q = rng.uniform(-1.5, 1.5, 4)
            pin.forwardKinematics(model, data, q)
            pin.computeJointJacobians(model, data, q)
            close(gen.call("T_0_ee", params=params, q=q), data.oMi[4].homogeneous)
            close(gen.call("J_ee", params=params, q=q), pin.getJointJacobian(model, data, 4, pin.LOCAL_WORLD_ALIGNED))
            M = pin.crba(model, data, q)
            close(gen.call("M", params=params, q=q), np.triu(M) + np.triu(M, 1).T)
            close(np.ravel(gen.call("G", params=params, q=q)), pin.computeGeneralizedGravity(model, data, q))


def test_urdf_origin_regressors_are_parameter_derivatives(urdf_origins):
    """reg_Jdq = d(J_ee dq)/d par_origins and reg_JTw = d(J_ee' w)/d par_origins by central
    differences of J_ee (step 1e-6)."""
    gen, _ = urdf_origins
    rng = np.random.default_rng(1)
    q, dq, w = rng.uniform(-1, 1, 4), rng.uniform(-1, 1, 4), rng.uniform(-1, 1, 6)
    full = np.array(gen.param("par_origins")["values"])
    h = 1e-6
    cols_Jdq, cols_JTw = [], []
    for i in range(len(full)):
        e = np.zeros_like(full)
        e[i] = h
        Jp = np.array(gen.call("J_ee", params={"par_origins": full + e}, q=q))
        Jm = np.array(gen.call("J_ee", params={"par_origins": full - e}, q=q))
        cols_Jdq.append((Jp - Jm) @ dq / (2 * h))
        cols_JTw.append((Jp - Jm).T @ w / (2 * h))
    np.testing.assert_allclose(gen.call("reg_Jdq", q=q, dq=dq), np.stack(cols_Jdq, 1), atol=1e-8)
    np.testing.assert_allclose(gen.call("reg_JTw", q=q, w=w), np.stack(cols_JTw, 1), atol=1e-8)


# --- thunder YAML: kinematic and gravity sets from the command line

def test_cli_symbolic_kinematics_and_gravity(generate):
    """`--symb DHtable,world2L0,Ln2EE,gravity` makes every element an input; at changed values
    T_0_ee and G equal spec_helpers' numpy kinematics and potential-energy gradient of the spec
    with the same changes."""
    gen = generate(ROBOTS / "franka.yaml", "--symb", "DHtable,world2L0,Ln2EE,gravity")
    spec = spec_json(ROBOTS / "franka.yaml")
    sets = {"par_DHtable": 28, "par_world2L0": 6, "par_Ln2EE": 6, "par_gravity": 3}
    for name, size in sets.items():
        p = gen.param(name)
        assert len(p["values"]) == size and all(p["symbolic"]), name
    assert {i["name"] for i in gen.entry("G")["inputs"] if i["param"]} >= {"par_DHtable", "par_world2L0", "par_gravity"}
    rng = np.random.default_rng(2)
    for _ in range(3):
        changed = copy.deepcopy(spec)
        params = {}
        dh = np.array(gen.param("par_DHtable")["values"]) + rng.uniform(-0.05, 0.05, 28)
        for j, joint in enumerate(changed["joints"]):
            for k in range(4):
                joint["dh"][k]["value"] = dh[4 * j + k]
        params["par_DHtable"] = dh
        for name, key in (("par_world2L0", "base"), ("par_Ln2EE", "ee")):
            v = np.array(gen.param(name)["values"]) + rng.uniform(-0.3, 0.3, 6)
            for k in range(3):
                changed[key]["tr"][k]["value"] = v[k]
                changed[key]["ypr"][k]["value"] = v[3 + k]
            params[name] = v
        g = rng.uniform(-10, 10, 3)
        for k in range(3):
            changed["gravity"][k]["value"] = g[k]
        params["par_gravity"] = g
        q = rng.uniform(-2, 2, 7)
        _, T_ee = forward_kinematics(changed, q)
        close(gen.call("T_0_ee", params=params, q=q), T_ee)
        close(np.ravel(gen.call("G", params=params, q=q)), gravity_torques(changed, q))


# --- --par inertial files

def test_par_file_changes_the_generated_dynamics(tmp_path, generate):
    """franka.yaml with an inertial file whose masses, centres of mass and inertias differ from
    the robot file's: M and G equal the Robotics Toolbox's DH Panda built from the file's
    numbers (read here with PyYAML)."""
    rtb = pytest.importorskip("roboticstoolbox")
    par = yaml.safe_load((ROBOTS / "franka_inertial.yaml").read_text())
    rng = np.random.default_rng(4)
    for k in range(1, 8):
        body = par[f"link{k}"]
        body["mass"] = float(body["mass"] * rng.uniform(0.5, 1.5))
        body["origin"]["xyz"] = [float(x + rng.uniform(-0.05, 0.05)) for x in body["origin"]["xyz"]]
        body["origin"]["rpy"] = [0.0, 0.0, 0.0]
        for key in ("xx", "yy", "zz"):
            body["inertia"][key] = float(body["inertia"][key] * rng.uniform(1.0, 1.5))
    path = tmp_path / "changed_inertial.yaml"
    path.write_text(yaml.safe_dump(par))
    gen = generate(ROBOTS / "franka.yaml", "--par", path)
    cfg = yaml.safe_load((ROBOTS / "franka.yaml").read_text())
    dh = np.array(cfg["kinematics"]["DH"], dtype=float).reshape(7, 4)
    links = []
    for k, (a, alpha, d, theta) in enumerate(dh):
        b = par[f"link{k + 1}"]
        i = b["inertia"]
        I = [[i["xx"], i["xy"], i["xz"]], [i["xy"], i["yy"], i["yz"]], [i["xz"], i["yz"], i["zz"]]]
        links.append(rtb.RevoluteMDH(a=a, alpha=alpha, d=d, offset=theta, m=b["mass"], r=b["origin"]["xyz"], I=I,
                                     Jm=0.0, B=0.0, Tc=[0.0, 0.0], G=1.0))
    panda = rtb.DHRobot(links, gravity=cfg["gravity"]["value"])
    default = generate(ROBOTS / "franka.yaml")
    for _ in range(3):
        q = rng.uniform(-2, 2, 7)
        close(gen.call("M", q=q), panda.inertia(q))
        close(np.ravel(gen.call("G", q=q)), panda.gravload(q))
        # and the file did change them
        assert np.abs(np.array(gen.call("M", q=q)) - np.array(default.call("M", q=q))).max() > 1e-3
