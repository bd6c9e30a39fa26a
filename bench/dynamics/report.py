"""Writes bench/RESULTS_DYNAMICS.md from the JSON files of bench/dynamics.sh.

    python bench/dynamics/report.py RESULTS_DIR OUT_FILE "COMMAND"
"""
import glob
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from timing import machine_info  # noqa: E402


MARKER = "<!-- recorded by other commands: kept by report.py -->"


def main():
    res, out, command = sys.argv[1:4]
    info = machine_info()
    L = ["# Forward dynamics, M⁻¹ and dynamics derivatives", "",
         f"Command: `{command}` ({info.get('date', '')}; {info.get('cpu', '')}, "
         f"{info.get('cores', '')} cores).", "",
         "## Instruction counts (CasADi, CSE): the analytic recursions as built / CasADi AD of the unrolled recursion", "",
         "Built: RNEA derivatives by Carpentier & Mansard's recursion, dFD = -M⁻¹ dtau at ddq = FD with M⁻¹ applied by "
         "the sparse LᵀDL factorization of M; AD: CasADi differentiating RNEA (dFD_ddq: the ABA expression), as before "
         "issue 21 (`THUNDER_FD_DERIVATIVES_ALTERNATIVES=1` generates them as *_ad).", "",
         "| robot | FD | M_inv | tau | dtau_dq | dtau_ddq | dFD_dq | dFD_ddq | tau_derivatives | FD_derivatives |",
         "|---|---|---|---|---|---|---|---|---|---|"]
    for f in sorted(glob.glob(os.path.join(res, "count_*.json"))):
        c = json.load(open(f))
        name = os.path.basename(f)[6:-5]
        pair = lambda k: f"{c.get(k)} / {c.get(k + '_ad')}"
        L.append(f"| {name} | {c.get('FD')} | {c.get('M_inv')} | {c.get('tau')} | {pair('dtau_dq')} | "
                 f"{pair('dtau_ddq')} | {pair('dFD_dq')} | {pair('dFD_ddq')} | {pair('tau_derivatives')} | "
                 f"{pair('FD_derivatives')} |")
    L += ["", "## C++ per call, one thread (median ns; ratio < 1: Thunder faster)", "",
          "Generated C (`--targets cpp`) against Pinocchio header-only, same compiler and flags (-O2; the chunk "
          "files of functions above 20,000 instructions at the generated CMakeLists' THUNDER_CHUNK_OPT, -O1, "
          "as a user's build compiles them); outputs checked against Pinocchio first (max error column).", "",
          "| robot | function (Pinocchio algorithm) | Thunder ns | Pinocchio ns | ratio | max error |",
          "|---|---|---|---|---|---|"]
    for f in sorted(glob.glob(os.path.join(res, "cpp_*.json"))):
        c = json.load(open(f))
        name = os.path.basename(f)[4:-5]
        for r in c["rows"]:
            L.append(f"| {name} (nv {c['nv']}) | {r['fn']} | {r['thunder_ns']:.0f} | {r['pinocchio_ns']:.0f} | "
                     f"{r['thunder_ns'] / r['pinocchio_ns']:.2f} | {r['max_err']:.1e} |")
    tj = os.path.join(res, "torch.json")
    if os.path.exists(tj):
        t = json.load(open(tj))
        L += ["", f"## thunder_torch, float64, {t['threads']} threads (evaluations or steps per second)", "",
              "| robot | backend | batch | FD | solve(M, tau - Cdq - G) | step Euler | step RK4 |",
              "|---|---|---|---|---|---|---|"]
        key = {}
        for r in t["rows"]:
            if "per_s" in r:
                key.setdefault((r["robot"], r["backend"], r["batch"]), {})[r["what"]] = r["per_s"]
        for (robot, backend, batch), d in key.items():
            f = lambda k: f"{d[k]:.3g}" if k in d else "-"  # noqa: E731
            L.append(f"| {robot} | {backend} | {batch} | {f('FD')} | {f('solve(M, tau - Cdq - G)')} | "
                     f"{f('step semi-implicit Euler')} | {f('step RK4')} |")
        L += ["", "Backward of a 100-step rollout (semi-implicit Euler, batch 256) against its forward:", "",
              "| robot | backend | forward s | backward s | backward / forward |", "|---|---|---|---|---|"]
        for r in t["rows"]:
            if "ratio" in r:
                L.append(f"| {r['robot']} | {r['backend']} | {r['forward_s']:.3f} | {r['backward_s']:.3f} | "
                         f"{r['ratio']:.2f} |")
    # Sections recorded by other commands (bench/recursion_counts.sh, count_ops.py) follow a marker
    # line and are kept as they are.
    kept = ""
    if os.path.exists(out):
        text = open(out).read()
        if MARKER in text:
            kept = "\n" + text[text.index(MARKER):]
    with open(out, "w") as fh:
        fh.write("\n".join(L) + "\n" + kept)


if __name__ == "__main__":
    main()
