"""PyTorch CPU throughput (evaluations/s) and autograd cost, Thunder's thunder_torch module vs a
CusADi-style module, adam's PyTorch backend and pytorch_kinematics, on the same Panda URDF.

    python bench/bench_torch.py GEN_DIR URDF OUT.json [--quick] [--native-dir NATIVE_DIR]

GEN_DIR: output of `thunder gen URDF -o GEN_DIR --pytorch`. NATIVE_DIR: output of
`thunder gen URDF --native` for the same generation (same manifest): adds the "thunder native"
rows (thunder_torch.load(..., backend="native"), compiled OpenMP kernels) and the batch-1 call
overhead of the native path.
--quick: batches 1 and 4096, functions M, C, G, Yr, FD (no bias, FK, J_ee), no adam /
pytorch_kinematics rows, fewer repetitions and probe calls; autograd only for M and tau in float32. Every implementation is checked
against thunder (float64, batch 16) before it is timed; an implementation that disagrees is not
timed and the row says why.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
import warnings

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import timing  # noqa: E402
from cusadi_style import CusadiFunction  # noqa: E402
from pin_model import locked_urdf  # noqa: E402

warnings.filterwarnings("ignore")
EE = "panda_hand"
TOL = {"thunder": 1e-9, "thunder native": 1e-9, "cusadi": 1e-9, "adam": 1e-9,
       "pytorch_kinematics": 1e-6}
QUICK_FNS = ("M", "C", "G", "Yr", "FD")
NATIVE = "thunder native"
_CUSADI = {}


def log(*a):
    print("bench_torch:", *a, file=sys.stderr, flush=True)


def build_impls(gen_dir, urdf, dtype, workdir, native_dir=None, quick=False):
    """{function: {impl: callable(inputs dict) -> tensor}} plus notes on what is missing.
    Also returns the native module (None without native_dir or when it does not load)."""
    import thunder_torch
    notes = {}
    r = thunder_torch.load(gen_dir, dtype=dtype)
    nat = None
    if native_dir:
        try:
            nat = thunder_torch.load(native_dir, dtype=dtype, backend="native")
            notes[NATIVE] = ("thunder_torch.load(OUT, backend=\"native\"): the batched OpenMP C "
                             "kernels compiled by `thunder gen --native --no-cuda` (-O2), same "
                             f"module interface; {torch.get_num_threads()} torch threads")
        except Exception as e:  # noqa: BLE001
            notes[NATIVE] = f"skipped: {type(e).__name__}: {e}"
    key = os.path.abspath(gen_dir)
    if key not in _CUSADI:  # dtype-agnostic: generated and compiled once per process
        _CUSADI[key] = {fn: CusadiFunction.load(os.path.join(gen_dir, "casadi", f"{fn}.casadi")).bind(r)
                        for fn in ("M", "C", "G", "Yr", "T_0_ee", "J_ee")}
    cs = _CUSADI[key]

    def fd(M, C, G, s):
        tau = s["tau"]
        rhs = tau - (C @ s["dq"].unsqueeze(-1)).squeeze(-1) - G
        return torch.linalg.solve(M, rhs)

    impls = {
        "M": {"thunder": lambda s: r.M(s["q"]), "cusadi": lambda s: cs["M"](s["q"])[0]},
        "C": {"thunder": lambda s: r.C(s["q"], s["dq"]),
              "cusadi": lambda s: cs["C"](s["q"], s["dq"])[0]},
        "G": {"thunder": lambda s: r.G(s["q"]), "cusadi": lambda s: cs["G"](s["q"])[0]},
        "bias (C dq + G)": {
            "thunder": lambda s: (r.C(s["q"], s["dq"]) @ s["dq"].unsqueeze(-1)).squeeze(-1) + r.G(s["q"]),
            "cusadi": lambda s: (cs["C"](s["q"], s["dq"])[0] @ s["dq"].unsqueeze(-1)).squeeze(-1)
            + cs["G"](s["q"])[0]},
        "Yr": {"thunder": lambda s: r.Yr(s["q"], s["dq"], s["dq"], s["ddq"]),
               "cusadi": lambda s: cs["Yr"](s["q"], s["dq"], s["dq"], s["ddq"])[0]},
        "FD": {"thunder": lambda s: fd(r.M(s["q"]), r.C(s["q"], s["dq"]), r.G(s["q"]), s),
               "cusadi": lambda s: fd(cs["M"](s["q"])[0], cs["C"](s["q"], s["dq"])[0],
                                      cs["G"](s["q"])[0], s)},
        "FK (T_0_ee)": {"thunder": lambda s: r.T_0_ee(s["q"]),
                        "cusadi": lambda s: cs["T_0_ee"](s["q"])[0]},
        "J_ee": {"thunder": lambda s: r.J_ee(s["q"]), "cusadi": lambda s: cs["J_ee"](s["q"])[0]},
    }
    if nat is not None:
        impls["M"][NATIVE] = lambda s: nat.M(s["q"])
        impls["C"][NATIVE] = lambda s: nat.C(s["q"], s["dq"])
        impls["G"][NATIVE] = lambda s: nat.G(s["q"])
        impls["bias (C dq + G)"][NATIVE] = lambda s: (nat.C(s["q"], s["dq"]) @ s["dq"].unsqueeze(-1)).squeeze(-1) + nat.G(s["q"])
        impls["Yr"][NATIVE] = lambda s: nat.Yr(s["q"], s["dq"], s["dq"], s["ddq"])
        impls["FD"][NATIVE] = lambda s: fd(nat.M(s["q"]), nat.C(s["q"], s["dq"]), nat.G(s["q"]), s)
        impls["FK (T_0_ee)"][NATIVE] = lambda s: nat.T_0_ee(s["q"])
        impls["J_ee"][NATIVE] = lambda s: nat.J_ee(s["q"])
    if quick:
        impls = {fn: d for fn, d in impls.items() if fn in QUICK_FNS}
        notes["adam"] = notes["pytorch_kinematics"] = "not run in --quick"
        return r, nat, cs, impls, notes
    lurdf = locked_urdf(urdf, EE, os.path.join(workdir, "panda_locked.urdf"))
    try:
        from adam.pytorch import KinDynComputationsBatch
        n = r.n_joints
        joints = list(r.manifest.get("joint_names", [])) or [f"panda_joint{i}" for i in range(1, 8)]
        g = float(r.par_gravity[2]) if hasattr(r, "par_gravity") else -9.81
        kd = KinDynComputationsBatch(lurdf, joints, device=torch.device("cpu"), dtype=dtype,
                                     gravity=torch.tensor([0, 0, g, 0, 0, 0], dtype=dtype))
        cache = {}

        def base(s):
            B = s["q"].shape[0]
            if B not in cache:
                cache[B] = (torch.eye(4, dtype=dtype).expand(B, 4, 4).contiguous(),
                            torch.zeros(B, 6, dtype=dtype))
            return cache[B]

        def a_M(s):
            B = s["q"].shape[0]  # adam squeezes batch 1 away: reshape back
            return kd.mass_matrix(base(s)[0], s["q"]).reshape(B, 6 + n, 6 + n)[:, 6:, 6:]

        def a_h(s):
            H, v = base(s)
            return kd.bias_force(H, s["q"], v, s["dq"]).reshape(-1, 6 + n)[:, 6:]

        def a_G(s):
            return kd.gravity_term(base(s)[0], s["q"]).reshape(-1, 6 + n)[:, 6:]

        impls["M"]["adam"] = a_M
        impls["G"]["adam"] = a_G
        impls["bias (C dq + G)"]["adam"] = a_h
        impls["FD"]["adam"] = lambda s: torch.linalg.solve(a_M(s), s["tau"] - a_h(s))
        impls["FK (T_0_ee)"]["adam"] = lambda s: kd.forward_kinematics(EE, base(s)[0], s["q"]).reshape(-1, 4, 4)
        impls["J_ee"]["adam"] = lambda s: kd.jacobian(EE, base(s)[0], s["q"]).reshape(-1, 6, 6 + n)[:, :, 6:]
        notes["adam"] = ("adam.pytorch.KinDynComputationsBatch on the URDF with the finger joints "
                         "fixed (adam 0.5 fails on prismatic joints outside its joint list); "
                         "floating base with identity base pose and zero base velocity, joint block")
    except Exception as e:  # noqa: BLE001
        notes["adam"] = f"skipped: {type(e).__name__}: {e}"
    try:
        import pytorch_kinematics as pk
        with open(lurdf, "rb") as f:
            chain = pk.build_serial_chain_from_urdf(f.read(), EE).to(dtype=dtype)
        impls["FK (T_0_ee)"]["pytorch_kinematics"] = lambda s: chain.forward_kinematics(s["q"]).get_matrix()
        impls["J_ee"]["pytorch_kinematics"] = lambda s: chain.jacobian(s["q"])
        notes["pytorch_kinematics"] = ("build_serial_chain_from_urdf(..., 'panda_hand'); agrees to "
                                       "~1e-7 only (it parses the URDF origins in float32)")
    except Exception as e:  # noqa: BLE001
        notes["pytorch_kinematics"] = f"skipped: {type(e).__name__}: {e}"
    return r, nat, cs, impls, notes


def states(B, n, dtype, seed=0):
    g = torch.Generator().manual_seed(seed)
    s = {k: (torch.rand(B, n, generator=g, dtype=torch.float64) * 2 - 1).to(dtype)
         for k in ("q", "dq", "ddq", "tau")}
    return s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("gen_dir")
    ap.add_argument("urdf")
    ap.add_argument("out")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--native-dir", default=None)
    ap.add_argument("--native-only", action="store_true",
                    help="time only the native rows (thunder is computed as the reference only)")
    a = ap.parse_args()
    workdir = os.path.dirname(os.path.abspath(a.out))
    batches = [1, 4096] if a.quick else [1, 64, 4096, 65536]
    reps = 5 if a.quick else 9
    # batch 4096 carries the headline ratios: more interleaved repetitions there
    reps_at = {4096: 7 if a.quick else 21}
    tkw = dict(warmup=1, probes=2, max_call_s=2.0) if a.quick else dict(max_call_s=10.0)
    block_s = 0.01 if a.quick else 0.03
    res = {"batches": batches, "reps": reps, "reps_at": {str(k): v for k, v in reps_at.items()},
           "threads": torch.get_num_threads(), "quick": a.quick,
           "throughput": [], "checks": [], "notes": {}, "compile": [], "autograd": [],
           "native_overhead": {}}
    nd = a.native_dir
    # --native-only: re-time just the native rows (thunder is then the reference only)
    timed = (lambda im: im == NATIVE) if a.native_only else (lambda im: True)
    t_start = time.time()
    for dtype in (torch.float32, torch.float64):
        dname = str(dtype).replace("torch.", "")
        r, nat, cs, impls, notes = build_impls(a.gen_dir, a.urdf, dtype, workdir, nd, a.quick)
        res["notes"].update(notes)
        n = r.n_joints
        # agreement (always in float64 terms; float32 only checked loosely)
        s = states(16, n, dtype, seed=1)
        ok = {}
        for fn, d in impls.items():
            ref = d["thunder"](s)
            for im, f in d.items():
                if a.native_only and im != NATIVE:  # timed and checked in the other process
                    ok[(fn, im)] = im == "thunder"
                    continue
                try:
                    err = timing.max_abs_diff(f(s), ref)
                    tol = TOL[im] if dtype == torch.float64 else 1e-3
                    ok[(fn, im)] = err <= tol
                    res["checks"].append({"fn": fn, "impl": im, "dtype": dname, "max_err": err,
                                          "tol": tol, "ok": err <= tol})
                except Exception as e:  # noqa: BLE001
                    ok[(fn, im)] = False
                    res["checks"].append({"fn": fn, "impl": im, "dtype": dname,
                                          "error": f"{type(e).__name__}: {e}", "ok": False})
                if not ok[(fn, im)]:
                    log(f"check failed: {fn} {im} {dname}: {res['checks'][-1]}")
        with torch.no_grad():
            for B in batches:
                s = states(B, n, dtype)
                for fn, d in impls.items():
                    fns = {im: (lambda f=f: f(s)) for im, f in d.items() if ok[(fn, im)] and timed(im)}
                    t = timing.interleaved(fns, reps=reps_at.get(B, reps), block_s=block_s, **tkw)
                    for im, v in t.items():
                        row = {"fn": fn, "impl": im, "dtype": dname, "batch": B, **v}
                        if "median" in v:
                            row["evals_per_s"] = B / v["median"]
                        res["throughput"].append(row)
                    log(f"{dname} B={B} {fn}: " + ", ".join(
                        f"{im} {B / v['median']:.3g}/s" for im, v in t.items() if "median" in v))
        if nat is not None:
            try:
                from native_bench import batch1_overhead
                res["native_overhead"][dname] = o = batch1_overhead(
                    nat, r, dtype, min_time=0.05 if a.quick else 0.3)
                log(f"native batch-1 overhead {dname}: " + ", ".join(
                    f"{k} {v * 1e6:.1f} us" for k, v in o.items() if isinstance(v, float)))
            except Exception as e:  # noqa: BLE001
                res["native_overhead"][dname] = {"error": f"{type(e).__name__}: {e}"}
        res["elapsed_throughput_s"] = time.time() - t_start

    # ---- torch.compile vs eager, our M, small batches, float32 --------------------------------
    dtype = torch.float32
    try:
        if a.quick or a.native_only:
            raise RuntimeError("skipped in --quick (first calls compile for tens of seconds)")
        r, nat, cs, impls, _ = build_impls(a.gen_dir, a.urdf, dtype, workdir, None, True)
        n = r.n_joints
        t0 = time.time()
        cM = torch.compile(lambda q: r.M(q), dynamic=False)
        for B in [1, 64]:
            s = states(B, n, dtype)
            with torch.no_grad():
                tc0 = time.time()
                err = timing.max_abs_diff(cM(s["q"]), r.M(s["q"]))
                compile_s = time.time() - tc0
                t = timing.interleaved({"eager": lambda: r.M(s["q"]), "compiled": lambda: cM(s["q"])},
                                       reps=reps, block_s=block_s)
            res["compile"].append({"fn": "M", "batch": B, "dtype": "float32", "max_err": err,
                                   "first_call_s": compile_s,
                                   **{k: v.get("median") for k, v in t.items()}})
            log(f"compile M B={B}: eager {t['eager']['median']*1e6:.1f} us, compiled "
                f"{t['compiled']['median']*1e6:.1f} us (first call {compile_s:.1f} s)")
        res["compile_total_s"] = time.time() - t0
    except Exception as e:  # noqa: BLE001
        res["compile_error"] = f"{type(e).__name__}: {e}"
        log("torch.compile failed:", res["compile_error"])
        traceback.print_exc()

    # ---- autograd: backward / forward at batch 4096 --------------------------------------------
    B = 4096
    for dtype in (torch.float32,) if a.quick else (torch.float32, torch.float64):
        dname = str(dtype).replace("torch.", "")
        r, nat, cs, impls, _ = build_impls(a.gen_dir, a.urdf, dtype, workdir, nd, a.quick)
        s = states(B, r.n_joints, dtype)

        def id_layer(q):
            M, C, G = r.M(q), r.C(q, s["dq"]), r.G(q)
            return (M @ s["ddq"].unsqueeze(-1) + C @ s["dq"].unsqueeze(-1)).squeeze(-1) + G

        cases = {
            "M": {"thunder": lambda q: r.M(q)},
            "G": {"thunder": lambda q: r.G(q)},
            "ID layer (M ddq + C dq + G)": {"thunder": id_layer},
            "tau (generated ID)": {"thunder": lambda q: r.tau(q, s["dq"], s["ddq"])},
        }
        if nat is not None:
            cases["M"][NATIVE] = lambda q: nat.M(q)
            cases["G"][NATIVE] = lambda q: nat.G(q)
            cases["tau (generated ID)"][NATIVE] = lambda q: nat.tau(q, s["dq"], s["ddq"])
        if a.quick:
            cases = {k: v for k, v in cases.items() if k in ("M", "tau (generated ID)")}
        if "adam" in impls.get("M", {}) and "M" in cases:
            cases["M"]["adam"] = lambda q: impls["M"]["adam"]({"q": q})
            if "G" in cases:
                cases["G"]["adam"] = lambda q: impls["G"]["adam"]({"q": q})
        for case, d in cases.items():
            fns, grads = {}, {}
            for im, f in d.items():
                modes = ("reverse",) if a.quick else ("reverse", "tape")
                for mode in (modes if im == "thunder" else (None,)):
                    key = im if mode is None else f"{im} ({mode})"
                    if im == NATIVE:
                        key = f"{im} (compiled reverse)"

                    def fwd(f=f, mode=mode):
                        if mode:
                            r.grad_mode = mode
                        with torch.no_grad():
                            return f(s["q"])

                    def fwdbwd(f=f, mode=mode):
                        if mode:
                            r.grad_mode = mode
                        q = s["q"].clone().requires_grad_(True)
                        y = f(q)
                        (g,) = torch.autograd.grad(y, q, torch.ones_like(y))
                        return g

                    try:
                        grads[key] = fwdbwd()
                        if not timed(im):
                            continue
                        fns[key + " fwd"] = fwd
                        fns[key + " fwd+bwd"] = fwdbwd
                    except Exception as e:  # noqa: BLE001
                        res["autograd"].append({"case": case, "impl": key, "dtype": dname,
                                                "error": f"{type(e).__name__}: {e}"})
            ref = grads.get("thunder (reverse)")
            errs = {k: timing.max_abs_diff(g, ref) for k, g in grads.items()} if ref is not None else {}
            t = timing.interleaved(fns, reps=3 if a.quick else reps, block_s=block_s,
                                   max_call_s=3.0 if a.quick else 20.0)
            for key in grads:
                if key + " fwd" not in t:
                    continue
                tf, tb = t[key + " fwd"].get("median"), t[key + " fwd+bwd"].get("median")
                res["autograd"].append({"case": case, "impl": key, "dtype": dname, "batch": B,
                                        "fwd_s": tf, "fwd_bwd_s": tb,
                                        "bwd_over_fwd": (tb - tf) / tf if tf and tb else None,
                                        "grad_err_vs_thunder_reverse": errs.get(key)})
                log(f"autograd {dname} {case} {key}: fwd {tf} s, fwd+bwd {tb} s")
            if case in ("M", "G") and not a.native_only:  # the CusADi-style module writes into a work tensor in place
                res["autograd"].append({"case": case, "impl": "cusadi", "dtype": dname, "batch": B,
                                        "na": "n/a (in-place writes are not differentiable)"})
        r.grad_mode = "reverse"
    res["elapsed_s"] = time.time() - t_start
    timing.save_json(res, a.out)


if __name__ == "__main__":
    main()
