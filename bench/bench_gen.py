"""Generation benchmark: `thunder gen` wall time and peak RSS, generated sizes and per-function
instruction counts; optionally the time and peak RSS of compiling the generated C++ library.

    python bench/bench_gen.py THUNDER WORKDIR OUT.json --robot NAME=PATH ... [--compile NAME]
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import timing  # noqa: E402


def run_measured(cmd, cwd=None):
    """(wall seconds, peak RSS MiB of the process tree, returncode, output tail)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    return wall, ru.ru_maxrss / 1024, p.returncode, out.decode(errors="replace")[-2000:]


def sizes(out):
    c_files = glob.glob(os.path.join(out, "cpp", "*.c"))
    all_cpp = [f for f in glob.glob(os.path.join(out, "cpp", "*")) if os.path.isfile(f)]
    lines = lambda fs: sum(sum(1 for _ in open(f, "rb")) for f in fs)  # noqa: E731
    nbytes = lambda fs: sum(os.path.getsize(f) for f in fs)  # noqa: E731
    torch_files = glob.glob(os.path.join(out, "torch", "*"))
    casadi_files = glob.glob(os.path.join(out, "casadi", "*.casadi"))
    return {"c_files": len(c_files), "c_lines": lines(c_files), "c_bytes": nbytes(c_files),
            "cpp_dir_lines": lines(all_cpp), "cpp_dir_bytes": nbytes(all_cpp),
            "torch_bytes": nbytes(torch_files), "casadi_bytes": nbytes(casadi_files)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("thunder")
    ap.add_argument("workdir")
    ap.add_argument("out")
    ap.add_argument("--robot", action="append", default=[], help="NAME=PATH")
    ap.add_argument("--compile", action="append", default=[], help="robot whose C++ library is compiled")
    ap.add_argument("--cmake-prefix", default="")
    a = ap.parse_args()
    res = {"robots": []}
    for spec in a.robot:
        name, path = spec.split("=", 1)
        out = os.path.join(a.workdir, name)
        shutil.rmtree(out, ignore_errors=True)
        wall, rss, rc, tail = run_measured([a.thunder, "gen", path, "-o", out, "-n", name, "--pytorch"])
        row = {"name": name, "source": path, "gen_s": wall, "gen_peak_rss_mib": rss, "rc": rc}
        if rc != 0:
            row["error"] = tail
            print(f"bench_gen: {name}: thunder gen failed:\n{tail}", file=sys.stderr)
            res["robots"].append(row)
            continue
        with open(os.path.join(out, "manifest.json"), encoding="utf-8") as f:
            man = json.load(f)
        row["n_joints"] = man.get("n_joints")
        row["n_instructions"] = {fn["name"]: fn.get("n_instructions") for fn in man["functions"]}
        row.update(sizes(out))
        if name in a.compile:
            bdir = os.path.join(a.workdir, f"build_{name}")
            shutil.rmtree(bdir, ignore_errors=True)
            cfg = ["cmake", "-S", os.path.join(out, "cpp"), "-B", bdir]
            if shutil.which("ninja"):
                cfg += ["-G", "Ninja"]
            if a.cmake_prefix:
                cfg.append(f"-DCMAKE_PREFIX_PATH={a.cmake_prefix}")
            w1, r1, rc1, t1 = run_measured(cfg)
            w2, r2, rc2, t2 = run_measured(["cmake", "--build", bdir, "-j2"])
            row["compile"] = {"configure_s": w1, "build_s": w2, "build_peak_rss_mib": r2,
                              "rc": rc1 or rc2, "jobs": 2}
            if rc1 or rc2:
                row["compile"]["error"] = (t1 if rc1 else t2)[-1500:]
        print(f"bench_gen: {name}: {row.get('n_joints')} joints, gen {wall:.2f} s, "
              f"{row.get('c_lines')} C lines", file=sys.stderr)
        res["robots"].append(row)
    timing.save_json(res, a.out)


if __name__ == "__main__":
    main()
