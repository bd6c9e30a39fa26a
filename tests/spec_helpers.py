"""Helpers for RobotSpec tests: the spec as JSON from `thunder check ROBOT --json`, and a tiny
numpy evaluator of its kinematics (independent of the C++ model builder)."""
import json
import subprocess

import numpy as np

from conftest import HANG_GUARD, thunder_bin


def spec_check(path, *args):
    """Runs `thunder check PATH --json ARGS...`; returns the CompletedProcess (never raises)."""
    return subprocess.run([thunder_bin(), "check", str(path), "--json", *map(str, args)],
                          capture_output=True, text=True, timeout=HANG_GUARD)


def spec_json(path, *args):
    """The loaded RobotSpec of PATH as a dict (schema of `thunder check --json`)."""
    proc = spec_check(path, *args)
    if proc.returncode != 0:
        raise AssertionError(f"thunder check {path} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return json.loads(proc.stdout)


def values(scalars):
    """[S, S, ...] -> numpy array of their values."""
    return np.array([s["value"] for s in scalars], dtype=float)


def rot_x(a):
    c, s = np.cos(a), np.sin(a)
    return np.array([[1, 0, 0], [0, c, -s], [0, s, c]])


def rot_y(a):
    c, s = np.cos(a), np.sin(a)
    return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])


def rot_z(a):
    c, s = np.cos(a), np.sin(a)
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])


def rpy_matrix(roll, pitch, yaw):
    """R = Rz(yaw) Ry(pitch) Rx(roll)."""
    return rot_z(yaw) @ rot_y(pitch) @ rot_x(roll)


def homogeneous(R=np.eye(3), p=np.zeros(3)):
    T = np.eye(4)
    T[:3, :3] = R
    T[:3, 3] = p
    return T


def axis_angle(axis, angle):
    """Rodrigues: rotation by `angle` about the unit vector `axis`."""
    k = np.asarray(axis, dtype=float)
    K = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + np.sin(angle) * K + (1 - np.cos(angle)) * K @ K


def pose_matrix(pose):
    """{"tr": [S]*3, "ypr": [S]*3} -> 4x4."""
    yaw, pitch, roll = values(pose["ypr"])
    return homogeneous(rpy_matrix(roll, pitch, yaw), values(pose["tr"]))


def joint_motion(joint, q):
    """The fixed origin of a joint followed by its motion by q (4x4, parent link -> child link)."""
    if joint["origin"] == "xyz_rpy":
        O = homogeneous(rpy_matrix(*values(joint["rpy"])), values(joint["xyz"]))
        axis = np.array(joint["axis"], dtype=float)
        M = homogeneous(axis_angle(axis, q)) if joint["type"] == "R" else homogeneous(p=axis * q)
        return O @ M
    a, alpha, d, theta = values(joint["dh"])  # modified DH: Tx(a) Rx(alpha) Tz(d) Rz(theta)
    if joint["type"] == "R":
        theta += q
    else:
        d += q
    return homogeneous(p=[a, 0, 0]) @ homogeneous(rot_x(alpha)) @ homogeneous(p=[0, 0, d]) @ homogeneous(rot_z(theta))


def parent(spec, i):
    """λ(i) of joint i (-1: the base); a spec of a serial chain may omit it."""
    return spec["joints"][i].get("parent", i - 1)


def forward_kinematics(spec, q):
    """World poses (4x4) of the body frames 1..n (one joint value each, in spec joint order) and
    of the end effector (None without one): (list, T_ee)."""
    base = pose_matrix(spec["base"])
    frames = []
    for i, (joint, qi) in enumerate(zip(spec["joints"], q)):
        T = frames[parent(spec, i)] if parent(spec, i) >= 0 else base
        frames.append(T @ joint_motion(joint, qi))
    if not spec.get("has_ee", True):
        return frames, None
    return frames, frames[spec.get("ee_body", len(frames) - 1)] @ pose_matrix(spec["ee"])


def supports(spec, j, i):
    """Whether joint j is body i's joint or one of its ancestors."""
    while i >= 0:
        if i == j:
            return True
        i = parent(spec, i)
    return False


def link_inertia(link):
    """(mass, CoM (3,), inertia about the CoM (3, 3)) of a spec link, in its link frame."""
    ixx, ixy, ixz, iyy, iyz, izz = values(link["inertia"])
    I = np.array([[ixx, ixy, ixz], [ixy, iyy, iyz], [ixz, iyz, izz]])
    return link["mass"]["value"], values(link["com"]), I


def gravity_torques(spec, q):
    """G(q) = dU/dq from the spec alone: G_i = -sum over the subtree k of i of m_k g . d p_ck / d q_i
    (one value per spec joint: no mimic joints)."""
    g = values(spec["gravity"])
    frames, _ = forward_kinematics(spec, q)
    n = len(q)
    G = np.zeros(n)
    for i in range(n):
        T = frames[i]
        axis = T[:3, :3] @ np.array(spec["joints"][i]["axis"], dtype=float)
        for k in range(i, n):
            if not supports(spec, i, k):
                continue
            m, c, _ = link_inertia(spec["links"][k])
            pc = frames[k][:3, :3] @ c + frames[k][:3, 3]
            dp = np.cross(axis, pc - T[:3, 3]) if spec["joints"][i]["type"] == "R" else axis
            G[i] -= m * g @ dp
    return G
