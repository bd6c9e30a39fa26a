"""thunder_dynamics 1.0 robot files (../shared/thunder_configs_v1/) load unchanged and mean what
thunder_dynamics 1.0 documents (docs/plugins/*_loader_plugin.md of CentroEPiaggio/thunder_dynamics).

The reference is written here from the files' numbers and the documented conventions, not from
Thunder's reader: a Pinocchio model built node by node ("node i = the body attached to frame
parent(i) + the joint after it", T_i = X_i T_joint(q_i); rpy = [r, p, y] is Rx Ry Rz, ypr = [y, p, r]
is Rz Ry Rx; DH rows are modified DH Tx(a) Rx(alpha) Tz(d) Rz(theta); dh_loader's nodes are base,
link0..link<n-1> (the joints), link<n> (identity) and the end effector). URDF-based files are
compared with Pinocchio on the same URDF, cut to the base_link -> ee_link path as urdf_loader does.
Both sides are exact in float64: tolerances are 1e-9 relative to the magnitudes involved.
"""
import pathlib
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import yaml

from conftest import ROOT, run_thunder

pin = pytest.importorskip("pinocchio")


def _v1_dir():
    for c in (ROOT.parent / "shared" / "thunder_configs_v1", ROOT.parents[1] / "shared" / "thunder_configs_v1",
              pathlib.Path("/work/shared/thunder_configs_v1")):
        if c.is_dir():
            return c
    return None


V1 = _v1_dir()
pytestmark = pytest.mark.skipif(V1 is None, reason="../shared/thunder_configs_v1 is not there")

TREE_FILES = ["RRR.yaml", "serialRRR.yaml", "treeRRR.yaml", "treeSerialRRR.yaml", "seaRRR.yaml",
              "fixture_testRRR.yaml", "RRR_dh.yaml", "franka_dh.yaml", "debug_franka_dh.yaml", "RRPR.yaml",
              "ahand_finger.yaml", "ahand_thumb.yaml"]
URDF_FILES = ["franka_urdf.yaml", "debug_franka_urdf.yaml", "fixture_franka_urdf.yaml", "dynaarm.yaml",
              "fixture_symbolic_mask_test.yaml", "T1.yaml"]


# ------------------------------------------------------------------ the documented conventions
def rx(a):
    c, s = np.cos(a), np.sin(a)
    return np.array([[1, 0, 0], [0, c, -s], [0, s, c]])


def ry(a):
    c, s = np.cos(a), np.sin(a)
    return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])


def rz(a):
    c, s = np.cos(a), np.sin(a)
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])


def frame(d):
    """A kin_loader frame: xyzrpy, or xyz/tr with rpy (Rx Ry Rz) or ypr (Rz Ry Rx)."""
    if d is None:
        return pin.SE3.Identity()
    if "xyzrpy" in d:
        v = [float(x) for x in d["xyzrpy"]]
        return pin.SE3(rx(v[3]) @ ry(v[4]) @ rz(v[5]), np.array(v[:3]))
    p = np.array([float(x) for x in d.get("xyz", d.get("tr", [0, 0, 0]))])
    R = np.eye(3)
    if "rpy" in d:
        r, pt, y = d["rpy"]
        R = rx(r) @ ry(pt) @ rz(y)
    elif "ypr" in d:
        y, pt, r = d["ypr"]
        R = rz(y) @ ry(pt) @ rx(r)
    return pin.SE3(R, p)


def dh_row(a, alpha, d, theta):
    return pin.SE3(rx(alpha), np.array([a, 0, 0])) * pin.SE3(rz(theta), np.array([0, 0, d]))


def block(cfg, *names):
    for n in names:
        if n in cfg:
            return cfg[n]
    return cfg


def tree_nodes(cfg):
    """[(name, parent, joint_type, axis, X)], world -> root frame, and kin_loader's Ln_to_EE."""
    z = [0, 0, 1]
    loaders = cfg["pipeline"]["loaders"]
    if "dh_loader" in loaders:
        b = cfg["dh_loader"]
        types, vals = b["joints_type"], [float(v) for v in b["DH"]["value"]]
        prefix = b["DH"].get("link_names", "link")
        base, ee = b.get("Base_to_L0"), b.get("Ln_to_EE")
        nodes = [((base or {}).get("name", "base"), "world", "FIXED", z, frame(base))]
        for k, t in enumerate(types):
            nodes.append((f"{prefix}{k}", nodes[-1][0], t, z, dh_row(*vals[4 * k:4 * k + 4])))
        n = len(types)
        nodes.append((f"{prefix}{n}", nodes[-1][0], "FIXED", z, pin.SE3.Identity()))
        nodes.append(((ee or {}).get("name", "ee"), nodes[-1][0], "FIXED", z, frame(ee)))
        return nodes, pin.SE3.Identity(), None
    b = block(cfg, "kin_loader", "kinTree_loader")
    nodes = [(name, d.get("parent", "world"), d.get("joint_type", "FIXED"), d.get("axis", z), frame(d))
             for name, d in b["kinematics"].items()]
    return nodes, frame(b.get("Base_to_L0")), (frame(b["Ln_to_EE"]) if "Ln_to_EE" in b else None)


def inertia(d):
    I = d.get("I")
    if I is None:
        I = [d[k] for k in ("Ixx", "Ixy", "Ixz", "Iyy", "Iyz", "Izz")]
    com = d.get("CoM") or [d["CoM_x"], d["CoM_y"], d["CoM_z"]]
    Ixx, Ixy, Ixz, Iyy, Iyz, Izz = [float(x) for x in I]
    return pin.Inertia(float(d["mass"]), np.array(com, float),
                       np.array([[Ixx, Ixy, Ixz], [Ixy, Iyy, Iyz], [Ixz, Iyz, Izz]]))


class Reference:
    """Pinocchio model of a kin_loader/dh_loader file, written from the documented conventions."""

    def __init__(self, cfg):
        nodes, base, self.ln_to_ee = tree_nodes(cfg)
        self.model = pin.Model()
        self.where = {"world": (0, base)}  # node -> (Pinocchio joint, placement in its frame)
        self.parent = {}
        self.joint_nodes = []
        for name, parent, typ, axis, X in nodes:
            self.parent[name] = parent
            jid, P = self.where[parent]
            if typ == "FIXED":
                self.where[name] = (jid, P * X)
                continue
            ax = np.array(axis, float) / np.linalg.norm(axis)
            jm = pin.JointModelRevoluteUnaligned(ax) if typ[0] == "R" else pin.JointModelPrismaticUnaligned(ax)
            self.where[name] = (self.model.addJoint(jid, jm, P * X, name), pin.SE3.Identity())
            self.joint_nodes.append(name)
        self.chain_end = nodes[-1][0]
        dyn = block(cfg, "dyn_loader", "dynTree_loader")
        dynamics = dyn.get("dynamics", cfg.get("dynamics", {}))
        self.order = int(dyn.get("Dl_order", 0))
        self.Dl = np.zeros((len(self.joint_nodes), self.order))
        for name, d in dynamics.items():
            jid, P = self.where[self.parent[name]]
            if jid > 0 and "inertial" in d:  # a body on the world does not move
                self.model.appendBodyToJoint(jid, inertia(d["inertial"]), P)
            if self.order and "friction" in d and name in self.joint_nodes:  # friction of node i: joint i
                self.Dl[self.joint_nodes.index(name)] = [float(x) for x in d["friction"]["Dl"][:self.order]]
        self.model.gravity.linear = np.array(dyn.get("gravity", {}).get("value", [0, 0, 0]), float)
        self.data = self.model.createData()

    def placement(self, node, q):
        pin.forwardKinematics(self.model, self.data, q)
        jid, P = self.where[node]
        return self.data.oMi[jid] * P

    def jacobian(self, node, q, extra=None):
        """6 x nv, [linear; angular], world-aligned at the frame origin (node frame * extra)."""
        pin.computeJointJacobians(self.model, self.data, q)
        jid, P = self.where[node]
        if extra is not None:
            P = P * extra
        J = pin.getJointJacobian(self.model, self.data, jid, pin.LOCAL_WORLD_ALIGNED).copy()
        r = self.data.oMi[jid].rotation @ P.translation  # joint origin -> frame origin, world axes
        J[:3] -= pin.skew(r) @ J[3:]  # v_p = v_o + w x r
        return J


def friction(Dl, dq):
    """thunder's dl_j = sum_o Dl_{j,o} f_o(dq_j), f_o(v) = v^o (odd o), |v| v^(o-1) (even o)."""
    out = np.zeros(len(dq))
    for j, v in enumerate(dq):
        for o in range(1, Dl.shape[1] + 1):
            out[j] += Dl[j, o - 1] * (v ** o if o % 2 else abs(v) * v ** (o - 1))
    return out


def load_cfg(name):
    return yaml.safe_load((V1 / name).read_text())


@pytest.fixture(scope="module")
def gen(tmp_path_factory):
    cache = {}

    def _gen(name, functions):
        key = (name, tuple(functions))
        if key not in cache:
            out = tmp_path_factory.mktemp("v1") / "out"
            run_thunder("gen", V1 / name, "-o", out, "--targets", "casadi", "-q", "--functions", ",".join(functions))
            from conftest import Generated
            cache[key] = Generated(out)
        return cache[key]

    return _gen


def close(a, b, scale=1.0):
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=1e-9, atol=1e-9 * scale)


@pytest.mark.parametrize("name", TREE_FILES)
def test_tree_file_matches_its_documented_meaning(gen, name):
    cfg = load_cfg(name)
    ref = Reference(cfg)
    serial = all(ref.model.parents[j] == j - 1 for j in range(1, ref.model.njoints))
    functions = ["M", "G", "Cdq"] + (["dl"] if ref.order else [])
    frames = []
    if "dh_loader" not in cfg["pipeline"]["loaders"]:
        kin = block(cfg, "kin_loader", "kinTree_loader")["kinematics"]
        frames = [n for n, d in kin.items() if (d.get("available") or d.get("derivatives"))
                  and not (serial and n == ref.chain_end)]  # a chain's end node is its end effector
    if serial:
        functions += ["T_0_ee", "J_ee"]
    g = gen(name, functions + [f for n in frames for f in (f"T_w_{n}", f"J_{n}")])
    # kin_loader without an end-effector node: Ln_to_EE follows the last joint.
    ee_extra = ref.ln_to_ee if ref.chain_end in ref.joint_nodes and ref.ln_to_ee is not None else pin.SE3.Identity()
    rng = np.random.default_rng(12)
    nv = ref.model.nv
    assert g["M"].size1_in(0) == nv
    for _ in range(4):
        q, dq = rng.uniform(-2, 2, nv), rng.uniform(-2, 2, nv)
        M = pin.crba(ref.model, ref.data, q)
        M = np.triu(M) + np.triu(M, 1).T
        scale = max(1.0, np.abs(M).max())
        close(g.call("M", q=q), M, scale)
        G = pin.computeGeneralizedGravity(ref.model, ref.data, q)
        close(g.call("G", q=q).ravel(), G, max(1.0, np.abs(G).max()))
        Cdq = pin.rnea(ref.model, ref.data, q, dq, np.zeros(nv)) - G
        close(g.call("Cdq", q=q, dq=dq).ravel(), Cdq, max(1.0, np.abs(Cdq).max()))
        if ref.order:
            close(g.call("dl", q=q, dq=dq).ravel(), friction(ref.Dl, dq))
        if serial:
            close(g.call("T_0_ee", q=q), (ref.placement(ref.chain_end, q) * ee_extra).homogeneous, 10)
            close(g.call("J_ee", q=q), ref.jacobian(ref.chain_end, q, ee_extra), 10)
        for n in frames:
            close(g.call(f"T_w_{n}", q=q), ref.placement(n, q).homogeneous, 10)
            close(g.call(f"J_{n}", q=q), ref.jacobian(n, q), 10)


# A file no fixture covers: every angle non-zero (so Rx Ry Rz and Rz Ry Rx differ), rpy and ypr
# mixed, unaligned axes, a prismatic joint after a FIXED mount, a branch, bodies reaching their
# joint through a FIXED node, a second body on one joint, symbolic frame entries, and a generator
# Thunder does not have.
SYNTHETIC = """
pipeline:
  loaders: [kin_loader, dyn_loader]
  builders: [kin_builder, dyn_builder, reg_builder]
  generators: [robot_generator, ros_server_generator]
kin_loader:
  kinematics:
    base:  {parent: world, joint_type: FIXED, xyzrpy: [0.1, -0.2, 0.3, 0.2, -0.4, 0.6]}
    j1:    {parent: base, joint_type: R, axis: [0, 1, 1], xyz: [0, 0, 0.4], rpy: [0.3, -0.5, 0.7]}
    mount: {parent: j1, joint_type: FIXED, xyz: [0.2, 0.1, 0], ypr: [0.4, 0.2, -0.3]}
    j2:    {parent: mount, joint_type: P, axis: [1, 0, 0], xyzrpy: [0.3, 0, 0, 0.1, 0.2, 0.3]}
    j3:    {parent: j1, joint_type: R, xyz: [0, 0.3, 0.1], ypr: [0.5, -0.2, 0.9], symb: [1, 0, 0, 1, 0, 1]}
    tip2:  {parent: j2, xyz: [0.1, 0, 0], rpy: [0.2, 0.3, 0.4], available: true}
    tip3:  {parent: j3, xyz: [0, 0, 0.2], ypr: [0.1, 0.5, -0.2], derivatives: true}
dyn_loader:
  gravity: {value: [0.5, -1.0, -9.81]}
  Dl_order: 3
  dynamics:
    j1:
      inertial: {mass: 2.0, CoM: [0.1, 0, 0], I: [0.1, 0, 0, 0.1, 0, 0.1]}
      friction: {Dl: [0.3, 0.2, 0.1]}
    mount:
      inertial: {mass: 1.2, CoM: [0.05, -0.02, 0.1], I: [0.02, 0.001, -0.002, 0.03, 0.003, 0.025]}
    j2:
      inertial: {mass: 0.8, CoM_x: 0.1, CoM_y: 0.05, CoM_z: -0.03, Ixx: 0.01, Ixy: 0.001, Ixz: 0.0, Iyy: 0.012, Iyz: -0.001, Izz: 0.011}
      friction: {Dl: [0.5, 0.05, 0.02], symb: [1, 0, 1]}
    j3:
      inertial: {mass: 0.9, CoM: [0.0, 0.1, 0.05], I: [0.015, 0.0, 0.001, 0.01, 0.0, 0.012], symb: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]}
      friction: {Dl: [0.4, 0.1, 0.03]}
    tip2:
      inertial: {mass: 0.5, CoM: [0.02, 0.0, 0.01], I: [0.002, 0, 0, 0.003, 0, 0.004]}
    tip3:
      inertial: {mass: 0.3, CoM: [0.0, 0.0, 0.05], I: [0.001, 0, 0, 0.001, 0, 0.0015], symb: [1, 0, 0, 1, 0, 0, 0, 0, 0, 0]}
"""


def test_synthetic_tree_follows_the_documented_conventions(tmp_path):
    path = tmp_path / "synthetic.yaml"
    path.write_text(SYNTHETIC)
    out = tmp_path / "out"
    proc = run_thunder("gen", path, "-o", out, "--targets", "casadi", "-q", "--functions",
                       "M,G,Cdq,dl,T_w_tip2,J_tip2,T_w_tip3,J_tip3")
    assert "ros_server_generator" in proc.stderr and "not available in Thunder" in proc.stderr
    from conftest import Generated
    g = Generated(out)
    cfg = yaml.safe_load(SYNTHETIC)
    rng = np.random.default_rng(3)
    for trial in range(4):
        params = {}
        if trial >= 2:  # move the symbolic entries: the functions follow the file's meaning
            kin = cfg["kin_loader"]["kinematics"]["j3"]
            kin["xyz"][0] += 0.05
            kin["ypr"][0] += 0.1
            kin["ypr"][2] -= 0.2
            origins = np.array(g.param("par_origins")["values"], float)
            k = 6 * 2  # joint j3: x, y, z, roll, pitch, yaw
            origins[k + 0] += 0.05 * (trial - 1)
            origins[k + 5] += 0.1 * (trial - 1)
            origins[k + 3] -= 0.2 * (trial - 1)
            params["par_origins"] = origins
        ref = Reference(cfg)
        q, dq = rng.uniform(-1.5, 1.5, 3), rng.uniform(-2, 2, 3)
        M = pin.crba(ref.model, ref.data, q)
        close(g.call("M", params, q=q), np.triu(M) + np.triu(M, 1).T)
        close(g.call("G", params, q=q).ravel(), pin.computeGeneralizedGravity(ref.model, ref.data, q), 10)
        Cdq = pin.rnea(ref.model, ref.data, q, dq, np.zeros(3)) - pin.computeGeneralizedGravity(ref.model, ref.data, q)
        close(g.call("Cdq", params, q=q, dq=dq).ravel(), Cdq, 10)
        close(g.call("dl", params, q=q, dq=dq).ravel(), friction(ref.Dl, dq), 10)
        for n in ("tip2", "tip3"):
            close(g.call(f"T_w_{n}", params, q=q), ref.placement(n, q).homogeneous)
            close(g.call(f"J_{n}", params, q=q), ref.jacobian(n, q))
    # Only the symbolic entries are inputs: j3's body (10) and tip3's mass and CoM_x... (2).
    dyn = g.param("par_DYN")
    assert sum(dyn["symbolic"]) == 12


# ------------------------------------------------------------------ urdf_loader
def urdf_reference(cfg_name):
    """Pinocchio on the file's URDF below base_link; with ee_link, every joint off the path
    base_link -> ee_link locked at neutral by buildReducedModel (the bodies it carries keep their
    mass: what --ee and urdf_loader's ee_link mean); without ee_link the whole tree. Gravity from
    the YAML (default 0, as documented)."""
    cfg = load_cfg(cfg_name)
    b = cfg["urdf_loader"]
    urdf = pathlib.Path(b["urdf_path"])
    urdf = urdf if urdf.is_absolute() and urdf.exists() else V1 / urdf.name
    root = ET.parse(urdf).getroot()
    if "base_link" in b:  # thunder 1.0 starts the model at base_link
        children = {}
        for j in root.findall("joint"):
            children.setdefault(j.find("parent").get("link"), []).append(j.find("child").get("link"))
        keep, stack = set(), [b["base_link"]]
        while stack:
            keep.add(stack[-1])
            stack += children.get(stack.pop(), [])
        for j in root.findall("joint"):
            if j.find("child").get("link") not in keep or j.find("parent").get("link") not in keep:
                root.remove(j)
        for link in root.findall("link"):
            if link.get("name") not in keep:
                root.remove(link)
    model = pin.buildModelFromXML(ET.tostring(root, encoding="unicode"))
    if "ee_link" in b:
        path, j = set(), model.frames[model.getFrameId(b["ee_link"])].parentJoint
        while j > 0:
            path.add(j)
            j = model.parents[j]
        locked = [j for j in range(1, model.njoints) if j not in path]
        if locked:
            model = pin.buildReducedModel(model, locked, pin.neutral(model))
    model.gravity.linear = np.array(b.get("gravity", {}).get("value", [0, 0, 0]), float)
    return cfg, model, model.createData()


@pytest.mark.parametrize("name", URDF_FILES)
def test_urdf_file_matches_pinocchio_on_its_urdf(gen, name):
    cfg, model, data = urdf_reference(name)
    b = cfg["urdf_loader"]
    ee = b.get("ee_link")
    functions = ["M", "G"] + (["Cdq", "T_0_ee", "J_ee"] if ee else [])
    g = gen(name, functions)
    nv = model.nv
    assert g["M"].size1_in(0) == nv
    rng = np.random.default_rng(7)
    for _ in range(3):
        q, dq = rng.uniform(-1.5, 1.5, nv), rng.uniform(-2, 2, nv)
        M = pin.crba(model, data, q)
        close(g.call("M", q=q), np.triu(M) + np.triu(M, 1).T, 10)
        G = pin.computeGeneralizedGravity(model, data, q)
        close(g.call("G", q=q).ravel(), G, 100)
        if ee:
            close(g.call("Cdq", q=q, dq=dq).ravel(), pin.rnea(model, data, q, dq, np.zeros(nv)) - G, 100)
            fid = model.getFrameId(ee)
            pin.forwardKinematics(model, data, q)
            pin.updateFramePlacements(model, data)
            close(g.call("T_0_ee", q=q), data.oMf[fid].homogeneous)
            J = pin.computeFrameJacobian(model, data, q, fid, pin.LOCAL_WORLD_ALIGNED)
            close(g.call("J_ee", q=q), J)


def test_urdf_loader_masks_follow_the_yaml():
    """symbolic_dynamics / symbolic_kinematics: a boolean, or `default` plus per-link masks as a
    scalar, a list or a map (mass/com/inertia, xyz/rpy); a kinematic mask of <link> is the origin
    of the joint that leaves <link>. The more specific wins: YAML per link > URDF tag > default."""
    import json
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        run_thunder("gen", V1 / "fixture_symbolic_mask_test.yaml", "-o", pathlib.Path(tmp) / "o",
                    "--targets", "casadi", "-q", "--functions", "M")
        m = json.loads((pathlib.Path(tmp) / "o" / "manifest.json").read_text())
    params = {p["name"]: p for p in m["params"]}
    dyn = np.array(params["par_DYN"]["symbolic"], bool).reshape(-1, 10)
    assert dyn[0].all()  # panda_link1: true
    assert list(dyn[1].astype(int)) == [1, 0, 1, 0, 1, 0, 1, 0, 1, 0]  # panda_link2: mass, com, inertia
    kin = np.array(params["par_origins"]["symbolic"], bool).reshape(-1, 6)
    assert not kin[0].any()  # panda_link0 (joint1's origin): [0, 0, 0, 0, 0, 0]
    assert kin[1].all()  # panda_link1: 1 -> joint2's origin
    assert list(kin[2].astype(int)) == [1, 0, 1, 0, 1, 0]  # panda_link2 -> joint3: xyz [1,0,1], rpy [0,1,0]
    # The URDF's tags, for what the YAML leaves to its `default`: attribute, child-element and
    # text forms (franka_symbolic.urdf).
    assert not dyn[4].any()  # panda_link5: mass="0" com="0 0 0" inertia="0 ..."
    assert dyn[5].all()  # panda_link6: <mass>1</mass><com>1 1 1</com><inertia>true ...</inertia>
    assert list(dyn[6].astype(int)) == [1, 0, 1, 0, 1, 0, 1, 0, 1, 0]  # panda_link7: text
    assert not kin[5].any() and kin[6].all()  # panda_joint6: "0 0 0"/"false ..."; panda_joint7: text
    assert not dyn[2:4].any() and not kin[3:5].any()  # no tags: the default (0)
    # panda_joint8 (fixed, into ee_link panda_link8): xyz [1, 0, 1], rpy [0, 1, 0] -> par_Ln2EE
    # x, y, z, yaw, pitch, roll
    assert list(np.array(params["par_Ln2EE"]["symbolic"], int)) == [1, 0, 1, 0, 1, 0]


def test_seaRRR_elastic_terms_follow_soft_loader(gen):
    """soft_loader's joint `link0` (R_SEA) is the elastic joint: k = K (x - q_0), dm = Dm dx,
    Mm = motor inertia, with the file's K = 10, Dm = 0.1, Mm = 1 (K_order 1, D_order 0)."""
    g = gen("seaRRR.yaml", ["k", "dm", "Mm", "M"])
    rng = np.random.default_rng(5)
    for _ in range(3):
        q, x, dx = rng.uniform(-1, 1, 3), rng.uniform(-1, 1, 1), rng.uniform(-1, 1, 1)
        close(g.call("k", q=q, x=x).ravel(), 10.0 * (x - q[0]))
        close(g.call("dm", dx=dx).ravel(), 0.1 * dx)
    close(g.call("Mm"), [[1.0]])


@pytest.mark.parametrize("name", ["treeRRR.yaml", "RRPR.yaml"])
def test_identities_on_v1_files(gen, name):
    """No reference needed: M symmetric positive definite, tau(q, 0, 0) = G, dM/dt - 2C skew,
    Yr par_REG = M ddqr + C dqr + G."""
    g = gen(name, ["M", "C", "G", "tau", "Yr"])
    reg = np.array(g.param("par_REG")["values"], float)
    n = g["M"].size1_in(0)
    rng = np.random.default_rng(9)
    for _ in range(3):
        q, dq = rng.uniform(-1.5, 1.5, n), rng.uniform(-2, 2, n)
        M = g.call("M", q=q)
        close(M, M.T)
        assert np.linalg.eigvalsh(M).min() > 0
        close(g.call("tau", q=q, dq=np.zeros(n), ddq=np.zeros(n)).ravel(), g.call("G", q=q).ravel())
        h = 1e-6  # central difference: error O(h^2) ~ 1e-12, rounding ~ 1e-10 on entries ~ 1
        Mdot = (g.call("M", q=q + h * dq) - g.call("M", q=q - h * dq)) / (2 * h)
        S = Mdot - 2 * g.call("C", q=q, dq=dq)
        np.testing.assert_allclose(S, -S.T, atol=1e-7)
        # Slotine-Li regressor: Yr par_REG = M ddqr + C dqr + G (every body, mimic-0 ones too)
        dqr, ddqr = rng.uniform(-1, 1, n), rng.uniform(-1, 1, n)
        rhs = M @ ddqr + g.call("C", q=q, dq=dq) @ dqr + g.call("G", q=q).ravel()
        close(g.call("Yr", q=q, dq=dq, dqr=dqr, ddqr=ddqr) @ reg, rhs, 10)


def _load_error(tmp_path, text, *extra):
    path = tmp_path / "robot.yaml"
    path.write_text(text)
    return run_thunder("gen", path, "-o", tmp_path / "o", "--targets", "casadi", "--functions", "M", *extra,
                       check=False)


BASE = """pipeline:
  loaders: [kin_loader, dyn_loader]
kin_loader:
  kinematics:
    link0: {parent: world, joint_type: R, xyzrpy: [0, 0, 1, 0, 0, 0]}
    EE: {parent: link0, xyz: [1, 0, 0], rpy: [0, 0, 0]}
dyn_loader:
  gravity: {value: [0, 0, -9.81]}
  dynamics:
    EE:
      inertial: {mass: 1, CoM: [0.5, 0, 0], I: [0.01, 0, 0, 0.3, 0, 0.3]}
"""


@pytest.mark.parametrize("old, new, expect", [
    ("parent: link0", "parnet: link0", "robot.yaml:6: kin_loader.kinematics.EE.parnet: unknown key 'parnet'; did you mean 'parent'?"),
    ("parent: link0", "parent: link9", "robot.yaml:6: kin_loader.kinematics.EE.parent: unknown parent 'link9'"),
    ("joint_type: R", "joint_type: Q", "robot.yaml:5: kin_loader.kinematics.link0.joint_type: unknown joint type 'Q'"),
    ("rpy: [0, 0, 0]", "rp: [0, 0, 0]", "robot.yaml:6: kin_loader.kinematics.EE.rp: unknown key 'rp'; did you mean 'rpy'?"),
    (", rpy: [0, 0, 0]", "", "robot.yaml:6: kin_loader.kinematics.EE: missing required key 'rpy'"),
    ("    EE:\n      inertial", "    EF:\n      inertial", "robot.yaml:10: dyn_loader.dynamics.EF: no node named 'EF'"),
    ("I: [0.01, 0, 0, 0.3, 0, 0.3]", "I: [0.01, 0, 0.3]", "robot.yaml:11: dyn_loader.dynamics.EE.inertial.I: expected 6 numbers, got 3"),
    ("loaders: [kin_loader, dyn_loader]", "loaders: [kin_loader, dh_loader]", "pipeline.loaders: expected exactly one of kin_loader, dh_loader and urdf_loader"),
    ("loaders: [kin_loader, dyn_loader]", "loaders: [kin_loader, magic_loader]", "pipeline.loaders: unknown loader 'magic_loader'"),
])
def test_v1_errors_name_file_line_and_field(tmp_path, old, new, expect):
    assert old in BASE
    proc = _load_error(tmp_path, BASE.replace(old, new), "--strict")
    assert expect in proc.stderr, proc.stderr
    assert proc.returncode != 0 and "Traceback" not in proc.stderr and "terminate" not in proc.stderr


def test_v1_unknown_keys_warn_without_strict(tmp_path):
    proc = _load_error(tmp_path, BASE.replace("parent: link0", "parnet: link0").replace("EE: {parnet", "EE: {parent: link0, parnet"))
    assert proc.returncode == 0, proc.stderr
    assert "unknown key 'parnet'; did you mean 'parent'? (ignored)" in proc.stderr


# ------------------------------------------------------------------ thunder 1.0 function names
def test_v1_frame_functions_of_available_and_derivatives_nodes(gen):
    """seaRRR's EE node is `available` and `derivatives`: T_w_EE, J_EE, J_EE_dot, J_EE_ddot,
    J_EE_pinv = J'(J J' + 0.02 I)^-1 (kin_builder's MU), and, its frame being symbolic,
    reg_Jdq_EE = d(J_EE dq)/d(symbolic kinematic parameters). Checked against the reference model,
    central differences (h = 1e-6: truncation ~1e-12, rounding ~1e-10) and numpy."""
    cfg = load_cfg("seaRRR.yaml")
    ref = Reference(cfg)
    g = gen("seaRRR.yaml", ["T_w_EE", "J_EE", "J_EE_dot", "J_EE_ddot", "J_EE_pinv", "reg_Jdq_EE", "dyn2reg"])
    rng = np.random.default_rng(1)
    h = 1e-6
    for _ in range(3):
        q, dq, ddq = rng.uniform(-1.5, 1.5, 3), rng.uniform(-1, 1, 3), rng.uniform(-1, 1, 3)
        close(g.call("T_w_EE", q=q), ref.placement("EE", q).homogeneous)
        J = ref.jacobian("EE", q)
        close(g.call("J_EE", q=q), J)
        Jdot = (ref.jacobian("EE", q + h * dq) - ref.jacobian("EE", q - h * dq)) / (2 * h)
        np.testing.assert_allclose(g.call("J_EE_dot", q=q, dq=dq), Jdot, atol=1e-7)
        jd = lambda s: g.call("J_EE_dot", q=q + s * dq + 0.5 * s * s * ddq, dq=dq + s * ddq)  # noqa: E731
        np.testing.assert_allclose(g.call("J_EE_ddot", q=q, dq=dq, ddq=ddq), (jd(h) - jd(-h)) / (2 * h), atol=1e-6)
        close(g.call("J_EE_pinv", q=q), J.T @ np.linalg.inv(J @ J.T + 0.02 * np.eye(6)))
        # par_Ln2EE (all symbolic): x, y, z, yaw, pitch, roll of EE after link2.
        p0 = np.array(g.param("par_Ln2EE")["values"], float)
        R = g.call("reg_Jdq_EE", q=q, dq=dq)
        assert R.shape == (6, 6)
        for k in range(6):
            e = np.zeros(6)
            e[k] = h
            Jdq = lambda p: g.call("J_EE", {"par_Ln2EE": p}, q=q) @ dq  # noqa: E731
            np.testing.assert_allclose(R[:, k], (Jdq(p0 + e) - Jdq(p0 - e)) / (2 * h), atol=1e-7)
    # dyn2reg: [m, m c, I_c + m (c'c 1 - c c')] per body (dyn_builder's parallel axis).
    dyn = np.array(g.param("par_DYN")["values"], float).reshape(-1, 10)
    reg = np.asarray(g["dyn2reg"](dyn.ravel())).ravel().reshape(-1, 10)
    for d, r in zip(dyn, reg):
        m, c = d[0], d[1:4]
        Ixx, Ixy, Ixz, Iyy, Iyz, Izz = d[4:]
        Io = np.array([[Ixx, Ixy, Ixz], [Ixy, Iyy, Iyz], [Ixz, Iyz, Izz]]) + m * (c @ c * np.eye(3) - np.outer(c, c))
        close(r, [m, *(m * c), Io[0, 0], Io[0, 1], Io[0, 2], Io[1, 1], Io[1, 2], Io[2, 2]])


# ------------------------------------------------------------------ the v0.1 layout
V01 = """# thunder v0.1: top-level DH, type_joints as a string, gravity as a list, inline inertial block
PI_2: &PI_2 1.5707963267948966
num_joints: 3
type_joints: 'RPR'
DH: [0,  0,      1,   0,
     0.2, *PI_2, 0.1, 0.3,
     1,  0,      0,   0]
gravity: [0, 0, -9.81]
Base_to_L0:
  tr: [0.1, 0, 0.2]
  ypr: [0.3, 0, 0]
Ln_to_EE:
  tr: [1, 0, 0]
  ypr: [0, 0, -1.5707963267948966]
link0:
  origin: {xyz: [0, 0, 0], rpy: [0, 0, 0]}
  mass: 5
  inertia: {xx: 1, yy: 1, zz: 1, xy: 0, xz: 0, yz: 0}
  friction: {d1: 0.5, d2: 0.05}
link1:
  origin: {xyz: [0.5, 0.01, -0.02], rpy: [0, 0, 0]}
  mass: 1.0
  inertia: {xx: 0.01, yy: 0.3, zz: 0.3, xy: 0.001, xz: 0, yz: 0.002}
  friction: {d1: 0.1, d2: 0.01}
link2:
  origin: {xyz: [0.1, 0.2, 0.3], rpy: [0.3, -0.2, 0.5]}
  mass: 2.0
  inertia: {xx: 0.02, yy: 0.03, zz: 0.04, xy: 0.001, xz: -0.002, yz: 0.003}
  friction: {d1: 0.2, d2: 0.02}
link3:
  origin: {xyz: [0.4, 0, 0.1], rpy: [0, 0, 0]}
  mass: 0.5
  inertia: {xx: 0.005, yy: 0.006, zz: 0.007, xy: 0, xz: 0, yz: 0}
  friction: {d1: 0.3, d2: 0.03}
"""


def test_v01_layout_loads_and_means_modified_dh(tmp_path):
    """linkK: CoM (origin.xyz) in DH frame K, inertia about the CoM in a frame rotated by
    origin.rpy (URDF convention, as franka_inertial.yaml); friction d1, d2 of joint K."""
    path = tmp_path / "R3_v01.yaml"
    path.write_text(V01)
    out = tmp_path / "o"
    run_thunder("gen", path, "-o", out, "--targets", "casadi", "-q", "--functions", "M,G,Cdq,dl,T_0_ee")
    from conftest import Generated
    g = Generated(out)
    cfg = yaml.safe_load(V01)
    model = pin.Model()
    base = pin.SE3(rz(0.3), np.array([0.1, 0, 0.2]))
    jid = 0
    for k, t in enumerate(cfg["type_joints"]):
        a, alpha, d, theta = cfg["DH"][4 * k:4 * k + 4]
        X = dh_row(a, alpha, d, theta) if t == "R" else pin.SE3(rx(alpha), np.array([a, 0, 0])) * \
            pin.SE3(rz(theta), np.array([0, 0, d]))  # prismatic: q adds to d, along z after Rz(theta)
        jm = pin.JointModelRZ() if t == "R" else pin.JointModelPZ()
        jid = model.addJoint(jid, jm, (base if k == 0 else pin.SE3.Identity()) * X, f"j{k}")
        L = cfg[f"link{k + 1}"]
        i = L["inertia"]
        I = np.array([[i["xx"], i["xy"], i["xz"]], [i["xy"], i["yy"], i["yz"]], [i["xz"], i["yz"], i["zz"]]])
        r, p, y = L["origin"]["rpy"]
        R = rz(y) @ ry(p) @ rx(r)
        model.appendBodyToJoint(jid, pin.Inertia(L["mass"], np.array(L["origin"]["xyz"], float), R @ I @ R.T),
                                pin.SE3.Identity())
    model.gravity.linear = np.array([0, 0, -9.81])
    data = model.createData()
    Dl = np.array([[cfg[f"link{k}"]["friction"]["d1"], cfg[f"link{k}"]["friction"]["d2"]] for k in (1, 2, 3)])
    ee = pin.SE3(rx(-np.pi / 2), np.array([1.0, 0, 0]))  # ypr [0, 0, -pi/2]: roll
    rng = np.random.default_rng(8)
    for _ in range(3):
        q, dq = rng.uniform(-1, 1, 3), rng.uniform(-1, 1, 3)
        M = pin.crba(model, data, q)
        close(g.call("M", q=q), np.triu(M) + np.triu(M, 1).T)
        G = pin.computeGeneralizedGravity(model, data, q)
        close(g.call("G", q=q).ravel(), G, 10)
        close(g.call("Cdq", q=q, dq=dq).ravel(), pin.rnea(model, data, q, dq, np.zeros(3)) - G, 10)
        close(g.call("dl", q=q, dq=dq).ravel(), friction(Dl, dq))
        pin.forwardKinematics(model, data, q)
        close(g.call("T_0_ee", q=q), (data.oMi[jid] * ee).homogeneous)


LEGACY_KIN = """pipeline:
  loaders:    ["kin_loader", "dyn_loader"]
version: 1.0
PI_2: &PI_2           1.5707963267948966
PI_2_neg: &PI_2_neg  -1.5707963267948966
kin_loader:
  num_joints: 3
  joints_type: ['R', 'R', 'R']
  kinematics:
    link1: {symb: [0,0,0,0,0,0], xyzrpy: [0,0,1, 0,0,0]}
    link2: {symb: [0,0,0,0,0,0], xyzrpy: [1,0,0, *PI_2,0,0]}
    link3: {symb: [0,0,0,0,0,0], xyzrpy: [1,0,0, 0,0,0]}
  Ln_to_EE: {name: "EE", symb: [0,0,0, 0,0,0], xyz: [1, 0, 0], ypr: [0, 0, *PI_2_neg]}
dyn_loader:
  Dl_order: 2
  gravity: {symb: [0,0,0], value: [0, 0, -9.81]}
  dynamics:
""" + "".join(f"""    link{k}:
      inertial: {{mass: 1.0, CoM_x: 0.5, CoM_y: 0.0, CoM_z: 0.0, Ixx: 0.01, Ixy: 0.0, Ixz: 0.0, Iyy: 0.3, Iyz: 0.0, Izz: 0.3}}
      friction: {{symb: [0,0], Dl: [0.1, 0.01]}}
""" for k in (1, 2, 3))


def test_older_kin_loader_chain_is_the_same_robot_as_RRR(tmp_path):
    """The older kin_loader layout of RRR_rnea.yaml (upstream debug file): nodes without parent and
    joint_type, types from joints_type, bodies moved by their own node's joint (v0.x style). It is
    RRR.yaml's robot, whose documented meaning is the reference here."""
    path = tmp_path / "RRR_rnea.yaml"
    path.write_text(LEGACY_KIN)
    out = tmp_path / "o"
    proc = run_thunder("gen", path, "-o", out, "--targets", "casadi", "-q", "--functions", "M,G,dl,T_0_ee,J_EE")
    assert "older kin_loader layout" in proc.stderr
    from conftest import Generated
    g = Generated(out)
    ref = Reference(load_cfg("RRR.yaml"))
    rng = np.random.default_rng(2)
    for _ in range(3):
        q, dq = rng.uniform(-2, 2, 3), rng.uniform(-2, 2, 3)
        M = pin.crba(ref.model, ref.data, q)
        close(g.call("M", q=q), np.triu(M) + np.triu(M, 1).T)
        close(g.call("G", q=q).ravel(), pin.computeGeneralizedGravity(ref.model, ref.data, q), 10)
        close(g.call("dl", q=q, dq=dq).ravel(), friction(ref.Dl, dq))
        close(g.call("T_0_ee", q=q), ref.placement("EE", q).homogeneous, 10)
        close(g.call("J_EE", q=q), ref.jacobian("EE", q), 10)


def test_v1_tree_through_the_torch_module(tmp_path):
    """Our extras come on top: the batched PyTorch module of a 1.0 tree (mimic-0 bodies included)
    gives Pinocchio's M and the frame functions under 1.0's names."""
    torch = pytest.importorskip("torch")
    import thunder_torch
    out = tmp_path / "o"
    run_thunder("gen", V1 / "treeRRR.yaml", "-o", out, "--targets", "torch", "-q",
                "--functions", "M,T_w_leftEE,J_leftEE_pinv")
    m = thunder_torch.load(str(out), dtype=torch.float64)
    ref = Reference(load_cfg("treeRRR.yaml"))
    q = np.random.default_rng(6).uniform(-2, 2, (4, 3))
    with torch.no_grad():  # the symbolic par_DYN are nn.Parameters
        M, T, P = (f(torch.from_numpy(q)) for f in (m.M, m.T_w_leftEE, m.J_leftEE_pinv))
    for b in range(4):
        Mr = pin.crba(ref.model, ref.data, q[b])
        close(M[b].numpy(), np.triu(Mr) + np.triu(Mr, 1).T)
        close(T[b].numpy(), ref.placement("leftEE", q[b]).homogeneous)
        J = ref.jacobian("leftEE", q[b])
        close(P[b].numpy(), np.linalg.solve(J.T @ J + 0.02 * np.eye(3), J.T))  # (J'J + mu I)^-1 J'


def test_dh_loader_fixed_row(tmp_path):
    """dh_loader's FIXED row keeps its frame and has no joint variable (docs/plugins/dh_loader)."""
    cfg = load_cfg("RRR_dh.yaml")
    b = cfg["dh_loader"]
    b["joints_type"] = ["R", "FIXED", "P", "R"]
    b["num_joints"] = 4
    b["DH"] = {"value": [0, 0, 1, 0.2, 0.3, 1.2, 0.1, 0.4, 1, -0.5, 0.2, 0.3, 0.5, 0.1, 0, 0.7],
               "symb": [0] * 16}
    cfg["dyn_loader"]["dynamics"]["link3"] = cfg["dyn_loader"]["dynamics"]["link2"]
    path = tmp_path / "RFPR_dh.yaml"
    path.write_text(yaml.safe_dump(cfg))
    out = tmp_path / "o"
    run_thunder("gen", path, "-o", out, "--targets", "casadi", "-q", "--functions", "M,G,dl,T_0_ee,J_ee")
    from conftest import Generated
    g = Generated(out)
    ref = Reference(cfg)
    assert ref.model.nv == 3 and g["M"].size1_in(0) == 3
    rng = np.random.default_rng(11)
    for _ in range(3):
        q, dq = rng.uniform(-1, 1, 3), rng.uniform(-1, 1, 3)
        M = pin.crba(ref.model, ref.data, q)
        close(g.call("M", q=q), np.triu(M) + np.triu(M, 1).T, 10)
        close(g.call("G", q=q).ravel(), pin.computeGeneralizedGravity(ref.model, ref.data, q), 10)
        close(g.call("dl", q=q, dq=dq).ravel(), friction(ref.Dl, dq))
        close(g.call("T_0_ee", q=q), ref.placement("ee", q).homogeneous, 10)
        close(g.call("J_ee", q=q), ref.jacobian("ee", q), 10)


def test_urdf_loader_kinematics_override(tmp_path):
    """urdf_loader `kinematics.<link>` replaces the frame of node <link> (the origin of the joint
    leaving it), in thunder's convention (rpy: Rx Ry Rz), with its own symb."""
    import shutil
    cfg = load_cfg("franka_urdf.yaml")
    cfg["urdf_loader"]["kinematics"] = {"panda_link3": {"xyzrpy": [0.1, -0.2, 0.3, 0.2, 0.3, 0.4],
                                                        "symb": [1, 0, 0, 0, 0, 1]}}
    shutil.copy(V1 / "franka.urdf", tmp_path / "franka.urdf")
    path = tmp_path / "franka_override.yaml"
    path.write_text(yaml.safe_dump(cfg))
    out = tmp_path / "o"
    run_thunder("gen", path, "-o", out, "--targets", "casadi", "-q", "--functions", "M,T_0_ee")
    from conftest import Generated
    g = Generated(out)
    _, model, _ = urdf_reference("franka_urdf.yaml")
    jid = model.getJointId("panda_joint4")
    model.jointPlacements[jid] = pin.SE3(rx(0.2) @ ry(0.3) @ rz(0.4), np.array([0.1, -0.2, 0.3]))
    data = model.createData()
    kin = np.array(g.param("par_origins")["symbolic"], int).reshape(-1, 6)
    assert list(kin[3]) == [1, 0, 0, 0, 0, 1] and not kin[[0, 1, 2, 4, 5, 6]].any()
    q = np.random.default_rng(13).uniform(-1, 1, 7)
    M = pin.crba(model, data, q)
    close(g.call("M", q=q), np.triu(M) + np.triu(M, 1).T, 10)
    pin.forwardKinematics(model, data, q)
    pin.updateFramePlacements(model, data)
    close(g.call("T_0_ee", q=q), data.oMf[model.getFrameId("panda_link8")].homogeneous)


def test_urdf_loader_full_masks(tmp_path):
    """par_DYN_symb (10 per node) and par_KIN_symb (6 per node) over the chain base_link -> ee_link
    (franka: panda_link0 .. panda_link8, 9 nodes) override symbolic_dynamics / _kinematics."""
    import json
    import shutil
    cfg = load_cfg("franka_urdf.yaml")  # symbolic_dynamics: true, overridden below
    dyn = [0] * 90
    dyn[30:40] = [1] * 10  # node 3: panda_link3
    kin = [0] * 54
    kin[6] = 1  # node 1 (panda_link1): x of panda_joint2's origin
    kin[7 * 6 + 2] = 1  # node 7 (panda_link7): z of panda_joint8 (fixed, into ee_link) -> par_Ln2EE
    cfg["urdf_loader"]["par_DYN_symb"], cfg["urdf_loader"]["par_KIN_symb"] = dyn, kin
    shutil.copy(V1 / "franka.urdf", tmp_path / "franka.urdf")
    path = tmp_path / "franka_masks.yaml"
    path.write_text(yaml.safe_dump(cfg))
    out = tmp_path / "o"
    run_thunder("gen", path, "-o", out, "--targets", "casadi", "-q", "--functions", "M")
    params = {p["name"]: p for p in json.loads((out / "manifest.json").read_text())["params"]}
    d = np.array(params["par_DYN"]["symbolic"], int).reshape(-1, 10)  # panda_link1 .. panda_link7
    assert d[2].all() and d.sum() == 10
    o = np.array(params["par_origins"]["symbolic"], int).reshape(-1, 6)
    assert list(o[1]) == [1, 0, 0, 0, 0, 0] and o.sum() == 1
    assert list(np.array(params["par_Ln2EE"]["symbolic"], int)[:3]) == [0, 0, 1]
    bad = dict(cfg)
    bad["urdf_loader"] = dict(cfg["urdf_loader"], par_DYN_symb=[0] * 80)
    path.write_text(yaml.safe_dump(bad))
    proc = run_thunder("gen", path, "-o", tmp_path / "o2", "--targets", "casadi", "--functions", "M", check=False)
    assert proc.returncode == 1 and "urdf_loader.par_DYN_symb: expected 90 flags" in proc.stderr, proc.stderr
