"""Random URDF kinematic trees for tests (Pinocchio unittest/crba.cpp's idea: check the
algorithms on structures nobody wrote by hand).

`random_tree_urdf(seed, n)` writes a tree of n movable joints (revolute, continuous and prismatic,
axes along x/y/z or tilted, either sign) whose parents are drawn at random, with random origins,
physically consistent inertias, fixed joints with bodies of their own in between, massless leaf
frames, and optionally a mimic joint and a floating world joint."""
import numpy as np


def _inertia(rng):
    """A physically consistent inertia: principal moments satisfying the triangle inequality,
    rotated by a random rotation."""
    a, b = rng.uniform(0.01, 0.1, 2)
    moments = np.array([a, b, rng.uniform(abs(a - b) + 1e-3, a + b)])
    Q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    I = Q @ np.diag(moments) @ Q.T
    return I


def _link(name, rng, mass=True):
    if not mass:
        return f'  <link name="{name}"/>\n'
    m = rng.uniform(0.2, 2.0)
    c = rng.uniform(-0.1, 0.1, 3)
    rpy = rng.uniform(-np.pi, np.pi, 3)
    I = _inertia(rng)
    return (f'  <link name="{name}">\n    <inertial>\n'
            f'      <origin xyz="{c[0]:.17g} {c[1]:.17g} {c[2]:.17g}" rpy="{rpy[0]:.17g} {rpy[1]:.17g} {rpy[2]:.17g}"/>\n'
            f'      <mass value="{m:.17g}"/>\n'
            f'      <inertia ixx="{I[0, 0]:.17g}" ixy="{I[0, 1]:.17g}" ixz="{I[0, 2]:.17g}" '
            f'iyy="{I[1, 1]:.17g}" iyz="{I[1, 2]:.17g}" izz="{I[2, 2]:.17g}"/>\n'
            f'    </inertial>\n  </link>\n')


def _joint(name, jtype, parent, child, rng, axis=None, mimic=None):
    xyz = rng.uniform(-0.3, 0.3, 3)
    rpy = rng.uniform(-np.pi, np.pi, 3)
    body = f'    <origin xyz="{xyz[0]:.17g} {xyz[1]:.17g} {xyz[2]:.17g}" rpy="{rpy[0]:.17g} {rpy[1]:.17g} {rpy[2]:.17g}"/>\n'
    body += f'    <parent link="{parent}"/>\n    <child link="{child}"/>\n'
    if axis is not None:
        body += f'    <axis xyz="{axis[0]:.17g} {axis[1]:.17g} {axis[2]:.17g}"/>\n'
    if jtype in ("revolute", "prismatic"):
        body += '    <limit lower="-3" upper="3" effort="1" velocity="1"/>\n'
    if mimic:
        body += f'    <mimic joint="{mimic[0]}" multiplier="{mimic[1]:.17g}" offset="{mimic[2]:.17g}"/>\n'
    return f'  <joint name="{name}" type="{jtype}">\n{body}  </joint>\n'


def random_tree_urdf(path, seed, n=6, floating=False, mimic=False):
    """Writes the URDF to `path`; returns the names of its movable joints in file order."""
    rng = np.random.default_rng(seed)
    parts = []
    if floating:
        parts.append('  <link name="world"/>\n')
        parts.append(f'  <joint name="free" type="floating">\n    <parent link="world"/>\n'
                     f'    <child link="base"/>\n  </joint>\n')
    parts.append(_link("base", rng))
    links = ["base"]
    movable, types = [], []
    for i in range(n):
        parent = links[rng.integers(len(links))]
        # Sometimes a fixed joint first: a body merged into its parent, plus a frame.
        if rng.uniform() < 0.3:
            mid = f"fixed{i}"
            parts.append(_link(mid, rng))
            parts.append(_joint(f"fix{i}", "fixed", parent, mid, rng))
            parent = mid
        child = f"l{i}"
        parts.append(_link(child, rng))
        jtype = rng.choice(["revolute", "continuous", "prismatic"], p=[0.5, 0.2, 0.3])
        if rng.uniform() < 0.5:
            axis = np.zeros(3)
            axis[rng.integers(3)] = rng.choice([-1.0, 1.0])
        else:
            axis = rng.normal(size=3)
            axis /= np.linalg.norm(axis)
        mim = None
        if mimic and movable and i == n - 1:  # the last joint follows the first, of its type
            mim = (movable[0], rng.uniform(-2, 2), rng.uniform(-0.5, 0.5))
            jtype = "revolute" if types[0] == "continuous" else types[0]
        # A joint name order that differs from file order exercises Pinocchio's ordering.
        name = f"j{(7 * i) % n}_{i}"
        parts.append(_joint(name, jtype, parent, child, rng, axis, mim))
        movable.append(name)
        types.append(jtype)
        links.append(child)
        if rng.uniform() < 0.3:  # a massless leaf frame (a tool tip, a sensor)
            tip = f"tip{i}"
            parts.append(_link(tip, rng, mass=False))
            parts.append(_joint(f"tipj{i}", "fixed", child, tip, rng))
    text = '<?xml version="1.0"?>\n<robot name="random_tree">\n' + "".join(parts) + "</robot>\n"
    path.write_text(text)
    return movable
