#!/usr/bin/env python3
"""Sweep: `thunder gen` on every URDF of example-robot-data, each compared with Pinocchio.

The test suite checks a handful of example-robot-data robots (tests/test_trees.py,
tests/test_model_pinocchio.py); this script runs the generator over all of them, as proxies for
robots nobody has tried, and reports per robot and base mode (fixed, floating):

    file, nq/nv, generation seconds, status, the largest error per function

status is one of
    ok                    every function agrees with Pinocchio to TOL
    ok-ill-conditioned    as ok, but FD, M_inv, FD_derivatives exceed TOL by no more than the
                          reference's own uncertainty, 100 eps cond(M) (cond(M) is recorded)
    ok-singular-M         as ok, where M is singular (massless bodies, which thunder warns about):
                          FD, M_inv and FD_derivatives are not compared
    mismatch              a function (named with its error) disagrees
    gen-error             `thunder gen` failed (its message is recorded)
    gen-timeout           `thunder gen` ran longer than --timeout
    pinocchio-cannot-load Pinocchio cannot build the URDF, or builds it skipping an element
                          urdfdom could not parse (nothing to compare against)
    torch-error           thunder_torch.load or a call failed
    check-error           the comparison itself raised (a problem of this script)
    skipped               (with why): floating mode of a URDF whose root joint floats already,
                          fixed mode of a URDF without movable joints, an empty URDF

Functions compared (in float64, at --states random states; q within the joint limits where
they are finite, a random unit quaternion for a free flyer, v, a uniform in [-1, 1], torques in
[-5, 5]):
    M vs crba (upper triangle mirrored)     tau vs rnea          G vs computeGeneralizedGravity
    C vs computeCoriolisMatrix              FD vs aba            M_inv vs computeMinverse
    tau_derivatives vs computeRNEADerivatives (tau, dtau_dq, dtau_dv)
    FD_derivatives vs computeABADerivatives (ddq, ddq_dq, ddq_dv, Minv)
    Y vs computeJointTorqueRegressor (Pinocchio's Ixx Ixy Iyy Ixz Iyz Izz -> our Ixx Ixy Ixz Iyy
      Iyz Izz, bodies matched by link name), and Y par_REG = tau
T_w_<frame> vs oMf and J_<frame> vs getFrameJacobian(LOCAL_WORLD_ALIGNED) for the manifest's
default frames, com vs centerOfMass, J_com vs jacobianCenterOfMass (unless --no-frames), and
thunder_torch.load(out, float64)'s M and FD against the CasADi functions.

Conventions (those of tests/test_trees.py): Pinocchio's model is buildModelFromUrdf(urdf,
[JointModelFreeFlyer()] for --floating-base); our q has one angle per continuous joint where
Pinocchio has (cos, sin); a free flyer is [x y z qx qy qz qw] in both, v in the base frame.
Mimic joints: thunder keeps only the master's coordinate. Pinocchio's derivative, Coriolis and
regressor algorithms do not take mimic joints, so the reference is Pinocchio's model without
them (mimic=False, every joint independent) restricted to the mimic relation q_m = k q + o:
q_full = q(q), v_full = S v with S constant, hence M = Sᵀ M_full S, tau = Sᵀ tau_full,
C = Sᵀ C_full S (Christoffel symbols are tensors under a linear map), dtau/dq = Sᵀ dtau_full/dq S,
FD = M⁻¹ (torque - Sᵀ nle_full), dFD/dx = -M⁻¹ dtau/dx at ddq = FD, Y = Sᵀ Y_full. M and tau
are also compared with Pinocchio's own mimic model (mimic=True).

Tolerance: TOL = 1e-9 of max(1, largest entry of the reference), per output: both sides are
exact float64 recursions of the same quantities (they agree to ~1e-13 on the suite's robots).
Ill-conditioned mass matrices (light fingers) amplify rounding in M_inv, FD and its derivatives
by up to cond(M) ~ 1e6..1e9: the record keeps cond(M) so such a "mismatch" can be told apart.

Usage:
    .venv/bin/python scripts/robot_sweep.py                 # every URDF, fixed and floating
    .venv/bin/python scripts/robot_sweep.py --only solo --floating --json sweep.json
    .venv/bin/python scripts/robot_sweep.py --only ur5_robot --keep /tmp/sweep   # keep outputs
    .venv/bin/python scripts/robot_sweep.py --dir .venv/lib/python3.11/site-packages/rtbdata  # other URDFs
"""
import argparse
import contextlib
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import xml.etree.ElementTree as ET

import numpy as np

TOL = 1e-9
FUNCTIONS = "M,tau,G,C,FD,M_inv,tau_derivatives,FD_derivatives,Y"
# Unless --no-frames: the kinematics preset, of which T_w_<frame>, J_<frame> (the
# manifest's default frames: leaves of a tree, a chain's tip), com and J_com are compared.
KINEMATICS = "kinematics"
# Pinocchio orders each body's inertia Ixx, Ixy, Iyy, Ixz, Iyz, Izz; par_REG Ixx, Ixy, Ixz, Iyy, ...
PIN_TO_REG = np.array([0, 1, 2, 3, 4, 5, 7, 6, 8, 9])


def example_robot_data_dir():
    for p in sys.path:
        d = pathlib.Path(p) / "cmeel.prefix" / "share" / "example-robot-data" / "robots"
        if d.is_dir():
            return d
    raise SystemExit("example-robot-data is not installed (pip install example-robot-data)")


def thunder_bin():
    beside = pathlib.Path(sys.executable).parent / "thunder"
    exe = os.environ.get("THUNDER_BIN") or (str(beside) if beside.is_file() else shutil.which("thunder"))
    if not exe:
        raise SystemExit("thunder executable not found: run scripts/setup.sh or set THUNDER_BIN")
    return exe


class UrdfJoints:
    """The joints of a URDF as the XML says: type, parent and child link, mimic relation."""

    def __init__(self, path):
        robot = ET.parse(path).getroot()
        self.joints = {}
        for j in robot.findall("joint"):
            m = j.find("mimic")
            mimic = None
            if m is not None:
                mimic = (m.get("joint"), float(m.get("multiplier", 1.0)), float(m.get("offset", 0.0)))
            self.joints[j.get("name")] = dict(type=j.get("type"), parent=j.find("parent").get("link"),
                                              child=j.find("child").get("link"), mimic=mimic)
        children = {j["child"] for j in self.joints.values()}
        roots = [l.get("name") for l in robot.findall("link") if l.get("name") not in children]
        self.root = roots[0] if len(roots) == 1 else None
        self.links = {l.get("name") for l in robot.findall("link")}

    def floating_root(self):
        """True when the URDF's root link has one child joint and it is floating."""
        top = [j for j in self.joints.values() if j["parent"] == self.root]
        return len(top) == 1 and top[0]["type"] == "floating"


def gen(urdf, out, floating, timeout, extra, frames=True):
    """Runs thunder gen; returns (seconds, error message or None, timed out)."""
    functions = FUNCTIONS + ("," + KINEMATICS if frames else "")
    cmd = [thunder_bin(), "gen", str(urdf), "-o", str(out), "--targets", "casadi,torch", "--functions", functions,
           "-q", *extra] + (["--floating-base"] if floating else [])
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return time.perf_counter() - t0, f"no result after {timeout} s", True
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        msg = (p.stderr.strip() or p.stdout.strip()).splitlines()
        return dt, " | ".join(msg[-3:]) if msg else f"exit {p.returncode}", False
    return dt, None, False


class Reference:
    """Pinocchio's model of the URDF without mimic joints (`full`), the map from our (q, v) to
    its coordinates, and Pinocchio's mimic model (`mimic`, when the URDF has mimic joints)."""

    def __init__(self, pin, urdf, manifest, add_free_flyer):
        self.notes = set()  # what the reference could not check, for the record's detail
        self.pin = pin
        root = [pin.JointModelFreeFlyer()] if add_free_flyer else []
        self.full = pin.buildModelFromUrdf(str(urdf), *root)
        self.data = self.full.createData()
        self.urdf = UrdfJoints(urdf)
        self.nq, self.nv = manifest["nq"], manifest["nv"]
        names = manifest["joints"]
        # Our coordinates, joint by joint: (name, index in q, index in v, nq in Pinocchio).
        self.ours, iq, iv = {}, 0, 0
        for n in names:
            if not self.full.existJointName(n):
                raise LookupError(f"joint {n} of the manifest is not in Pinocchio's model")
            jm = self.full.joints[self.full.getJointId(n)]
            self.ours[n] = (iq, iv, jm)
            nq_ours = 7 if jm.nq == 7 else jm.nv
            iq += nq_ours
            iv += jm.nv
        if (iq, iv) != (self.nq, self.nv):
            raise ValueError(f"manifest nq/nv {self.nq}/{self.nv}, its joints in Pinocchio give {iq}/{iv}")
        # S: v_full = S v. Every joint of Pinocchio's model must be ours or a mimic of ours.
        self.S = np.zeros((self.full.nv, self.nv))
        self.mimics = []
        for jid in range(1, self.full.njoints):
            n, jm = self.full.names[jid], self.full.joints[jid]
            if n in self.ours:
                _, iv, _ = self.ours[n]
                self.S[jm.idx_v:jm.idx_v + jm.nv, iv:iv + jm.nv] = np.eye(jm.nv)
                continue
            mim = self._mimic_of_ours(n)
            if not mim:
                raise LookupError(f"Pinocchio's joint {n} is neither a joint of the manifest nor a mimic of one")
            self.mimics.append((jid, *mim))
            self.S[jm.idx_v, self.ours[mim[0]][1]] = mim[1]
        self.mimic = None
        if self.mimics:
            try:
                self.mimic = pin.buildModelFromUrdf(str(urdf), *root, mimic=True)
                self.mimic_data = self.mimic.createData()
            except ValueError:
                # Pinocchio's mimic model needs the master before the mimic joint in its depth-first
                # order (talos_full_v2, romeo): the reference without mimic joints stands alone there.
                self.mimic = None
        # Bodies: par_REG's link names in Pinocchio's joint order.
        self.body_link = {jid: (self.urdf.joints[self.full.names[jid]]["child"] if self.full.names[jid] in self.urdf.joints
                                else None) for jid in range(1, self.full.njoints)}

    def _mimic_of_ours(self, n):
        """(master, k, o) with q_n = k q_master + o for a joint of ours, following chains of mimic
        joints (a thumb joint that mimics a mimic joint); None if n leads to none."""
        k, o, m, seen = 1.0, 0.0, n, set()
        while m not in self.ours:
            mim = self.urdf.joints.get(m, {}).get("mimic")
            if not mim or m in seen:
                return None
            seen.add(m)
            o, k, m = k * mim[2] + o, k * mim[1], mim[0]
        return m, k, o

    def _angle(self, jm, value):
        return [np.cos(value), np.sin(value)] if jm.nq == 2 else [value]

    def q_full(self, q, model=None):
        """Our q -> Pinocchio's (model: the full one, or the mimic model: then mimic joints are
        Pinocchio's business)."""
        model = model or self.full
        qp = self.pin.neutral(model)
        for n, (iq, _, _) in self.ours.items():
            jm = model.joints[model.getJointId(n)]
            qp[jm.idx_q:jm.idx_q + jm.nq] = q[iq:iq + 7] if jm.nq == 7 else self._angle(jm, q[iq])
        if model is self.full:
            for jid, master, k, o in self.mimics:
                jm = model.joints[jid]
                qp[jm.idx_q:jm.idx_q + jm.nq] = self._angle(jm, k * q[self.ours[master][0]] + o)
        return qp

    def random_state(self, rng):
        q = np.zeros(self.nq)
        lo, hi = self.full.lowerPositionLimit, self.full.upperPositionLimit
        for iq, _, jm in self.ours.values():
            if jm.nq == 7:
                q[iq:iq + 3] = rng.uniform(-1, 1, 3)
                quat = rng.normal(size=4)
                q[iq + 3:iq + 7] = quat / np.linalg.norm(quat)
            elif jm.nq == 1 and np.isfinite(lo[jm.idx_q]) and np.isfinite(hi[jm.idx_q]) \
                    and 0 < hi[jm.idx_q] - lo[jm.idx_q] < 100:
                q[iq] = rng.uniform(lo[jm.idx_q], hi[jm.idx_q])
            else:
                q[iq] = rng.uniform(-np.pi, np.pi)
        return q, rng.uniform(-1, 1, self.nv), rng.uniform(-1, 1, self.nv), rng.uniform(-5, 5, self.nv)

    def regressor_perm(self, elements):
        """Columns of Pinocchio's regressor (full model) in par_REG's order. Body b of par_REG is
        named LINK.mass, ... after its URDF link, or by its index (link<k>) where the link's
        name is no YAML key (a '.' in it): then body b is Pinocchio's joint b + 1, as thunder
        orders bodies as Pinocchio does."""
        cols = []
        for b, e in enumerate(elements[::10]):
            link = e.rsplit(".", 1)[0]
            jid = next((j for j, l in self.body_link.items() if l == link), None)
            if jid is None and b == 0 and self.full.joints[1].nq == 7 and self.full.names[1] in self.ours:
                jid = 1  # the free flyer's body: the base link
            if jid is None and link not in self.urdf.links:
                jid = b + 1
            if jid is None:
                raise LookupError(f"par_REG body {link} is no child link of a Pinocchio joint")
            cols.append(10 * (jid - 1) + PIN_TO_REG)
        return np.concatenate(cols)

    def expected(self, q, v, a, torque, reg_perm, frames=()):
        """Pinocchio's values of our functions at (q, v, a, torque)."""
        pin, model, data, S = self.pin, self.full, self.data, self.S
        qp = self.q_full(q)
        vf, af = S @ v, S @ a
        sym = lambda M: np.triu(M) + np.triu(M, 1).T
        M = S.T @ sym(pin.crba(model, data, qp)) @ S
        tau = S.T @ pin.rnea(model, data, qp, vf, af)
        G = S.T @ pin.computeGeneralizedGravity(model, data, qp)
        C = S.T @ pin.computeCoriolisMatrix(model, data, qp, vf) @ S
        dq, dv, _ = pin.computeRNEADerivatives(model, data, qp, vf, af)
        dtau_dq, dtau_dv = S.T @ dq @ S, S.T @ dv @ S
        Y = S.T @ pin.computeJointTorqueRegressor(model, data, qp, vf, af)[:, reg_perm]
        if not self.mimics:
            ddq = pin.aba(model, data, qp, v, torque)
            pin.computeABADerivatives(model, data, qp, v, torque)
            fdq, fdv = data.ddq_dq.copy(), data.ddq_dv.copy()
            Minv = sym(pin.computeMinverse(model, data, qp))
        else:
            Minv = np.linalg.pinv(M)  # M singular (massless bodies): not compared then
            nle = S.T @ pin.rnea(model, data, qp, vf, np.zeros(model.nv))
            ddq = Minv @ (torque - nle)
            d_q, d_v, _ = pin.computeRNEADerivatives(model, data, qp, vf, S @ ddq)
            fdq, fdv = -Minv @ (S.T @ d_q @ S), -Minv @ (S.T @ d_v @ S)
        exp = {"M": [M], "tau": [tau], "G": [G], "C": [C], "FD": [ddq], "M_inv": [Minv],
               "tau_derivatives": [tau, dtau_dq, dtau_dv], "FD_derivatives": [ddq, fdq, fdv, Minv], "Y": [Y]}
        # Frames (LOCAL_WORLD_ALIGNED Jacobians at the frame origin), centre of mass.
        pin.forwardKinematics(model, data, qp)
        pin.updateFramePlacements(model, data)
        pin.computeJointJacobians(model, data, qp)
        for f in frames:
            # our frames are links: Pinocchio's BODY frame (a joint may carry the same name)
            fid = model.getFrameId(f["name"], pin.BODY)
            if fid >= model.nframes:
                fid = model.getFrameId(f["name"])
            if fid >= model.nframes:
                raise LookupError(f"frame {f['name']} of the manifest is not a Pinocchio frame")
            exp["T_w_" + f["id"]] = [data.oMf[fid].homogeneous]
            exp["J_" + f["id"]] = [pin.getFrameJacobian(model, data, fid, pin.LOCAL_WORLD_ALIGNED) @ S]
        com = pin.centerOfMass(model, data, qp)
        if np.all(np.isfinite(com)):  # NaN for a robot without mass (URDFs without <inertial>)
            exp["com"] = [com]
            exp["J_com"] = [pin.jacobianCenterOfMass(model, data, qp) @ S]
        if self.mimic is not None:  # Pinocchio's own mimic model, where its algorithms take it
            qm = self.q_full(q, self.mimic)
            vm = np.zeros(self.mimic.nv)
            am = np.zeros(self.mimic.nv)
            for n, (_, iv, jm) in self.ours.items():
                jmm = self.mimic.joints[self.mimic.getJointId(n)]
                vm[jmm.idx_v:jmm.idx_v + jmm.nv] = v[iv:iv + jm.nv]
                am[jmm.idx_v:jmm.idx_v + jmm.nv] = a[iv:iv + jm.nv]
            perm = np.zeros(self.nv, int)
            for n, (_, iv, jm) in self.ours.items():
                jmm = self.mimic.joints[self.mimic.getJointId(n)]
                perm[iv:iv + jm.nv] = np.arange(jmm.idx_v, jmm.idx_v + jmm.nv)
            Mm = sym(pin.crba(self.mimic, self.mimic_data, qm))[np.ix_(perm, perm)]
            tm = pin.rnea(self.mimic, self.mimic_data, qm, vm, am)[perm]
            # Pinocchio's mimic model is a second reference only where it agrees with the exact
            # one above (Sᵀ M_full S): on g1 with BrainCo hands it is 1e-7 off it, q-dependently
            if rel_err(Mm, M) <= TOL and rel_err(tm, tau) <= TOL:
                exp["M(pin mimic)"], exp["tau(pin mimic)"] = [Mm], [tm]
            else:
                self.notes.add("Pinocchio's mimic model disagrees with its own model without mimic "
                               f"joints (M {rel_err(Mm, M):.1e}, tau {rel_err(tm, tau):.1e}): not compared")
        return exp


def rel_err(got, want):
    got, want = np.asarray(got, float), np.asarray(want, float)
    got = got.reshape(want.shape)
    if np.any(np.isfinite(got) != np.isfinite(want)):
        return float("inf")
    ok = np.isfinite(want)
    return float(np.abs(got[ok] - want[ok]).max(initial=0.0) / max(1.0, np.abs(want[ok]).max(initial=0.0)))


# Functions through M⁻¹: their reference is only as good as cond(M) allows (see the docstring).
INVERSE = ("FD", "M_inv", "FD_derivatives", "torch FD")
SINGULAR = 1e13   # cond(M) above which M is taken as singular (massless bodies): M⁻¹ is not compared
EPS = np.finfo(float).eps


def compare(out, urdf, add_free_flyer, states, seed):
    """Errors per function of the output folder `out` against Pinocchio, and torch vs casadi.
    Returns (manifest, errors, largest cond(M), whether M was singular at some state, notes)."""
    import casadi
    import pinocchio as pin
    manifest = json.loads((out / "manifest.json").read_text())
    ref = Reference(pin, urdf, manifest, add_free_flyer)
    fns = {f["name"]: casadi.Function.load(str(out / "casadi" / f"{f['name']}.casadi")) for f in manifest["functions"]}
    ins = {f["name"]: [i["name"] for i in f["inputs"]] for f in manifest["functions"]}
    params = {p["name"]: p for p in manifest["params"]}
    for f in manifest["functions"]:
        for i in f["inputs"]:
            if i["param"]:
                raise ValueError(f"{f['name']} takes parameter input {i['name']}: the sweep folds every parameter")
    reg = np.array(params["par_REG"]["values"])
    reg_perm = ref.regressor_perm(params["par_REG"]["elements"])
    rng = np.random.default_rng(seed)
    errs, conds, singular = {}, [], False
    torch_fns = None
    for _ in range(states):
        q, v, a, torque = ref.random_state(rng)
        args = {"q": q, "dq": v, "ddq": a, "torque": torque}
        got = {n: [np.array(o) for o in fns[n].call([args[i] for i in ins[n]])]
               for n in fns if all(i in args for i in ins[n])}  # not integrate(q, dq, dt), difference
        frames = [f for f in manifest["frames"] if f["name"] != "ee" and "T_w_" + f["id"] in fns]
        exp = ref.expected(q, v, a, torque, reg_perm, frames)
        cond = float(np.linalg.cond(exp["M"][0]))
        conds.append(cond)
        singular |= cond > SINGULAR
        frame_fns = {"T_w_" + f["id"]: "T_w_<frames>" for f in frames} | {"J_" + f["id"]: "J_<frames>" for f in frames}
        for name, wants in exp.items():
            base = name.split("(")[0]
            if base not in got or (cond > SINGULAR and base in INVERSE):
                continue
            e = max(rel_err(g, w) for g, w in zip(got[base], wants))
            key = frame_fns.get(name, name)
            errs[key] = max(errs.get(key, 0.0), e)
        errs["Y par_REG"] = max(errs.get("Y par_REG", 0.0), rel_err(got["Y"][0] @ reg, exp["tau"][0]))
        # thunder_torch, float64, against the casadi functions.
        try:
            import torch
            import thunder_torch
            if torch_fns is None:
                torch_fns = thunder_torch.load(str(out), dtype=torch.float64)
            for name in ("M", "FD"):
                t = getattr(torch_fns, name)(*[torch.tensor(args[i]) for i in ins[name]])
                if not (cond > SINGULAR and name == "FD"):
                    errs[f"torch {name}"] = max(errs.get(f"torch {name}", 0.0), rel_err(t.numpy(), got[name][0]))
        except Exception as e:  # noqa: BLE001 - recorded
            raise TorchError(f"{type(e).__name__}: {e}") from e
    return manifest, errs, max(conds), singular, sorted(ref.notes)


def classify(errs, cond, singular):
    """(status, detail): ok within TOL; ok-ill-conditioned where only functions through M⁻¹ exceed
    TOL, by no more than 100 eps cond(M) (the reference's own uncertainty); ok-singular-M where
    M is singular (those functions not compared); else mismatch."""
    bound = max(TOL, 100 * EPS * cond)
    bad = {k: v for k, v in errs.items() if not v <= (bound if k in INVERSE else TOL)}
    if bad:
        return "mismatch", ", ".join(f"{k} {v:.2g}" for k, v in sorted(bad.items(), key=lambda kv: -kv[1]))
    ill = {k: v for k, v in errs.items() if v > TOL}
    if singular:
        return "ok-singular-M", f"M singular (cond {cond:.1e}, massless bodies): FD, M_inv, FD_derivatives not compared"
    if ill:
        return "ok-ill-conditioned", (f"cond(M) {cond:.1e}: " + ", ".join(f"{k} {v:.2g}" for k, v in ill.items())
                                      + f" <= 100 eps cond = {bound:.1e}")
    return "ok", ""


class TorchError(Exception):
    pass


@contextlib.contextmanager
def stderr_of_cpp():
    """Captures what C++ code writes to file descriptor 2 inside the block; yields a function that
    returns its lines (after the block)."""
    lines = []
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as f:
        os.dup2(f.fileno(), 2)
        try:
            yield lambda: lines
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            f.seek(0)
            lines.extend(f.read().decode(errors="replace").splitlines())


def run_one(urdf, rel, mode, args, keep):
    floating = mode == "floating"
    rec = dict(file=rel, mode=mode, nq=None, nv=None, gen_s=None, status=None, detail="", errors={})
    try:
        uj = UrdfJoints(urdf)
    except (ET.ParseError, AttributeError) as e:
        rec.update(status="skipped", detail=f"this script cannot read the XML: {e}")
        return rec
    if floating and uj.floating_root():
        rec.update(status="skipped", detail="the URDF's root joint floats already: fixed mode is floating")
        return rec
    if not uj.links:
        rec.update(status="skipped", detail="empty URDF: no <link> (thunder and Pinocchio refuse it)")
        return rec
    if not floating and not uj.floating_root() and all(j["type"] == "fixed" for j in uj.joints.values()):
        rec.update(status="skipped", detail="no movable joint: a fixed base has nothing to move")
        return rec
    pin_error = None
    try:
        import pinocchio as pin
        with stderr_of_cpp() as said:
            pin.buildModelFromUrdf(str(urdf))
        # urdfdom skips what it cannot parse with a message and builds the model anyway (an
        # inertia number with a line break in it: the link without inertia): no reference then
        skipped = [line for line in said() if "Could not parse" in line]
        if skipped:
            pin_error = "urdfdom, under Pinocchio: " + skipped[0].strip()[:200]
    except Exception as e:  # noqa: BLE001
        pin_error = str(e).splitlines()[0][:200]
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="sweep_", dir=keep))
    out = tmp / "out"
    try:
        dt, err, timed_out = gen(urdf, out, floating, args.timeout, args.gen_arg, args.frames)
        rec["gen_s"] = round(dt, 2)
        if err:
            rec.update(status="gen-timeout" if timed_out else "gen-error", detail=err)
            return rec
        if pin_error:  # thunder generated it; nothing to compare against
            rec.update(status="pinocchio-cannot-load", detail=pin_error)
            return rec
        # Pinocchio floats the model when we pass the free flyer, or when the URDF's root joint floats.
        add_ff = floating and not uj.floating_root()
        try:
            manifest, errs, cond, singular, notes = compare(out, urdf, add_ff, args.states, args.seed)
        except TorchError as e:
            rec.update(status="torch-error", detail=str(e)[:300])
            return rec
        except Exception as e:  # noqa: BLE001
            rec.update(status="check-error", detail=f"{type(e).__name__}: {e}"[:300])
            if args.verbose:
                traceback.print_exc()
            return rec
        rec.update(nq=manifest["nq"], nv=manifest["nv"], cond_M=cond,
                   errors={k: float(f"{v:.3g}") for k, v in errs.items()})
        status, detail = classify(errs, cond, singular)
        rec.update(status=status, detail="; ".join([d for d in [detail] if d] + notes))
        return rec
    finally:
        if keep is None:
            shutil.rmtree(tmp, ignore_errors=True)


def table(records):
    rows = [("robot", "mode", "nq/nv", "gen s", "status", "max err", "detail")]
    for r in records:
        e = max(r["errors"].values()) if r["errors"] else None
        rows.append((r["file"], r["mode"], f"{r['nq']}/{r['nv']}" if r["nq"] is not None else "-",
                     "-" if r["gen_s"] is None else f"{r['gen_s']:.1f}", r["status"],
                     "-" if e is None else f"{e:.1e}", r["detail"][:110]))
    w = [max(len(row[k]) for row in rows) for k in range(6)]
    return "\n".join("  ".join(c.ljust(w[k]) for k, c in enumerate(row[:6])) + "  " + row[6] for row in rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="Run with the project's venv: .venv/bin/python scripts/robot_sweep.py",
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", metavar="DIR", help="sweep the URDFs under DIR instead of example-robot-data's robots/")
    ap.add_argument("--only", action="append", default=[], metavar="NAME",
                    help="only URDFs whose path (under robots/) contains NAME (repeatable)")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--fixed", action="store_true", help="fixed base only")
    mode.add_argument("--floating", action="store_true", help="--floating-base only")
    ap.add_argument("--json", metavar="F", help="write the records as JSON to F")
    ap.add_argument("--states", type=int, default=3, help="random states per robot (default 3)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=300, help="seconds per thunder gen (default 300)")
    ap.add_argument("--gen-arg", action="append", default=[], metavar="ARG",
                    help="extra argument for thunder gen (repeatable), e.g. --gen-arg=--ignore-cost")
    ap.add_argument("--no-frames", dest="frames", action="store_false",
                    help="only the dynamics functions (not the kinematics preset: frames, com, J_com)")
    ap.add_argument("--keep", metavar="DIR", help="keep the generated outputs under DIR")
    ap.add_argument("-v", "--verbose", action="store_true", help="tracebacks of check errors")
    args = ap.parse_args()
    robots = pathlib.Path(args.dir).resolve() if args.dir else example_robot_data_dir()
    urdfs = sorted(robots.rglob("*.urdf"))
    if args.only:
        urdfs = [u for u in urdfs if any(o in str(u.relative_to(robots)) for o in args.only)]
    modes = ["fixed"] if args.fixed else ["floating"] if args.floating else ["fixed", "floating"]
    if args.keep:
        pathlib.Path(args.keep).mkdir(parents=True, exist_ok=True)
    records = []
    t0 = time.perf_counter()
    for u in urdfs:
        rel = str(u.relative_to(robots))
        for m in modes:
            r = run_one(u, rel, m, args, args.keep)
            records.append(r)
            e = max(r["errors"].values()) if r["errors"] else None
            print(f"{rel} [{m}] {r['status']} gen {r['gen_s']} s"
                  + (f" max err {e:.1e}" if e is not None else "") + (f": {r['detail']}" if r["detail"] else ""),
                  file=sys.stderr, flush=True)
    total = time.perf_counter() - t0
    print(table(records))
    counts = {}
    for r in records:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    print(f"\n{len(records)} runs in {total:.0f} s: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(dict(total_s=round(total, 1), tol=TOL, records=records), indent=1))
    return 0 if all(r["status"].startswith("ok") or r["status"] == "skipped" for r in records) else 1


if __name__ == "__main__":
    sys.exit(main())
