"""Writes bench/RESULTS_TREES.md from the JSON files of bench/trees.sh.

    python bench/trees/report.py RESULTS_DIR GEN_ALL_DIR OUT_FILE COMMAND THUNDER
"""
import datetime
import json
import os
import platform
import subprocess
import sys

# targets of issue 11 for the humanoid
GEN_S, GEN_MIB, COMPILE_S, GOAL = 60, 2048, 120, 0.5
SX_ROWS = ["M", "C", "tau", "Y", "G", "J_com", "A_G", "J_frame"]
# why thunder's construction can need more instructions than Pinocchio's (model/function_builder.cpp)
WHY_MORE = {
    "C": "thunder's C (floating base) is the CasADi Jacobian, with respect to dqr, of the "
         "Slotine-Li recursion; Pinocchio's computeCoriolisMatrix is a dedicated recursion that "
         "builds C column blocks from per-body terms directly",
    "Y": "thunder's Y is the CasADi Jacobian of the RNEA expression with respect to par_REG; "
         "Pinocchio's computeJointTorqueRegressor forms each body's 6x10 regressor once and "
         "projects it onto the joints of its ancestors",
}


def load(path):
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def cpu_seconds(path):
    """User + system seconds from a GNU time -v report (trees.sh keeps them in WORK, next to
    RESULTS_DIR): on a shared machine the CPU time says more than the wall time."""
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return sum(float(ln.split(":")[1]) for ln in f
                   if ln.strip().startswith(("User time", "System time")))


def slowest_objects(build_dir, k=3):
    """The k slowest compile steps from ninja's log (start/end ms per output), 'name s'."""
    path = os.path.join(build_dir, ".ninja_log")
    if not os.path.exists(path):
        return []
    steps = {}
    with open(path, encoding="utf-8") as f:
        for ln in f:
            parts = ln.rstrip("\n").split("\t")
            if ln.startswith("#") or len(parts) < 4 or not parts[3].endswith(".o"):
                continue
            name = os.path.basename(parts[3]).split(".")[0]
            steps[name] = (int(parts[1]) - int(parts[0])) / 1000
    top = sorted(steps.items(), key=lambda x: -x[1])[:k]
    return [f"{n} {t:.0f} s" for n, t in top]


def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            return next(ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or "?"


def versions(thunder):
    out = {}
    try:
        out["thunder"] = subprocess.run([thunder, "--version"], capture_output=True, text=True,
                                        check=False).stdout.strip()
    except OSError:
        out["thunder"] = "?"
    try:  # the thunder sources benchmarked (the executable is built from the checkout)
        out["commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                       text=True, check=False).stdout.strip() or "?"
    except OSError:
        out["commit"] = "?"
    for mod in ("pinocchio", "casadi"):
        try:
            out[mod] = __import__(mod).__version__
        except Exception:  # noqa: BLE001 (the report is written whatever is missing)
            out[mod] = "?"
    return out


def compile_cell(c):
    """Wall seconds, or '> limit (done/total files)' for a compile stopped at trees.sh's limit."""
    if c.get("compile_s") is None and "limit_s" in c:
        return f"> {c['limit_s']} (stopped, {c['files_done']}/{c['files_total']} files)"
    return fmt(c.get("compile_s"), 1)


def fmt(x, nd=0):
    return "–" if x is None else f"{x:.{nd}f}"


def main(res, gen_all, out_md, command, thunder):
    robots = sorted(d for d in os.listdir(gen_all) if os.path.isdir(os.path.join(gen_all, d)))
    man = {r: load(os.path.join(gen_all, r, "manifest.json")) for r in robots}
    ninstr = {r: {f["name"]: f.get("n_instructions") for f in man[r]["functions"]} for r in robots}
    cpp = load(os.path.join(res, "cpp.json"))
    v = versions(thunder)
    L = ["# Trees and floating bases: generation, instruction counts, C++ per call", "",
         f"Produced by `{command}` on {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; "
         f"{cpu_model()}, {os.cpu_count()} cores (shared with other jobs: load average "
         f"{os.getloadavg()[0]:.1f} at the end), {v['thunder']} (commit {v['commit']}), Pinocchio {v['pinocchio']}, "
         f"CasADi {v['casadi']}. Robots from example-robot-data, `--floating-base`: g1 "
         "(`g1_29dof_rev_1_0.urdf`, humanoid), go1 (quadruped).", ""]

    L += ["## 1. Generation (all functions) and the C++ library compile", "",
          f"Targets for the humanoid: generation < {GEN_S} s and < {GEN_MIB // 1024} GB, "
          f"compile (-O2) < {COMPILE_S // 60} min. `thunder gen URDF --floating-base --pytorch` "
          "(C++, .casadi and torch exporters); peak memory is GNU time's maximum resident set "
          "(for the compile: of the largest single compiler process; `-j` jobs run at once).", "",
          "| robot | nq | nv | functions | gen wall [s] | gen CPU [s] | gen peak [MiB] | C sources [MiB] | compile -O2 wall [s] | compile CPU [s] | compile peak [MiB] |",
          "|---|---|---|---|---|---|---|---|---|---|---|"]
    work = os.path.dirname(os.path.abspath(res))
    for r in robots:
        g = load(os.path.join(res, f"gen_{r}.json")) or {}
        c = load(os.path.join(res, f"compile_{r}.json")) or {}
        jobs = f" (-j{c['jobs']})" if c else ""
        L.append(f"| {r} | {man[r]['nq']} | {man[r]['nv']} | {g.get('n_functions', '–')} | "
                 f"{fmt(g.get('gen_s'), 1)} | {fmt(cpu_seconds(os.path.join(work, f'gen_{r}.time')), 1)} | "
                 f"{fmt(g.get('gen_peak_mib'))} | {g.get('c_mib', '–')} | {compile_cell(c)}{jobs} | "
                 f"{fmt(cpu_seconds(os.path.join(work, f'lib_{r}.time')) if c.get('compile_s') else None, 1)} | "
                 f"{fmt(c.get('compile_peak_mib'))} |")

    for r in robots:
        top = slowest_objects(os.path.join(os.path.dirname(os.path.abspath(res)), f"lib_{r}"))
        if top:
            L.append(f"\nSlowest finished files of {r}'s library (wall, while other jobs share the cores): "
                     + ", ".join(top) + ".")
    L += ["", "## 2. Instruction counts: thunder vs Pinocchio on casadi::SX", "",
          "Ours: `n_instructions` of manifest.json. Pinocchio: its algorithm run on "
          "`model.cast<casadi::SX>()` with symbolic q, v, a (bench/trees/pin_sx.cpp), outputs "
          "densified as thunder does, `casadi::Function(..., {\"cse\": true}).n_instructions()`. "
          "ratio = ours / Pinocchio (< 1: fewer instructions). Pinocchio's crba fills the "
          "upper triangle: mirrored (no operations added). J_frame: J_<frame> of the row's frame.", "",
          "| robot | function | Pinocchio algorithm | thunder | Pinocchio on SX | ratio |",
          "|---|---|---|---|---|---|"]
    more = {}
    for r in robots:
        sx = load(os.path.join(res, f"sx_{r}.json"))
        if sx is None:
            L.append(f"| {r} | – | (no Pinocchio-on-SX result: see the notes) | | | |")
            continue
        for fn in SX_ROWS:
            e = sx["functions"].get(fn)
            ours = ninstr[r].get(f"J_{sx['frame']}" if fn == "J_frame" else fn)
            if e is None or ours is None:
                continue
            name = f"J_{sx['frame']}" if fn == "J_frame" else fn
            L.append(f"| {r} | {name} | {e['pinocchio']} | {ours} | {e['n_instructions']} | "
                     f"{ours / e['n_instructions']:.2f} |")
            if ours > 1.05 * e["n_instructions"]:  # within 5 %: the same
                more.setdefault(fn, []).append(f"{r} {ours / e['n_instructions']:.2f}")
    if more:
        L += ["", "More instructions than Pinocchio on SX (by more than 5 %):"]
        for fn, where in more.items():
            L.append(f"- {fn} ({', '.join(where)}): {WHY_MORE.get(fn, 'no analysis yet')}.")

    L += ["", "## 3. C++ per call vs Pinocchio", "",
          "One program (bench/trees/bench_trees.cpp), serial, one thread, both sides compiled with "
          "the same compiler and flags (Pinocchio header-only); thunder's generated CasADi C "
          "functions called directly (`thunder gen ... --functions M,tau,G,Cdq,J_com,A_G,Y,"
          "T_w_<frame>,J_<frame> --frames <frame>`). 64 random states: unit quaternions, joints "
          "within their limits, v and a in [-1, 1]; outputs checked against Pinocchio on every "
          "state before timing (max |error|). Median ns per call over interleaved repetitions "
          "[25th–75th percentile]. Cdq+G: two calls (Cdq and G) summed, vs nonLinearEffects. "
          f"Goal: ratio ≤ {GOAL}.", ""]
    losses = []
    if cpp is None:
        L.append("(no result: see the notes)")
    else:
        L += [f"Flags `{cpp['flags'].strip()}`, {cpp['reps']} repetitions, outputs agree: "
              f"{'yes' if cpp['ok'] else '**no**'}.", "",
              "| robot | function | Pinocchio | max err | thunder [ns] | Pinocchio [ns] | ratio |",
              "|---|---|---|---|---|---|---|"]
        for r, rows in cpp["robots"].items():
            for w in rows:
                t, p = w["thunder_ns"], w["pinocchio_ns"]
                ratio = t[0] / p[0]
                L.append(f"| {r} | {w['fn']} | {w['pinocchio']} | {w['max_err']:.1e} | "
                         f"{t[0]:.0f} [{t[1]:.0f}–{t[2]:.0f}] | {p[0]:.0f} [{p[1]:.0f}–{p[2]:.0f}] | "
                         f"{'**' if ratio > GOAL else ''}{ratio:.2f}{'**' if ratio > GOAL else ''} |")
                if ratio > GOAL:
                    losses.append((r, w["fn"], ratio))
        L.append("")
        if losses:
            L.append("Above the goal (the generated code is straight-line: its time follows its "
                     "instruction count, see section 2):")
            for r, fn, ratio in losses:
                parts = fn.split("+")
                n = sum(ninstr[r].get(x) or 0 for x in parts)
                L.append(f"- {r} {fn}: {ratio:.2f}; {n} instructions.")
        else:
            L.append(f"Every function is within the goal (ratio ≤ {GOAL}).")

    notes = os.path.join(res, "notes.txt")
    if os.path.exists(notes):
        with open(notes, encoding="utf-8") as f:
            L += ["", "## Notes", ""] + [f"- {ln.strip()}" for ln in f if ln.strip()]
    with open(out_md, "w", encoding="utf-8") as f:
        f.write("\n".join(L) + "\n")
    print(f"report: wrote {out_md}", file=sys.stderr)


if __name__ == "__main__":
    main(*sys.argv[1:6])
