#!/usr/bin/env python3
"""How fast can FD_derivatives' solves get in C at -O2? (issue 21, bench/RESULTS_DYNAMICS.md)

FD_derivatives of an nv-35 humanoid spends about half its instructions in M⁻¹ [∂τ/∂q ∂τ/∂v]:
70 right-hand sides through the sparse factorization M = LᵀDL (Featherstone 2008, §6.5). This
times that solve alone, on a tree shaped like the humanoids (6 free-flyer dofs, two legs of 6, a
waist of 3, two arms of 7 on the waist: 35 dofs), 70 dense columns (72 where vectors need it),
written three ways and compiled with `cc -O2` (x86-64 baseline: SSE2, as both sides of
bench/dynamics.sh and ../shared/bench_cg are built):

- scalar: one statement per multiply-add per column, straight-line (what CasADi emits);
- row loops: per factor entry, one loop over the columns (y[c] -= l * x[c]), vectorized by GCC;
- vector tiles: the scalar sequence on GCC vectors of W columns, looped over the column tiles
  (values in registers within a tile).

    python bench/solve_columns.py [--work DIR] [--cc cc]
"""
import argparse
import pathlib
import subprocess
import tempfile

PARENTS_NOTE = "free-flyer 6 (chain), legs 6+6 and waist 3 on the base, arms 7+7 on the waist"


def humanoid_parents():
    par = [-1, 0, 1, 2, 3, 4]

    def chain(p, n):
        for _ in range(n):
            par.append(p)
            p = len(par) - 1
        return p
    chain(5, 6)
    chain(5, 6)
    waist = chain(5, 3)
    chain(waist, 7)
    chain(waist, 7)
    return par


def source(par, ncols=72):
    n = len(par)
    anc = []
    for i in range(n):
        a, j = [], par[i]
        while j >= 0:
            a.append(j)
            j = par[j]
        anc.append(a)
    index, k = {}, 0
    for i in range(n):
        for j in anc[i]:
            index[(i, j)] = k
            k += 1
    s = [f"#define NC {ncols}\n#define N {n}\n#define NL {k}\n"]
    def passes(update, scale):
        """The solve's statements: Lᵀ from the leaves (y_j -= L_ij y_i), D⁻¹, L from the root
        (y_i -= L_ij y_j); update(dst, src, l) and scale(i) write one statement each."""
        out = [update(j, i, index[(i, j)]) for i in reversed(range(n)) for j in anc[i]]
        out += [scale(i) for i in range(n)]
        out += [update(i, j, index[(i, j)]) for i in range(n) for j in anc[i]]
        return out
    # row loops
    s.append("static inline void axpy(double* __restrict y, const double* __restrict x, double a) "
             "{ for (int c = 0; c < NC; ++c) y[c] -= a * x[c]; }\n"
             "static inline void scal(double* __restrict y, double a) { for (int c = 0; c < NC; ++c) y[c] *= a; }\n"
             "void solve_rows(const double* L, const double* Di, double* X) {\n")
    s += passes(lambda d, x, l: f" axpy(X + {d} * NC, X + {x} * NC, L[{l}]);\n",
                lambda i: f" scal(X + {i} * NC, Di[{i}]);\n")
    s.append("}\n")
    # straight-line scalar, 70 columns
    s.append("void solve_scalar(const double* L, const double* Di, double* X) {\n")
    for c in range(70):
        s += passes(lambda d, x, l, c=c: f" X[{d * ncols + c}] -= L[{l}] * X[{x * ncols + c}];\n",
                    lambda i, c=c: f" X[{i * ncols + c}] *= Di[{i}];\n")
    s.append("}\n")
    # vector tiles of 2 columns (one SSE2 register)
    s.append("typedef double v2 __attribute__((vector_size(16)));\n"
             "void solve_tiles(const double* L, const double* Di, double* X) {\n"
             " for (int c = 0; c < NC; c += 2) {\n")
    s += [f"  v2 x{i}; __builtin_memcpy(&x{i}, X + {i} * NC + c, sizeof(v2));\n" for i in range(n)]
    s += passes(lambda d, x, l: f"  x{d} -= L[{l}] * x{x};\n", lambda i: f"  x{i} *= Di[{i}];\n")
    s += [f"  __builtin_memcpy(X + {i} * NC + c, &x{i}, sizeof(v2));\n" for i in range(n)]
    s.append(" }\n}\n")
    s.append(r'''
#include <stdio.h>
#include <string.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }
static double L[NL], Di[N], X0[N * NC], X[N * NC], R[3][N * NC];
typedef void (*F)(const double*, const double*, double*);
static double run(F f) {
  double best = 1e9;
  for (int r = 0; r < 9; ++r) {
    double t = now();
    for (int k = 0; k < 2000; ++k) { memcpy(X, X0, sizeof X); f(L, Di, X); }
    t = (now() - t) / 2000;
    if (t < best) best = t;
  }
  return best;
}
int main(void) {
  for (int i = 0; i < NL; ++i) L[i] = 0.01 * (i % 7);
  for (int i = 0; i < N; ++i) Di[i] = 1.0 / (1 + i);
  for (int i = 0; i < N * NC; ++i) X0[i] = 1e-3 * (i % 13);
  run(solve_scalar);  /* warm-up */
  F fs[3] = {solve_scalar, solve_rows, solve_tiles};
  const char* names[3] = {"scalar straight-line", "row loops", "vector tiles (2 columns)"};
  double t[3];
  for (int i = 0; i < 3; ++i) { t[i] = run(fs[i]); memcpy(R[i], X, sizeof X); }
  double err = 0;
  for (int i = 1; i < 3; ++i)
    for (int k = 0; k < N * NC; ++k) if ((k % NC) < 70) { double d = R[i][k] - R[0][k]; if (d < 0) d = -d; if (d > err) err = d; }
  printf("| form | us per 70-column solve | vs scalar |\n|---|---:|---:|\n");
  for (int i = 0; i < 3; ++i) printf("| %s | %.2f | %.2f |\n", names[i], t[i] * 1e6, t[i] / t[0]);
  printf("max difference to scalar: %.1e\n", err);
  return err > 1e-12;
}
''')
    return "".join(s)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work")
    ap.add_argument("--cc", default="cc")
    args = ap.parse_args()
    work = pathlib.Path(args.work or tempfile.mkdtemp(prefix="thunder_solve_columns."))
    work.mkdir(parents=True, exist_ok=True)
    par = humanoid_parents()
    (work / "solve.c").write_text(source(par))
    print(f"tree: {len(par)} dofs ({PARENTS_NOTE}); compiling {work / 'solve.c'} at -O2 (takes a minute)")
    subprocess.run([args.cc, "-O2", str(work / "solve.c"), "-o", str(work / "solve")], check=True)
    subprocess.run([str(work / "solve")], check=True)


if __name__ == "__main__":
    main()
