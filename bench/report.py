"""Writes bench/RESULTS.md and bench/plots/*.png from the JSON files of one bench/run.sh run.

    python bench/report.py RESULTS_DIR BENCH_DIR "COMMAND"
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import timing  # noqa: E402


def fmt_t(s):
    if s is None:
        return "–"
    if s < 1e-6:
        return f"{s * 1e9:.0f} ns"
    if s < 1e-3:
        return f"{s * 1e6:.1f} µs"
    if s < 1:
        return f"{s * 1e3:.1f} ms"
    return f"{s:.2f} s"


def load(path):
    return timing.load_json(path) if os.path.isfile(path) else None


def gen_section(g, L):
    L.append("## 1. Generation\n")
    if not g:
        L.append("_not run (see the log)_\n")
        return
    L.append("`thunder gen ROBOT -o OUT -n NAME --pytorch` (all 27 functions, C + CasADi + torch "
             "targets), wall time and peak RSS of the process.\n")
    L.append("| robot | joints | gen time | peak RSS | C lines (.c) | C bytes | torch artifact | .casadi |")
    L.append("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in g["robots"]:
        if r.get("rc"):
            L.append(f"| {r['name']} | – | failed | | | | | |")
            continue
        L.append(f"| {r['name']} | {r['n_joints']} | {r['gen_s']:.2f} s | {r['gen_peak_rss_mib']:.0f} MiB | "
                 f"{r['c_lines']:,} | {r['c_bytes'] / 1e6:.2f} MB | {r['torch_bytes'] / 1e6:.2f} MB | "
                 f"{r['casadi_bytes'] / 1e6:.2f} MB |")
    fns = ["T_0_ee", "J_ee", "M", "C", "G", "tau", "Yr", "C_ddot"]
    ok = [r for r in g["robots"] if not r.get("rc")]
    L.append("\nInstructions per function (`n_instructions` in manifest.json), growth with n:\n")
    L.append("| function | " + " | ".join(f"{r['name']} (n={r['n_joints']})" for r in ok) + " |")
    L.append("|---|" + "---:|" * len(ok))
    for fn in fns:
        L.append(f"| {fn} | " + " | ".join(f"{r['n_instructions'].get(fn, '–'):,}"
                                           if isinstance(r['n_instructions'].get(fn), int) else "–"
                                           for r in ok) + " |")
    L.append("| **all 27** | " + " | ".join(f"{sum(v for v in r['n_instructions'].values() if v):,}"
                                           for r in ok) + " |")
    for r in ok:
        c = r.get("compile")
        if c:
            if c.get("rc"):
                L.append(f"\nCompiling the generated C++ library of {r['name']} failed: "
                         f"```\n{c.get('error', '')}\n```")
            else:
                L.append(f"\nCompiling the generated C++ library of **{r['name']}** (`cmake -S OUT/cpp -B ... "
                         f"&& cmake --build ... -j2`, -O2, all 27 functions + wrapper + example): "
                         f"configure {c['configure_s']:.1f} s, build {c['build_s']:.1f} s, peak RSS of "
                         f"the build tree {c['build_peak_rss_mib']:.0f} MiB.")
    L.append("")


def cpp_section(runs, L):
    L.append("## 2. C++ per call (serial, one thread), Panda URDF\n")
    if not runs:
        L.append("_not run (see the log)_\n")
        return
    L.append("One program (`bench/cpp/bench_cpp.cpp`): our CasADi C functions called directly with "
             "preallocated work arrays (`thunder_c`), the generated wrapper class (`set_q(...)` + "
             "`get_X()`, returns a fresh `Eigen::MatrixXd`: `thunder_wrapper`), and Pinocchio "
             f"{runs[0][1].get('pinocchio_version', '')} header-only (same compiler, same flags), on "
             "the Panda URDF with the finger joints locked (`buildReducedModel`), same 64 random "
             "states. Outputs checked first (max abs difference over all states, must be ≤ 1e-9); "
             "times are medians over interleaved repetitions. Ratio = ours / Pinocchio "
             "(< 1: we are faster).\n")
    L.append("Pinocchio calls: FK = `forwardKinematics` + `updateFramePlacement`; J = "
             "`computeFrameJacobian(LOCAL_WORLD_ALIGNED)`; M = `crba` (upper triangle only); C = "
             "`computeCoriolisMatrix`; G = `computeGeneralizedGravity`; ID = `rnea` vs our `tau`; "
             "Yr = `computeJointTorqueRegressor` vs our `Yr(q, dq, dq, ddq)` (columns matched: "
             "Pinocchio orders the inertia Ixx, Ixy, Iyy, Ixz, Iyz, Izz).\n")
    for label, d in runs:
        L.append(f"### {label}: `{d.get('flags', '').strip()}`\n")
        if not d.get("ok"):
            L.append("**Agreement check failed — see the max errors below.**\n")
        impls = [i for i in ("thunder_c", "thunder_wrapper", "pinocchio") if i in d["rows"][0]["ns"]]
        hdr = "| function | max err | " + " | ".join(impls) + " | ours (C) / pinocchio |"
        if "thunder_wrapper" in impls:
            hdr += " wrapper / pinocchio |"
        L.append(hdr)
        L.append("|---|---:|" + "---:|" * len(impls) + "---:|" + ("---:|" if "thunder_wrapper" in impls else ""))
        for r in d["rows"]:
            ns = r["ns"]
            line = f"| {r['fn']} | {r['max_err']:.1e} | " + " | ".join(f"{ns[i][0]:.0f} ns" for i in impls)
            line += f" | **{ns['thunder_c'][0] / ns['pinocchio'][0]:.2f}** |"
            if "thunder_wrapper" in impls:
                line += f" {ns['thunder_wrapper'][0] / ns['pinocchio'][0]:.2f} |"
            L.append(line)
        L.append("")


NATIVE = "thunder native"
PIN = "serial Pinocchio loop"
IMPL_ORDER = ["thunder", NATIVE, "cusadi", "adam", "pytorch_kinematics", PIN]
# torch benchmark function -> row of the C++ benchmark
CPP_FN = {"M": "M", "C": "C", "G": "G", "Yr": "Yr", "FK (T_0_ee)": "FK", "J_ee": "J_ee"}
PIN_B = 4096


def pinocchio_rows(t, runs):
    """Rows "serial Pinocchio loop" at batch 4096, float64: Pinocchio's ns per call in the -O2
    C++ run (one thread) times the batch, i.e. a serial C++ loop over the same states."""
    if not runs or PIN_B not in t["batches"]:
        return []
    d = dict(runs).get("-O2") or runs[0][1]
    out = []
    fns = set(r["fn"] for r in t["throughput"])
    for fn, cfn in CPP_FN.items():
        row = next((r for r in d["rows"] if r["fn"] == cfn), None)
        if fn in fns and row and "pinocchio" in row["ns"]:
            s = row["ns"]["pinocchio"][0] * 1e-9 * PIN_B
            out.append({"fn": fn, "impl": PIN, "dtype": "float64", "batch": PIN_B, "median": s,
                        "evals_per_s": PIN_B / s, "from_cpp": True})
    return out


def torch_section(t, L, plots_dir, runs=()):
    L.append("## 3. PyTorch CPU throughput (evaluations/s), Panda URDF\n")
    if not t:
        L.append("_not run (see the log)_\n")
        return
    reps_at = ", ".join(f"{v} at B={k}" for k, v in t.get("reps_at", {}).items())
    L.append(f"torch threads: {t['threads']}; {t['reps']} interleaved repetitions per cell"
             f"{' (' + reps_at + ')' if reps_at else ''}, median; an implementation is skipped "
             "only when the fastest of a few calls exceeds the time budget. "
             "`thunder` = `thunder_torch.load(OUT)` (level-scheduled runtime, pure torch); "
             f"`{NATIVE}` = `thunder_torch.load(OUT, backend=\"native\")` (compiled batched OpenMP C "
             "kernels of `thunder gen --native --no-cuda`, same module); "
             f"`{PIN}` (float64, B={PIN_B} only) = Pinocchio's time per call in the -O2 C++ benchmark "
             f"of section 2 × {PIN_B}, i.e. one thread looping over the states (M: `crba`, upper "
             "triangle only); `cusadi` = "
             "`bench/cusadi_style.py` (one torch line per CasADi instruction on a (batch, n_work) "
             "work tensor, as CusADi does); `adam` = `adam.pytorch.KinDynComputationsBatch` (joint "
             "block of its floating-base quantities, identity base pose, zero base velocity); "
             "`pytorch_kinematics` = `build_serial_chain_from_urdf`. bias = C(q,dq) dq + G(q) "
             "(adam: `bias_force`); FD = solve(M, tau − C dq − G) built from each library's pieces. "
             "All under `torch.no_grad()`.\n")
    for k, v in t.get("notes", {}).items():
        L.append(f"- {k}: {v}")
    L.append("")
    bad = [c for c in t["checks"] if not c["ok"]]
    L.append("Agreement with thunder before timing (batch 16, max abs difference; tolerance 1e-9 in "
             "float64 except pytorch_kinematics 1e-6, 1e-3 in float32): "
             + ("all passed." if not bad else "failures (not timed): " + "; ".join(
                 f"{c['fn']}/{c['impl']}/{c['dtype']}: {c.get('max_err', c.get('error'))}" for c in bad)))
    worst = {}
    for c in t["checks"]:
        if c["dtype"] == "float64" and "max_err" in c and c["impl"] != "thunder":
            worst[c["impl"]] = max(worst.get(c["impl"], 0), c["max_err"])
    L.append("Largest float64 differences: " + ", ".join(f"{k} {v:.1e}" for k, v in worst.items()) + ".\n")
    fns = list(dict.fromkeys(r["fn"] for r in t["throughput"]))
    rows = t["throughput"] + pinocchio_rows(t, runs)
    batches = t["batches"]
    goal_section(t, rows, L)
    for dtype in ("float32", "float64"):
        L.append(f"### {dtype}\n")
        L.append("| function | impl | " + " | ".join(f"B={b}" for b in batches) + " | thunder / impl at largest B |")
        L.append("|---|---|" + "---:|" * len(batches) + "---:|")
        for fn in fns:
            sel = [r for r in rows if r["fn"] == fn and r["dtype"] == dtype]
            impls = [i for i in IMPL_ORDER if any(r["impl"] == i for r in sel)]
            impls += sorted({r["impl"] for r in sel} - set(impls))
            get = lambda i, b: next((r for r in sel if r["impl"] == i and r["batch"] == b), None)  # noqa: E731
            for i in impls:
                cells = []
                for b in batches:
                    r = get(i, b)
                    cells.append("–" if r is None else (f"{r['evals_per_s']:.3g}" if "evals_per_s" in r
                                                         else "skipped"))
                bl = batches[-1]
                rt, ri = get("thunder", bl), get(i, bl)
                ratio = (f"{rt['evals_per_s'] / ri['evals_per_s']:.2f}×"
                         if rt and ri and "evals_per_s" in rt and "evals_per_s" in ri and i != "thunder" else "")
                L.append(f"| {fn} | {i} | " + " | ".join(cells) + f" | {ratio} |")
        L.append("")
    L.append("Ratios of thunder's (and thunder native's) throughput over each other implementation "
             "(> 1: ours is faster), per batch size, float32 / float64:\n")
    L.append("| function | ours | vs | " + " | ".join(f"B={b}" for b in batches) + " |")
    L.append("|---|---|---|" + "---:|" * len(batches))
    for fn, ours, i in [(fn, o, i) for fn in fns for o in ("thunder", NATIVE) for i in IMPL_ORDER
                        if i not in (o, "thunder", NATIVE)]:
        if True:
            cells, any_ = [], False
            for b in batches:
                parts = []
                for dtype in ("float32", "float64"):
                    rt = next((r for r in rows if r["fn"] == fn and r["dtype"] == dtype and r["batch"] == b and r["impl"] == ours), None)
                    ri = next((r for r in rows if r["fn"] == fn and r["dtype"] == dtype and r["batch"] == b and r["impl"] == i), None)
                    if rt and ri and "evals_per_s" in rt and "evals_per_s" in ri:
                        parts.append(f"{rt['evals_per_s'] / ri['evals_per_s']:.2f}")
                        any_ = True
                    else:
                        parts.append("–")
                cells.append(" / ".join(parts))
            if any_:
                L.append(f"| {fn} | {ours} | {i} | " + " | ".join(cells) + " |")
    L.append("")
    # plots
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        os.makedirs(plots_dir, exist_ok=True)
        names = []
        for fn in fns:
            fig, ax = plt.subplots(figsize=(5.5, 4))
            for i in IMPL_ORDER:
                for dtype, ls in (("float32", "-"), ("float64", "--")):
                    pts = sorted((r["batch"], r["evals_per_s"]) for r in rows
                                 if r["fn"] == fn and r["impl"] == i and r["dtype"] == dtype and "evals_per_s" in r)
                    if pts:
                        ax.plot(*zip(*pts), ls, marker="*" if i == PIN else "o",
                                markersize=10 if i == PIN else 5, label=f"{i} {dtype}")
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel("batch size")
            ax.set_ylabel("evaluations / s")
            ax.set_title(f"{fn}: Panda, PyTorch CPU")
            ax.grid(True, which="both", alpha=0.3)
            ax.legend(fontsize=7)
            fname = "torch_" + "".join(ch if ch.isalnum() else "_" for ch in fn).strip("_") + ".png"
            fig.tight_layout()
            fig.savefig(os.path.join(plots_dir, fname), dpi=90)
            plt.close(fig)
            names.append((fn, fname))
        L.append("Plots (log-log, solid float32, dashed float64): " + ", ".join(
            f"[{fn}](plots/{f})" for fn, f in names) + "\n")
        for fn, f in names:
            L.append(f"![{fn}](plots/{f})")
        L.append("")
    except Exception as e:  # noqa: BLE001
        L.append(f"_plots failed: {type(e).__name__}: {e}_\n")

    L.append("### torch.compile vs eager (our M, float32)\n")
    L.append("Measured inside the whole benchmark run (other work in the same process). The "
             "reference numbers, per backend and dtype in fresh processes, and the advice that "
             "follows from them are in docs/TORCH_ARTIFACT.md (torch.compile), from "
             "`python bench/compile_once.py OUT`.\n")
    if t.get("compile"):
        L.append("| batch | eager | compiled | first compiled call | max err |")
        L.append("|---:|---:|---:|---:|---:|")
        for c in t["compile"]:
            L.append(f"| {c['batch']} | {fmt_t(c.get('eager'))} | {fmt_t(c.get('compiled'))} | "
                     f"{c['first_call_s']:.1f} s | {c['max_err']:.1e} |")
    else:
        L.append(f"_{t.get('compile_error', 'not run')}_")
    L.append("")

    L.append("## 4. Autograd: backward cost as a multiple of forward (batch 4096, w.r.t. q)\n")
    L.append("bwd/fwd = (time of forward+backward with grad − time of forward under no_grad) / time "
             "of forward under no_grad. `thunder (reverse)`: CasADi reverse-mode schedule behind an "
             "autograd.Function (the default); `thunder (tape)`: every schedule step on the autograd "
             f"tape; `{NATIVE} (compiled reverse)`: the native kernels, backward = the compiled "
             "CasADi reverse partner behind `torch.ops.thunder.native_call`; `cusadi` writes into "
             "its work tensor in place, which autograd cannot differentiate. ID layer = M(q) ddq + C(q,dq) dq + G(q) composed in torch; `tau` = the generated "
             "inverse dynamics.\n")
    L.append("| case | impl | dtype | forward | forward+backward | bwd/fwd | grad err vs thunder |")
    L.append("|---|---|---|---:|---:|---:|---:|")
    for a in t.get("autograd", []):
        if "na" in a:
            L.append(f"| {a['case']} | {a['impl']} | {a['dtype']} | {a['na']} | | | |")
            continue
        if "error" in a:
            L.append(f"| {a['case']} | {a['impl']} | {a['dtype']} | error: {a['error'][:80]} | | | |")
            continue
        bf = a.get("bwd_over_fwd")
        ge = a.get("grad_err_vs_thunder_reverse")
        L.append(f"| {a['case']} | {a['impl']} | {a['dtype']} | {fmt_t(a.get('fwd_s'))} | "
                 f"{fmt_t(a.get('fwd_bwd_s')) if a.get('fwd_bwd_s') else 'skipped (too slow)'} | "
                 f"{'–' if bf is None else f'{bf:.1f}'} | {'–' if ge is None else f'{ge:.1e}'} |")
    L.append("")


def goal_section(t, rows, L):
    """The native kernels' goal at batch 4096: >= 2x a serial Pinocchio loop, >= 10x thunder's
    pure-torch module; and the batch-1 Python call overhead of the native path."""
    get = lambda fn, i, dt: next((r for r in rows if r["fn"] == fn and r["impl"] == i  # noqa: E731
                                  and r["dtype"] == dt and r["batch"] == PIN_B and "evals_per_s" in r), None)
    fns = [fn for fn in dict.fromkeys(r["fn"] for r in rows) if get(fn, NATIVE, "float64")
           or get(fn, NATIVE, "float32")]
    if fns:
        L.append(f"### Native kernels at batch {PIN_B}: goal ≥ 2× a serial Pinocchio loop and "
                 "≥ 10× the pure-torch module\n")
        L.append(f"evaluations/s; native / Pinocchio compares with Pinocchio in float64 (C++, one "
                 "thread, -O2); native / torch within the same dtype.\n")
        L.append("| function | dtype | thunder native | thunder (torch) | serial Pinocchio loop | "
                 "native / Pinocchio (≥ 2) | native / torch (≥ 10) |")
        L.append("|---|---|---:|---:|---:|---:|---:|")
        for fn in fns:
            p = get(fn, PIN, "float64")
            for dt in ("float32", "float64"):
                n, th = get(fn, NATIVE, dt), get(fn, "thunder", dt)
                if not n:
                    continue
                ev = lambda r: f"{r['evals_per_s']:.3g}" if r else "–"  # noqa: E731
                rp = n["evals_per_s"] / p["evals_per_s"] if p else None
                rt = n["evals_per_s"] / th["evals_per_s"] if th else None
                mark = lambda x, g: "–" if x is None else (f"**{x:.2f}**" if x >= g else f"{x:.2f} (below)")  # noqa: E731
                L.append(f"| {fn} | {dt} | {ev(n)} | {ev(th)} | {ev(p)} | {mark(rp, 2)} | {mark(rt, 10)} |")
        L.append("")
    ov = t.get("native_overhead") or {}
    if ov:
        L.append("### Batch-1 call overhead of the native path\n")
        L.append("Time per call at batch 1 of the function with the fewest instructions, under "
                 "`torch.no_grad()`: through the native module (argument checks, parameter assembly, "
                 "library call), through the bare `torch.ops.thunder.native_call` operator, the bare "
                 "ctypes call, and the same call on the pure-torch module.\n")
        L.append("| dtype | function | native module call | native_call operator | ctypes call only | "
                 "torch module call |")
        L.append("|---|---|---:|---:|---:|---:|")
        for dt, o in ov.items():
            if "error" in o:
                L.append(f"| {dt} | error: {o['error'][:100]} | | | | |")
                continue
            L.append(f"| {dt} | {o['function']} ({o.get('n_instructions')} instr.) | "
                     f"{fmt_t(o['native_module_call'])} | {fmt_t(o['native_op_only'])} | "
                     f"{fmt_t(o['native_ctypes_only'])} | {fmt_t(o['torch_module_call'])} |")
        L.append("")


def main():
    rdir, bdir, command = sys.argv[1], sys.argv[2], sys.argv[3]
    machine = load(os.path.join(rdir, "machine.json")) or {}
    g = load(os.path.join(rdir, "gen.json"))
    runs = []
    for label, f in (("-O2", "cpp_O2.json"), ("-O3 -march=native", "cpp_O3.json")):
        d = load(os.path.join(rdir, f))
        if d:
            d["pinocchio_version"] = machine.get("pinocchio", "")
            runs.append((label, d))
    t = load(os.path.join(rdir, "torch.json"))
    log_notes = []
    if os.path.isfile(os.path.join(rdir, "notes.txt")):
        log_notes = [ln.rstrip() for ln in open(os.path.join(rdir, "notes.txt")) if ln.strip()]
    L = ["# Thunder benchmarks\n",
         "Generated by `bench/run.sh`; do not edit by hand. Ratios are measured side by side in one "
         "run (interleaved repetitions, medians); absolute numbers hold for this machine only.\n",
         f"Command: `{command}`\n", "## Machine\n"]
    for k in ("date", "cpu", "cores", "mem_gib", "platform", "python", "cxx", "torch", "torch_threads",
              "casadi", "pinocchio", "adam", "pytorch_kinematics", "numpy"):
        if k in machine:
            L.append(f"- {k}: {machine[k]}")
    L.append("- GPU: none on this machine (`torch.cuda.is_available()` is False), so the GPU rows "
             "(thunder vs CusADi-style CUDA kernels) are not measured here.\n")
    if log_notes:
        L.append("Notes from this run:\n")
        L += [f"- {n}" for n in log_notes]
        L.append("")
    gen_section(g, L)
    cpp_section(runs, L)
    torch_section(t, L, os.path.join(bdir, "plots"), runs)
    # bench/kernel_bench.py's section (native CPU kernels) is measured by its own command: keep it
    path = os.path.join(bdir, "RESULTS.md")
    begin, end = "<!-- kernel_bench:begin -->", "<!-- kernel_bench:end -->"
    if os.path.isfile(path):
        old = open(path, encoding="utf-8").read()
        if begin in old and end in old:
            L.append(old[old.index(begin):old.index(end) + len(end)])
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(L) + "\n")
    print(f"report: wrote {os.path.join(bdir, 'RESULTS.md')}", file=sys.stderr)


if __name__ == "__main__":
    main()
