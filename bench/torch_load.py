"""Time of thunder_torch.load after `import torch` (issue 23: Panda <= 0.3 s, g1 <= 1.5 s), each
run in a fresh process (nothing cached), median of --reps runs.

    python bench/torch_load.py OUT [OUT ...] [--python PY] [--reps 5]

--python runs the measurement with another interpreter (e.g. an older checkout's venv, whose
thunder_torch reads that checkout's artifacts), so old and new are timed side by side.
Prints one line per folder: the median load seconds, the wall and CPU seconds of each run.
"""
import argparse
import statistics
import subprocess
import sys

CHILD = r"""
import sys, time, torch
import thunder_torch as tt
w, c = time.perf_counter(), time.process_time()
m = tt.load(sys.argv[1], dtype=torch.float64, backend="torch")
print(time.perf_counter() - w, time.process_time() - c, len(m._specs))
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outs", nargs="+")
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--reps", type=int, default=5)
    a = ap.parse_args()
    for out in a.outs:
        walls, cpus, n = [], [], 0
        for _ in range(a.reps):
            r = subprocess.run([a.python, "-c", CHILD, out], capture_output=True, text=True, check=True)
            w, c, n = r.stdout.split()
            walls.append(float(w))
            cpus.append(float(c))
        print(f"{out}: {n} functions, load median {statistics.median(walls):.3f} s wall "
              f"(runs {', '.join(f'{x:.3f}' for x in walls)}; CPU {', '.join(f'{x:.3f}' for x in cpus)})",
              flush=True)


if __name__ == "__main__":
    main()
